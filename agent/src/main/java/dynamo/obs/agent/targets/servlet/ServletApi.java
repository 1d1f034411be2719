package dynamo.obs.agent.targets.servlet;

import dynamo.obs.agent.http.ServedRequests;

import java.io.OutputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * The Servlet API of one container — {@code jakarta.servlet} or {@code javax.servlet}, as one class
 * loader defines it — reached through method handles: the agent's classes cannot name it (they are loaded
 * apart from the application), and so one runtime serves both packages. Only public interface
 * methods are called, each resolved once per API class loader into a handle typed on {@code Object}
 * (no reflection, no argument arrays, no boxing per request). This is the request's
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

  private final Class<?> requestWrapper;
  private final MethodHandle getRequest;
  private final MethodHandle getDispatcherType;
  private final MethodHandle isAsyncStarted;
  private final MethodHandle getServletPath;
  private final MethodHandle getPathInfo;
  private final MethodHandle getHeader;
  private final MethodHandle getMethod;
  private final MethodHandle getRequestUri;
  private final MethodHandle getProtocol;
  private final MethodHandle getContentLength;
  private final MethodHandle getStatus;
  private final MethodHandle getContentType;
  private final MethodHandle containsHeader;
  private final MethodHandle setHeader;
  private final MethodHandle addListener;
  private final MethodHandle getThrowable;
  private final Class<?> asyncListener;
  private final Class<?> httpRequest;
  private final MethodHandle isCommitted;
  private final MethodHandle resetBuffer;
  private final MethodHandle setStatus;
  private final MethodHandle setContentType;
  private final MethodHandle setContentLength;
  private final MethodHandle getOutputStream;
  private final MethodHandle flushBuffer;
  /** A container's own response class → its public {@code getRequest()}, when it has one (Tomcat's); else null. */
  private final ClassValue<MethodHandle> requestOfResponse = new ClassValue<>() {
    @Override
    protected MethodHandle computeValue(Class<?> type) {
      try {
        return httpRequest.isAssignableFrom(type.getMethod("getRequest").getReturnType())
            ? handle(type, "getRequest")
            : null;
      } catch (ReflectiveOperationException | SecurityException e) {
        return null;
      }
    }
  };

  private ServletApi(String pkg, ClassLoader loader) throws ReflectiveOperationException {
    Class<?> request = type(pkg + "ServletRequest", loader);
    httpRequest = type(pkg + "http.HttpServletRequest", loader);
    Class<?> response = type(pkg + "ServletResponse", loader);
    Class<?> httpResponse = type(pkg + "http.HttpServletResponse", loader);
    requestWrapper = type(pkg + "ServletRequestWrapper", loader);
    asyncListener = type(pkg + "AsyncListener", loader);
    getRequest = handle(requestWrapper, "getRequest");
    getDispatcherType = handle(request, "getDispatcherType");
    isAsyncStarted = handle(request, "isAsyncStarted");
    getServletPath = handle(httpRequest, "getServletPath");
    getPathInfo = handle(httpRequest, "getPathInfo");
    getHeader = handle(httpRequest, "getHeader", String.class);
    getMethod = handle(httpRequest, "getMethod");
    getRequestUri = handle(httpRequest, "getRequestURI");
    getProtocol = handle(request, "getProtocol");
    getContentLength = handle(request, "getContentLength");
    getStatus = handle(httpResponse, "getStatus");
    getContentType = handle(httpResponse, "getContentType");
    containsHeader = handle(httpResponse, "containsHeader", String.class);
    setHeader = handle(httpResponse, "setHeader", String.class, String.class);
    addListener = handle(type(pkg + "AsyncContext", loader), "addListener", asyncListener);
    getThrowable = handle(type(pkg + "AsyncEvent", loader), "getThrowable");
    isCommitted = handle(response, "isCommitted");
    resetBuffer = handle(response, "resetBuffer");
    setStatus = handle(httpResponse, "setStatus", int.class);
    setContentType = handle(response, "setContentType", String.class);
    setContentLength = handle(response, "setContentLength", int.class);
    getOutputStream = handle(response, "getOutputStream");
    flushBuffer = handle(response, "flushBuffer");
  }

  /**
   * A public method of an API type as a handle whose receiver and reference arguments are {@code Object} and whose
   * result is kept as it is for primitives ({@code int}, {@code boolean}) and {@code Object} otherwise.
   */
  private static MethodHandle handle(Class<?> type, String name, Class<?>... parameters)
      throws ReflectiveOperationException {
    MethodHandle h = MethodHandles.publicLookup().unreflect(type.getMethod(name, parameters));
    MethodType t = h.type();
    Class<?>[] generic = new Class<?>[t.parameterCount()];
    for (int i = 0; i < generic.length; i++) {
      generic[i] = t.parameterType(i).isPrimitive() ? t.parameterType(i) : Object.class;
    }
    Class<?> result = t.returnType().isPrimitive() ? t.returnType() : Object.class;
    return h.asType(MethodType.methodType(result, generic));
  }

  private static Class<?> type(String name, ClassLoader loader) throws ClassNotFoundException {
    return Class.forName(name, false, loader);
  }

  /** The API of an object's container (request, response, async context), or null when it has none. */
  static ServletApi of(Object o) {
    return o == null ? null : OF.get(o.getClass());
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
    try {
      for (int i = 0; i < 64 && requestWrapper.isInstance(r); i++) {
        r = (Object) getRequest.invokeExact(r);
      }
    } catch (Throwable t) {
      throw failed(t);
    }
    return r;
  }

  /** Whether this is the request's first dispatch (not async, error, forward or include). */
  boolean isRequestDispatch(Object request) throws ReflectiveOperationException {
    Object type;
    try {
      type = (Object) getDispatcherType.invokeExact(request);
    } catch (Throwable t) {
      throw failed(t);
    }
    return type instanceof Enum && ((Enum<?>) type).name().equals("REQUEST");
  }

  boolean isAsyncStarted(Object request) throws ReflectiveOperationException {
    try {
      return (boolean) isAsyncStarted.invokeExact(request);
    } catch (Throwable t) {
      throw failed(t);
    }
  }

  /** The path within the context: servlet path and path info, as the container mapped it. */
  String pathInContext(Object request) throws ReflectiveOperationException {
    String servletPath = string(getServletPath, request);
    String pathInfo = string(getPathInfo, request);
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

  private static String read(MethodHandle m, Object request) {
    try {
      return string(m, request);
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }

  private static String string(MethodHandle m, Object target) throws ReflectiveOperationException {
    try {
      return (String) (Object) m.invokeExact(target);
    } catch (Throwable t) {
      throw failed(t);
    }
  }

  /** The request's method. */
  String method(Object request) throws ReflectiveOperationException {
    return string(getMethod, request);
  }

  /** The request's path as it came (not decoded), from the server's root: its context path included. */
  String requestUri(Object request) throws ReflectiveOperationException {
    return string(getRequestUri, request);
  }

  /** The request a container's own response belongs to (Tomcat's has it), or null. */
  Object requestOf(Object response) throws ReflectiveOperationException {
    MethodHandle m = requestOfResponse.get(response.getClass());
    try {
      return m == null ? null : (Object) m.invokeExact(response);
    } catch (Throwable t) {
      throw failed(t);
    }
  }

  /** The request body's declared length ({@code Content-Length}), -1 when not declared (chunked, or no body). */
  int contentLength(Object request) throws ReflectiveOperationException {
    try {
      return (int) getContentLength.invokeExact(request);
    } catch (Throwable t) {
      throw failed(t);
    }
  }

  /** A request header's first value, or null (also when reading it fails: then it is counted). */
  String header(Object request, String name) {
    try {
      return (String) (Object) getHeader.invokeExact(request, (Object) name);
    } catch (Throwable t) {
      throw new IllegalStateException("reading request header " + name, t);
    }
  }

  // ---- responses -------------------------------------------------------------------------------

  int status(Object response) throws ReflectiveOperationException {
    try {
      return (int) getStatus.invokeExact(response);
    } catch (Throwable t) {
      throw failed(t);
    }
  }

  String contentType(Object response) throws ReflectiveOperationException {
    return string(getContentType, response);
  }

  boolean isCommitted(Object response) throws ReflectiveOperationException {
    try {
      return (boolean) isCommitted.invokeExact(response);
    } catch (Throwable t) {
      throw failed(t);
    }
  }

  /** The response's output stream; throws when the application took its writer already. */
  OutputStream outputStream(Object response) throws ReflectiveOperationException {
    try {
      return (OutputStream) (Object) getOutputStream.invokeExact(response);
    } catch (Throwable t) {
      throw failed(t);
    }
  }

  /**
   * Makes the response, not committed yet, one of {@code status} with a body of {@code length} bytes of
   * {@code contentType} ({@code contentEncoding} when not null): what was buffered of another body is dropped, the
   * headers already set stay.
   */
  void answer(Object response, int status, String contentType, String contentEncoding, int length)
      throws ReflectiveOperationException {
    try {
      resetBuffer.invokeExact(response);
      setStatus.invokeExact(response, status);
      setContentType.invokeExact(response, (Object) contentType);
      setContentLength.invokeExact(response, length);
      if (contentEncoding != null) {
        setHeader.invokeExact(response, (Object) "Content-Encoding", (Object) contentEncoding);
      }
    } catch (Throwable t) {
      throw failed(t);
    }
  }

  /** Sends what the response has buffered: it is committed. */
  void flush(Object response) throws ReflectiveOperationException {
    try {
      flushBuffer.invokeExact(response);
    } catch (Throwable t) {
      throw failed(t);
    }
  }

  /** Sets a header unless the application set it already. */
  void setHeaderIfAbsent(Object response, String name, String value) throws ReflectiveOperationException {
    try {
      if (!(boolean) containsHeader.invokeExact(response, (Object) name)) {
        setHeader.invokeExact(response, (Object) name, (Object) value);
      }
    } catch (Throwable t) {
      throw failed(t);
    }
  }

  // ---- asynchronous requests -------------------------------------------------------------------

  /** Adds a listener to an {@code AsyncContext}: an {@code AsyncListener} whose calls go to {@code handler}. */
  void addListener(Object asyncContext, InvocationHandler handler) throws ReflectiveOperationException {
    Object listener = Proxy.newProxyInstance(asyncListener.getClassLoader(), new Class<?>[]{asyncListener}, handler);
    try {
      addListener.invokeExact(asyncContext, listener);
    } catch (Throwable t) {
      throw failed(t);
    }
  }

  /** The throwable an {@code AsyncEvent} carries, or null. */
  Throwable throwable(Object asyncEvent) throws ReflectiveOperationException {
    try {
      return asyncEvent == null ? null : (Throwable) (Object) getThrowable.invokeExact(asyncEvent);
    } catch (Throwable t) {
      throw failed(t);
    }
  }

  /** What the container's method threw, wrapped as reflection would: the caller counts it; never to the application. */
  private static ReflectiveOperationException failed(Throwable t) {
    return new InvocationTargetException(t);
  }
}
