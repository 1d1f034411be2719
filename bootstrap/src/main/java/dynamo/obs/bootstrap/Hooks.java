package dynamo.obs.bootstrap;

/**
 * The one hand-off between woven application code and the agent runtime.
 *
 * <p>Advice inlined into application (and JDK) classes can only see classes of the bootstrap class
 * loader, so it calls {@link #get()} and one of the methods below. The agent runtime, loaded by its
 * own isolated class loader, installs its implementation with {@link #install(Hooks)} once it is
 * ready; until then every call lands on the no-op base implementation. Every method here must be
 * cheap and must never throw: implementations catch everything themselves.
 */
public class Hooks {

  private static final Hooks NOOP = new Hooks();

  private static volatile Hooks current = NOOP;

  protected Hooks() {}

  /** The active hooks; the no-op hooks until the agent runtime is ready. */
  public static Hooks get() {
    return current;
  }

  /** Called once by the agent runtime when it is ready to receive calls. */
  public static void install(Hooks hooks) {
    if (hooks != null) {
      current = hooks;
    }
  }

  // ---- JDK com.sun.net.httpserver --------------------------------------------------------------

  /** A context (route prefix) was created on a JDK HTTP server. */
  public void httpServerContextCreated(Object server, String path) {}

  /** A context was removed from a JDK HTTP server. */
  public void httpServerContextRemoved(Object server, String path) {}

  /** A context was removed from a JDK HTTP server by its {@code HttpContext} object. */
  public void httpServerContextObjectRemoved(Object server, Object context) {}

  /** A JDK HTTP server started accepting connections. */
  public void httpServerStarted(Object server) {}

  /** A JDK HTTP server stopped. */
  public void httpServerStopped(Object server) {}

  /** A request arrived on a JDK HTTP server; {@code headers} are its request headers. */
  public void jdkExchangeStarted(Object exchange, String method, java.net.URI uri,
      java.util.Map<String, java.util.List<String>> headers) {}

  /** The request body the application gets; the hooks may return a recording wrapper. */
  public java.io.InputStream jdkRequestBody(Object exchange, java.io.InputStream body) {
    return body;
  }

  /** The response status is about to be sent; {@code headers} may still be changed. */
  public void jdkResponseHeaders(Object exchange, int status, java.util.Map<String, java.util.List<String>> headers) {}

  /** The response body the application writes to; the hooks may return a recording wrapper. */
  public java.io.OutputStream jdkResponseBody(Object exchange, java.io.OutputStream body) {
    return body;
  }

  /** The exchange was closed. */
  public void jdkExchangeClosed(Object exchange) {}

  /** The server finished running a request on this thread (the handler returned or threw). */
  public void jdkExchangeRunEnded() {}

  /** A handler (or filter) threw out of the server's filter chain on this thread. */
  public void jdkHandlerFailed(Throwable error) {}

  // ---- Servlet containers (jakarta.servlet and javax.servlet) ----------------------------------
  // The advice is the same for both packages and names none of their types: requests, responses,
  // streams and async contexts arrive as Object.

  /**
   * A filter's {@code doFilter} or a servlet's {@code service} was entered. Returns true when this
   * call serves the request on this thread (the outermost one of its dispatch): its exit must then
   * call {@link #servletServiceExited}.
   */
  public boolean servletServiceEntered(Object request, Object response) {
    return false;
  }

  /** The call that {@link #servletServiceEntered} said serves the request returned, or threw {@code error}. */
  public void servletServiceExited(Throwable error) {}

  /** A request's {@code startAsync} returned {@code asyncContext}. */
  public void servletAsyncStarted(Object request, Object asyncContext) {}

  /**
   * A request's {@code getInputStream}, or a response's {@code getOutputStream} or
   * {@code getWriter}, returned {@code io}.
   */
  public void servletIoOpened(Object owner, Object io) {}

  /**
   * A read, write, flush or close of a servlet stream, or a call of a response writer, began.
   * Returns what to hand to the {@code servletIoExited} hook, or null when there is nothing to do.
   */
  public Object servletIoEntered(Object io) {
    return null;
  }

  /** A flush, close or writer call ended. */
  public void servletIoExited(Object call, Throwable error) {}

  /** {@code read()} returned {@code oneByte} (-1 at the body's end), or {@code write(oneByte)} ended. */
  public void servletIoExited(Object call, int oneByte, Throwable error) {}

  /** {@code len} bytes of {@code b} from {@code off} were read (-1 at the body's end) or written. */
  public void servletIoExited(Object call, byte[] b, int off, int len, Throwable error) {}

  /** A read into, or write from, {@code buffer} ended; it began at position {@code from}. */
  public void servletIoExited(Object call, java.nio.ByteBuffer buffer, int from, Throwable error) {}

  /**
   * A response writer's {@code write} of characters, or a request reader's {@code read} or
   * {@code readLine}, began. Returns what to hand to {@code servletCharsExited},
   * {@code servletCharExited} or {@code servletLineExited}, or null when there is nothing to do.
   */
  public Object servletCharsEntered(Object writerOrReader) {
    return null;
  }

  /**
   * A writer's {@code write} of {@code len} characters of {@code chars} (a char[] or a String) from
   * {@code off} ended, or a reader's {@code read} into {@code chars} from {@code off} returned {@code len}
   * (-1 at the body's end).
   */
  public void servletCharsExited(Object call, Object chars, int off, int len, Throwable error) {}

  /** A writer's {@code write(int)} of the character {@code c} ended, or a reader's {@code read()} returned it (-1 at the end). */
  public void servletCharExited(Object call, int c, Throwable error) {}

  /** A reader's {@code readLine()} returned {@code line} (null at the body's end). */
  public void servletLineExited(Object call, String line, Throwable error) {}

  // ---- methods named in DYN_OBS_WORKER_METHODS / DYN_OBS_ROUTER_METHODS ------------------------

  /**
   * A worker (engine) method was entered. {@code site} is {@code "<type>|<method>|<return type>"};
   * {@code args} the arguments, whose elements the hooks may replace (callback wrappers). Returns
   * the call's recorder, handed back to {@link #workerCallEnded}, or null.
   */
  public Object workerCallStarted(String site, Object[] args) {
    return null;
  }

  /** The worker method returned or threw; returns the result the caller gets (maybe wrapped). */
  public Object workerCallEnded(Object call, Object result, Throwable error) {
    return result;
  }

  /** A router method was entered; returns its recorder or null. */
  public Object routerCallStarted(String site, Object[] args) {
    return null;
  }

  /** The router method returned or threw. */
  public void routerCallEnded(Object call, Object result, Throwable error) {}

  /**
   * A method of a token handler (a callback given to a worker method) was entered;
   * {@code descriptor} is its JVM descriptor (whether it takes arguments, without building them);
   * {@code first} its first argument, or null (a completion's response says what it used).
   */
  public void handlerInvoked(Object handler, String method, String descriptor, Object first) {}

  // ---- outbound HTTP ---------------------------------------------------------------------------

  /**
   * The {@code java.net.http.HttpClient} made its own request object from the user's, to send it: may
   * add the current request's propagation headers to its system headers.
   */
  public void outboundHttpRequest(Object request) {}

  /**
   * The {@code java.net.http.HttpClient} made the request of a redirect or an authentication retry
   * from the one it follows: may carry over the propagation headers that one got.
   */
  public void outboundHttpRequestFollowed(Object request, Object previous) {}

  /** A {@code java.net.HttpURLConnection} is about to connect: may add propagation headers. */
  public void outboundUrlConnection(Object connection) {}

  // ---- context following work to other threads -------------------------------------------------

  /** A task handed to an executor or a new thread: returns it, or a wrapper carrying the current context. */
  public Object wrapTask(Object task) {
    return task;
  }

  /** A {@code FutureTask} was created on this thread: it remembers the current context. */
  public void futureTaskCreated(Object task) {}

  /** A {@code FutureTask} starts running: returns what to hand to {@link #futureTaskEnded}. */
  public Object futureTaskStarted(Object task) {
    return null;
  }

  public void futureTaskEnded(Object token) {}

  // ---- application logging: java.util.logging, Logback, Log4j 2 --------------------------------

  /** {@link #logEventStarted}'s {@code framework}: which scale its {@code level} number is on. */
  public static final int LOG_JUL = 0;
  public static final int LOG_LOGBACK = 1;
  public static final int LOG_LOG4J = 2;

  /**
   * An application logger hands one event to its handlers or appenders: on the logging thread,
   * after the framework's own level check. {@code level} is the framework's number (JUL
   * {@code Level.intValue()}, Logback {@code Level.toInt()}, Log4j {@code Level.intLevel()});
   * {@code message} is the formatted message, or for JUL the record's pattern that
   * {@code parameters} and {@code bundle} format (only if the event is kept). {@code time} is null
   * for now; {@code location} is given only when the framework has already computed it;
   * {@code fields} are MDC or context data, or null. Returns what to hand to
   * {@link #logEventEnded} once the framework has dispatched the event, or null.
   */
  public Object logEventStarted(int framework, int level, String logger, String message, Object[] parameters,
      java.util.ResourceBundle bundle, Throwable thrown, java.time.Instant time, StackTraceElement location,
      java.util.Map<String, String> fields) {
    return null;
  }

  /** The framework has dispatched the event {@link #logEventStarted} returned {@code dispatch} for. */
  public void logEventEnded(Object dispatch) {}

  /**
   * A console handler or appender of {@code framework} is about to render the event being
   * dispatched on this thread. True when the agent wrote it as a Dynamo JSONL line to
   * {@code System.err} ({@code stderr}) or {@code System.out} instead — or wrote nothing because
   * {@code DYN_LOG} filters it out — so the framework must skip its own rendering.
   */
  public boolean logConsoleLine(int framework, boolean stderr) {
    return false;
  }

  // ---- the agent's own health ------------------------------------------------------------------

  /**
   * Advice caught a throwable of its own making. {@code site} names the instrumentation and place;
   * the runtime counts it and logs it at most once per site.
   */
  public void adviceError(String site, Throwable error) {}
}
