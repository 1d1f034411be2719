package dynamo.obs.agent.targets.helidon;

import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The few public methods of Helidon 4 the handler calls — a request's method, path and headers, a response's status
 * and headers, and a whole body sent — as one class loader defines them (the agent's classes cannot name Helidon's types: they are loaded
 * apart from the application, and Helidon's class files are Java 21's). Each is a method handle looked up once per
 * Helidon, by the public interface or class that declares it, so they work with Helidon on the class path or the
 * module path alike. A call that fails throws to the caller, which counts it against the target.
 */
final class HelidonApi {
  private static final ClassValue<HelidonApi> OF = new ClassValue<>() {
    @Override
    protected HelidonApi computeValue(Class<?> type) {
      try {
        return new HelidonApi(type.getClassLoader());
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("not a Helidon 4 this agent knows: " + type.getName() + ": " + e, e);
      }
    }
  };

  private final MethodHandle method;
  private final MethodHandle methodText;
  private final MethodHandle uriPath;
  private final MethodHandle path;
  private final MethodHandle rawPath;
  private final MethodHandle query;
  private final MethodHandle rawQuery;
  private final MethodHandle protocolVersion;
  private final MethodHandle first;
  private final MethodHandle contains;
  private final MethodHandle set;
  private final MethodHandle headerName;
  private final MethodHandle statusCode;
  private final MethodHandle responseStatus;
  private final MethodHandle exceptionStatus;
  private final MethodHandle exceptionHeaders;
  private final MethodHandle requestPrologue;
  private final MethodHandle requestHeaders;
  private final MethodHandle createStatus;
  private final MethodHandle setStatus;
  private final MethodHandle responseHeaders;
  private final MethodHandle send;
  private final MethodHandle isSent;
  private final MethodHandle streamFilter;
  /** Helidon's {@code HeaderName} of each header name asked for (a handful: those the agent reads or writes). */
  private final ConcurrentHashMap<String, Object> headerNames = new ConcurrentHashMap<>();

  private HelidonApi(ClassLoader loader) throws ReflectiveOperationException {
    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
    Class<?> prologue = type("io.helidon.http.HttpPrologue", loader);
    Class<?> httpMethod = type("io.helidon.http.Method", loader);
    Class<?> uri = type("io.helidon.common.uri.UriPath", loader);
    Class<?> uriQuery = type("io.helidon.common.uri.UriQuery", loader);
    Class<?> headers = type("io.helidon.http.Headers", loader);
    Class<?> writable = type("io.helidon.http.WritableHeaders", loader);
    Class<?> name = type("io.helidon.http.HeaderName", loader);
    Class<?> status = type("io.helidon.http.Status", loader);
    Class<?> response = type("io.helidon.webserver.http.ServerResponse", loader);
    Class<?> exception = type("io.helidon.http.RequestException", loader);
    method = getter(lookup, prologue, "method", httpMethod);
    methodText = getter(lookup, httpMethod, "text", String.class);
    uriPath = getter(lookup, prologue, "uriPath", uri);
    path = getter(lookup, uri, "path", String.class);
    rawPath = getter(lookup, uri, "rawPath", String.class);
    query = getter(lookup, prologue, "query", uriQuery);
    rawQuery = getter(lookup, uriQuery, "rawValue", String.class);
    protocolVersion = getter(lookup, prologue, "protocolVersion", String.class);
    first = lookup.findVirtual(headers, "first", MethodType.methodType(Optional.class, name))
        .asType(MethodType.methodType(Optional.class, Object.class, Object.class));
    contains = lookup.findVirtual(headers, "contains", MethodType.methodType(boolean.class, name))
        .asType(MethodType.methodType(boolean.class, Object.class, Object.class));
    set = lookup.findVirtual(writable, "set", MethodType.methodType(writable, name, String[].class))
        .asType(MethodType.methodType(void.class, Object.class, Object.class, String[].class));
    headerName = lookup.findStatic(type("io.helidon.http.HeaderNames", loader), "create",
        MethodType.methodType(name, String.class)).asType(MethodType.methodType(Object.class, String.class));
    statusCode = lookup.findVirtual(status, "code", MethodType.methodType(int.class))
        .asType(MethodType.methodType(int.class, Object.class));
    responseStatus = getter(lookup, response, "status", status);
    exceptionStatus = getter(lookup, exception, "status", status);
    Class<?> serverResponseHeaders = type("io.helidon.http.ServerResponseHeaders", loader);
    exceptionHeaders = getter(lookup, exception, "responseHeaders", serverResponseHeaders);
    Class<?> request = type("io.helidon.webserver.http.ServerRequest", loader);
    requestPrologue = getter(lookup, request, "prologue", prologue);
    requestHeaders = getter(lookup, request, "headers", type("io.helidon.http.ServerRequestHeaders", loader));
    createStatus = lookup.findStatic(status, "create", MethodType.methodType(status, int.class))
        .asType(MethodType.methodType(Object.class, int.class));
    setStatus = lookup.findVirtual(response, "status", MethodType.methodType(response, status))
        .asType(MethodType.methodType(void.class, Object.class, Object.class));
    responseHeaders = getter(lookup, response, "headers", serverResponseHeaders);
    send = lookup.findVirtual(response, "send", MethodType.methodType(void.class, byte[].class))
        .asType(MethodType.methodType(void.class, Object.class, byte[].class));
    isSent = lookup.findVirtual(response, "isSent", MethodType.methodType(boolean.class))
        .asType(MethodType.methodType(boolean.class, Object.class));
    streamFilter = lookup.findVirtual(request, "streamFilter", MethodType.methodType(void.class, UnaryOperator.class))
        .asType(MethodType.methodType(void.class, Object.class, UnaryOperator.class));
  }

  private static Class<?> type(String name, ClassLoader loader) throws ClassNotFoundException {
    return Class.forName(name, false, loader);
  }

  /** A getter, typed {@code (Object)String} when it returns a String, else {@code (Object)Object}. */
  private static MethodHandle getter(MethodHandles.Lookup lookup, Class<?> owner, String name, Class<?> returns)
      throws ReflectiveOperationException {
    return lookup.findVirtual(owner, name, MethodType.methodType(returns))
        .asType(MethodType.methodType(returns == String.class ? String.class : Object.class, Object.class));
  }

  /** The API of the Helidon an object (a prologue, headers, a response) belongs to. */
  static HelidonApi of(Object helidonObject) {
    return OF.get(helidonObject.getClass());
  }

  // ---- requests ------------------------------------------------------------------------------------

  /** The request's path, decoded as Helidon routes it. */
  String path(Object prologue) throws Throwable {
    return (String) path.invokeExact((Object) uriPath.invokeExact(prologue));
  }

  String method(Object prologue) throws Throwable {
    return (String) methodText.invokeExact((Object) method.invokeExact(prologue));
  }

  /** The request target as it came: the raw path and query. */
  String target(Object prologue) throws Throwable {
    String raw = (String) rawPath.invokeExact((Object) uriPath.invokeExact(prologue));
    String q = (String) rawQuery.invokeExact((Object) query.invokeExact(prologue));
    return q == null || q.isEmpty() ? raw : raw + "?" + q;
  }

  String version(Object prologue) throws Throwable {
    return "HTTP/" + (String) protocolVersion.invokeExact(prologue);
  }

  /** A request's prologue ({@code ServerRequest.prologue()}). */
  Object prologue(Object request) throws Throwable {
    return (Object) requestPrologue.invokeExact(request);
  }

  /**
   * Adds a filter to the stream the request's body is read through ({@code ServerRequest.streamFilter}): filters added
   * later wrap it.
   */
  void streamFilter(Object request, UnaryOperator<InputStream> filter) throws Throwable {
    streamFilter.invokeExact(request, filter);
  }

  /** A request's headers ({@code ServerRequest.headers()}). */
  Object headers(Object request) throws Throwable {
    return (Object) requestHeaders.invokeExact(request);
  }

  // ---- headers -------------------------------------------------------------------------------------

  /** The first value of a header ({@code name} in lower case), or null. */
  String header(Object headers, String name) throws Throwable {
    Optional<?> v = (Optional<?>) first.invokeExact(headers, headerName(name));
    return (String) v.orElse(null);
  }

  boolean contains(Object headers, String name) throws Throwable {
    return (boolean) contains.invokeExact(headers, headerName(name));
  }

  /** Sets a header of writable headers (a response's, before Helidon writes them). */
  void set(Object headers, String name, String value) throws Throwable {
    set.invokeExact(headers, headerName(name), new String[]{value});
  }

  private Object headerName(String name) throws Throwable {
    Object n = headerNames.get(name);
    if (n == null) {
      n = (Object) headerName.invokeExact(name);
      headerNames.putIfAbsent(name, n);
    }
    return n;
  }

  // ---- responses -----------------------------------------------------------------------------------

  /**
   * The status code a response head carries: {@code source} is the response ({@code ServerResponse}), the
   * supplier of its status Helidon's stream reads, or the {@code RequestException} the server answers.
   */
  int status(Object source) throws Throwable {
    Object status;
    if (source instanceof Supplier<?> supplier) {
      status = supplier.get();
    } else if (source instanceof Throwable) {
      status = (Object) exceptionStatus.invokeExact(source);
    } else {
      status = (Object) responseStatus.invokeExact(source);
    }
    return (int) statusCode.invokeExact(status);
  }

  /** Whether a response was sent whole ({@code ServerResponse.isSent()}). */
  boolean isSent(Object response) throws Throwable {
    return (boolean) isSent.invokeExact(response);
  }

  /** The headers the server's own answer to a {@code RequestException} starts from. */
  Object answerHeaders(Object requestException) throws Throwable {
    return (Object) exceptionHeaders.invokeExact(requestException);
  }

  /**
   * Sends a whole answer the application did not give: status, content type, content encoding (or null), content
   * length, body (empty for HEAD: the length stays the one set, as Helidon sets it only where none is).
   */
  void send(Object response, int status, String contentType, String contentEncoding, int length, byte[] body)
      throws Throwable {
    setStatus.invokeExact(response, (Object) createStatus.invokeExact(status));
    Object headers = (Object) responseHeaders.invokeExact(response);
    set(headers, "content-type", contentType);
    if (contentEncoding != null) {
      set(headers, "content-encoding", contentEncoding);
    }
    set(headers, "content-length", Integer.toString(length));
    send.invokeExact(response, body);
  }
}
