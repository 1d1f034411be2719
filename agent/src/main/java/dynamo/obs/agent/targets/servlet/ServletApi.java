package dynamo.obs.agent.targets.servlet;

import dynamo.obs.agent.http.ServedRequests;

import java.io.OutputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * The Servlet API of one container — {@code jakarta.servlet} or {@code javax.servlet}, as one class
 * loader defines it — reached by reflection: the agent's classes cannot name it (they are loaded
 * apart from the application), and so one runtime serves both packages. Only public interface
 * methods are called, each resolved once per container class and cached. This is the request's
 * few once-per-request reads (headers, path, status, content type) and the async listener; the
 * bytes of bodies never pass through here.
 */
final class ServletApi {
  private static final ClassValue<ServletApi> OF = new ClassValue<>() {
    @Override
    protected ServletApi computeValue(Class<?> type) {
      Class<?> api = apiType(type);
      if (api == null) {
        return null;
      }
      String name = api.getName();
      String pkg = name.startsWith("jakarta.") ? "jakarta.servlet." : "javax.servlet.";
      try {
        return new ServletApi(pkg, api.getClassLoader());
      } catch (ReflectiveOperationException | LinkageError e) {
        return null; // an API too old (before Servlet 3.0) or incomplete: not ours to observe
      }
    }
  };

  private final String instrumentation;
  private final Class<?> requestWrapper;
  private final Method getRequest;
  private final Method getDispatcherType;
  private final Method isAsyncStarted;
  private final Method getServletPath;
  private final Method getPathInfo;
  private final Method getHeader;
  private final Method getMethod;
  private final Method getRequestUri;
  private final Method getProtocol;
  private final Method getStatus;
  private final Method getContentType;
  private final Method containsHeader;
  private final Method setHeader;
  private final Method addListener;
  private final Method getThrowable;
  private final Class<?> asyncListener;
  private final Class<?> httpRequest;
  private final Method isCommitted;
  private final Method resetBuffer;
  private final Method setStatus;
  private final Method setContentType;
  private final Method setContentLength;
  private final Method getOutputStream;
  private final Method flushBuffer;
  /** A container's own response class → its public {@code getRequest()}, when it has one (Tomcat's). */
  private final ClassValue<Method> requestOfResponse = new ClassValue<>() {
    @Override
    protected Method computeValue(Class<?> type) {
      try {
        Method m = type.getMethod("getRequest");
        return httpRequest.isAssignableFrom(m.getReturnType()) ? m : null;
      } catch (NoSuchMethodException | SecurityException e) {
        return null;
      }
    }
  };

  private ServletApi(String pkg, ClassLoader loader) throws ReflectiveOperationException {
    instrumentation = pkg.startsWith("jakarta.") ? "jakarta-servlet" : "javax-servlet";
    Class<?> request = type(pkg + "ServletRequest", loader);
    httpRequest = type(pkg + "http.HttpServletRequest", loader);
    Class<?> response = type(pkg + "ServletResponse", loader);
    Class<?> httpResponse = type(pkg + "http.HttpServletResponse", loader);
    requestWrapper = type(pkg + "ServletRequestWrapper", loader);
    asyncListener = type(pkg + "AsyncListener", loader);
    getRequest = requestWrapper.getMethod("getRequest");
    getDispatcherType = request.getMethod("getDispatcherType");
    isAsyncStarted = request.getMethod("isAsyncStarted");
    getServletPath = httpRequest.getMethod("getServletPath");
    getPathInfo = httpRequest.getMethod("getPathInfo");
    getHeader = httpRequest.getMethod("getHeader", String.class);
    getMethod = httpRequest.getMethod("getMethod");
    getRequestUri = httpRequest.getMethod("getRequestURI");
    getProtocol = request.getMethod("getProtocol");
    getStatus = httpResponse.getMethod("getStatus");
    getContentType = httpResponse.getMethod("getContentType");
    containsHeader = httpResponse.getMethod("containsHeader", String.class);
    setHeader = httpResponse.getMethod("setHeader", String.class, String.class);
    addListener = type(pkg + "AsyncContext", loader).getMethod("addListener", asyncListener);
    getThrowable = type(pkg + "AsyncEvent", loader).getMethod("getThrowable");
    isCommitted = response.getMethod("isCommitted");
    resetBuffer = response.getMethod("resetBuffer");
    setStatus = httpResponse.getMethod("setStatus", int.class);
    setContentType = response.getMethod("setContentType", String.class);
    setContentLength = response.getMethod("setContentLength", int.class);
    getOutputStream = response.getMethod("getOutputStream");
    flushBuffer = response.getMethod("flushBuffer");
  }

  private static Class<?> type(String name, ClassLoader loader) throws ClassNotFoundException {
    return Class.forName(name, false, loader);
  }

  /** The API of an object's container (request, response, async context), or null when it has none. */
  static ServletApi of(Object o) {
    return o == null ? null : OF.get(o.getClass());
  }

  /** The instrumentation this API's requests are observed by (its errors are counted under it). */
  String instrumentation() {
    return instrumentation;
  }

  /** The first type of the hierarchy that belongs to the Servlet API (by package), or null. */
  private static Class<?> apiType(Class<?> type) {
    for (Class<?> t = type; t != null; t = t.getSuperclass()) {
      if (isApi(t)) {
        return t;
      }
      for (Class<?> i : t.getInterfaces()) {
        Class<?> found = apiType(i);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  private static boolean isApi(Class<?> t) {
    String n = t.getName();
    return n.startsWith("jakarta.servlet.") || n.startsWith("javax.servlet.");
  }

  // ---- requests --------------------------------------------------------------------------------

  /** The container's own request behind any wrappers filters put around it. */
  Object unwrap(Object request) throws ReflectiveOperationException {
    Object r = request;
    for (int i = 0; i < 64 && requestWrapper.isInstance(r); i++) {
      r = call(getRequest, r);
    }
    return r;
  }

  /** Whether this is the request's first dispatch (not async, error, forward or include). */
  boolean isRequestDispatch(Object request) throws ReflectiveOperationException {
    Object type = call(getDispatcherType, request);
    return type instanceof Enum && ((Enum<?>) type).name().equals("REQUEST");
  }

  boolean isAsyncStarted(Object request) throws ReflectiveOperationException {
    return Boolean.TRUE.equals(call(isAsyncStarted, request));
  }

  /** The path within the context: servlet path and path info, as the container mapped it. */
  String pathInContext(Object request) throws ReflectiveOperationException {
    String servletPath = (String) call(getServletPath, request);
    String pathInfo = (String) call(getPathInfo, request);
    if (pathInfo == null) {
      return servletPath;
    }
    return servletPath == null ? pathInfo : servletPath + pathInfo;
  }

  /** The request line of a request, for its span; a part that cannot be read is null. */
  ServedRequests.RequestLine line(Object request) {
    return new ServedRequests.RequestLine() {
      @Override
      public String method() {
        return read(getMethod, request);
      }

      @Override
      public String uri() {
        return read(getRequestUri, request);
      }

      @Override
      public String version() {
        return read(getProtocol, request);
      }
    };
  }

  private static String read(Method m, Object request) {
    try {
      return (String) m.invoke(request);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /** The request's method. */
  String method(Object request) throws ReflectiveOperationException {
    return (String) call(getMethod, request);
  }

  /** The request's path as it came (not decoded), from the server's root: its context path included. */
  String requestUri(Object request) throws ReflectiveOperationException {
    return (String) call(getRequestUri, request);
  }

  /** The request a container's own response belongs to (Tomcat's has it), or null. */
  Object requestOf(Object response) throws ReflectiveOperationException {
    Method m = requestOfResponse.get(response.getClass());
    return m == null ? null : call(m, response);
  }

  /** A request header's first value, or null (also when reading it fails: then it is counted). */
  String header(Object request, String name) {
    try {
      return (String) call(getHeader, request, name);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("reading request header " + name, e);
    }
  }

  // ---- responses -------------------------------------------------------------------------------

  int status(Object response) throws ReflectiveOperationException {
    return (Integer) call(getStatus, response);
  }

  String contentType(Object response) throws ReflectiveOperationException {
    return (String) call(getContentType, response);
  }

  boolean isCommitted(Object response) throws ReflectiveOperationException {
    return Boolean.TRUE.equals(call(isCommitted, response));
  }

  /** The response's output stream; throws when the application took its writer already. */
  OutputStream outputStream(Object response) throws ReflectiveOperationException {
    return (OutputStream) call(getOutputStream, response);
  }

  /**
   * Makes the response, not committed yet, one of {@code status} with a body of {@code length} bytes of
   * {@code contentType} ({@code contentEncoding} when not null): what was buffered of another body is dropped, the
   * headers already set stay.
   */
  void answer(Object response, int status, String contentType, String contentEncoding, int length)
      throws ReflectiveOperationException {
    call(resetBuffer, response);
    call(setStatus, response, status);
    call(setContentType, response, contentType);
    call(setContentLength, response, length);
    if (contentEncoding != null) {
      call(setHeader, response, "Content-Encoding", contentEncoding);
    }
  }

  /** Sends what the response has buffered: it is committed. */
  void flush(Object response) throws ReflectiveOperationException {
    call(flushBuffer, response);
  }

  /** Sets a header unless the application set it already. */
  void setHeaderIfAbsent(Object response, String name, String value) throws ReflectiveOperationException {
    if (!Boolean.TRUE.equals(call(containsHeader, response, name))) {
      call(setHeader, response, name, value);
    }
  }

  // ---- asynchronous requests -------------------------------------------------------------------

  /** Adds a listener to an {@code AsyncContext}: an {@code AsyncListener} whose calls go to {@code handler}. */
  void addListener(Object asyncContext, InvocationHandler handler) throws ReflectiveOperationException {
    Object listener = Proxy.newProxyInstance(asyncListener.getClassLoader(), new Class<?>[] {asyncListener}, handler);
    call(addListener, asyncContext, listener);
  }

  /** The throwable an {@code AsyncEvent} carries, or null. */
  Throwable throwable(Object asyncEvent) throws ReflectiveOperationException {
    return asyncEvent == null ? null : (Throwable) call(getThrowable, asyncEvent);
  }

  /** A throw (the container's, wrapped) goes to the caller, which counts it; never to the application. */
  private static Object call(Method m, Object target, Object... args) throws ReflectiveOperationException {
    return m.invoke(target, args);
  }
}
