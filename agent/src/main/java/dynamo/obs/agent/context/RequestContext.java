package dynamo.obs.agent.context;

import dynamo.obs.agent.frontend.FrontendRequest;
import dynamo.obs.agent.targets.otelapi.ApplicationContext;
import dynamo.obs.agent.trace.ActiveSpan;
import dynamo.obs.agent.trace.SpanParent;
import dynamo.obs.agent.trace.TraceParent;
import dynamo.obs.agent.trace.TraceSpan;
import dynamo.obs.agent.worker.CallContext;
import dynamo.obs.agent.worker.InboundRequest;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.HttpURLConnection;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;

/**
 * The request a thread is serving, as far as the next process needs to know it: the ids it
 * carries on and when the frontend sent it. Set when a request starts on a server thread and
 * cleared when the server is done with it.
 */
public final class RequestContext {
  static final String X_REQUEST_ID = "x-request-id";
  static final String REQUEST_ID = "request-id";
  static final String SEND_TS = "x-frontend-send-ts-ns";
  static final String TRACEPARENT = "traceparent";
  static final String TRACESTATE = "tracestate";
  static final String BAGGAGE = "baggage";

  /**
   * This thread's context. Cleared with {@code set(null)}, never {@code remove()}: a removed entry is made
   * again by the next {@code set} or {@code get}, and each time the thread's map scans for stale entries
   * (seen in the handler threads' profile under load); a null entry is just overwritten.
   */
  private static final ThreadLocal<RequestContext> CURRENT = new ThreadLocal<>();

  private final String xRequestId;
  private final String requestId;
  private final FrontendRequest frontend;
  private final String sendTs;
  /** The span context received with a router's or worker's request, or null. */
  private final SpanParent remoteParent;
  /** A worker's inbound request (its handle_payload span), or null. */
  private final InboundRequest inbound;
  /** The last routing decision in this request: the next hop is its child. */
  private volatile TraceSpan route;

  private RequestContext(String xRequestId, String requestId, FrontendRequest frontend, String sendTs,
      SpanParent remoteParent, InboundRequest inbound) {
    this.xRequestId = xRequestId;
    this.requestId = requestId;
    this.frontend = frontend;
    this.sendTs = sendTs;
    this.remoteParent = remoteParent;
    this.inbound = inbound;
  }

  /** A frontend request: its ids; the send time is taken at each call. */
  public static void enterFrontend(FrontendRequest r) {
    CURRENT.set(new RequestContext(r.xRequestId(), null, r, null, null, null));
  }

  /** Any other inbound request (a router or worker): what it received is passed on. */
  public static void enterInbound(String xRequestId, String requestId, String sendTs, SpanParent remoteParent,
      InboundRequest inbound) {
    if (xRequestId == null && requestId == null && sendTs == null && remoteParent == null && inbound == null) {
      CURRENT.set(null);
    } else {
      CURRENT.set(new RequestContext(xRequestId, requestId, null, sendTs, remoteParent, inbound));
    }
  }

  // ---- spans --------------------------------------------------------------------------------------

  /** The request's own span: the frontend's http-request or the worker's handle_payload, or null. */
  private TraceSpan span() {
    return frontend != null ? frontend.span() : inbound != null ? inbound.span() : null;
  }

  /** The parent of the next hop: the last routing decision, else the request's span, else what came in. */
  private SpanParent nextHopParent() {
    TraceSpan r = route;
    if (r != null) {
      return r;
    }
    TraceSpan s = span();
    return s != null ? s : remoteParent;
  }

  /** The span log lines of this thread belong to, or null. */
  public static ActiveSpan active() {
    RequestContext c = CURRENT.get();
    if (c == null) {
      return null;
    }
    TraceSpan s = c.span();
    return s != null ? s : c.route;
  }

  /** The current request as engine calls and routing decisions see it. */
  public static final CallContext CALLS = new CallContext() {
    @Override
    public InboundRequest inbound() {
      RequestContext c = CURRENT.get();
      return c == null ? null : c.inbound;
    }

    @Override
    public SpanParent parent() {
      RequestContext c = CURRENT.get();
      if (c == null) {
        return null;
      }
      TraceSpan s = c.span();
      return s != null ? s : c.remoteParent;
    }

    @Override
    public String xRequestId() {
      RequestContext c = CURRENT.get();
      return c == null ? null : c.xRequestId;
    }

    @Override
    public String requestId() {
      RequestContext c = CURRENT.get();
      return c == null ? null : c.requestId();
    }

    @Override
    public void routed(TraceSpan span) {
      RequestContext c = CURRENT.get();
      if (c != null) {
        c.route = span;
      }
    }
  };

  public static void exit() {
    CURRENT.set(null);
  }

  // ---- following work to other threads -----------------------------------------------------------

  /** FutureTasks created inside a request, and that request; weak, so a task never run is not kept. */
  private static final Map<Object, RequestContext> FUTURES = Collections.synchronizedMap(new WeakHashMap<>());

  public static Object wrapTask(Object task) {
    RequestContext c = CURRENT.get();
    if (c == null || task == null || task instanceof FutureTask || task instanceof ContextRunnable
        || task instanceof ContextCallable) {
      return task;
    }
    if (task instanceof Runnable) {
      return new ContextRunnable((Runnable) task, c);
    }
    if (task instanceof Callable) {
      return new ContextCallable<>((Callable<?>) task, c);
    }
    return task;
  }

  public static void futureTaskCreated(Object task) {
    RequestContext c = CURRENT.get();
    if (c != null) {
      FUTURES.put(task, c);
    }
  }

  /** Returns the context to restore afterwards (a holder, so that "none" can be restored too). */
  public static Object futureTaskStarted(Object task) {
    if (FUTURES.isEmpty()) {
      return null;
    }
    RequestContext c = FUTURES.remove(task);
    if (c == null) {
      return null;
    }
    Object[] previous = {CURRENT.get()};
    CURRENT.set(c);
    return previous;
  }

  public static void futureTaskEnded(Object token) {
    restore((RequestContext) ((Object[]) token)[0]);
  }

  /** This thread's request context, to be resumed on another thread (an async dispatch), or null. */
  public static Object current() {
    return CURRENT.get();
  }

  /** Makes a context from {@link #current} this thread's again. */
  public static void resume(Object context) {
    restore((RequestContext) context);
  }

  private static void restore(RequestContext previous) {
    if (previous == null) {
      CURRENT.set(null);
    } else {
      CURRENT.set(previous);
    }
  }

  /** A task run with the context of the thread that handed it over. */
  static final class ContextRunnable implements Runnable {
    private final Runnable task;
    private final RequestContext context;

    ContextRunnable(Runnable task, RequestContext context) {
      this.task = task;
      this.context = context;
    }

    @Override
    public void run() {
      RequestContext previous = CURRENT.get();
      CURRENT.set(context);
      try {
        task.run();
      } finally {
        restore(previous);
      }
    }

    @Override
    public String toString() {
      return task.toString();
    }
  }

  static final class ContextCallable<V> implements Callable<V> {
    private final Callable<V> task;
    private final RequestContext context;

    ContextCallable(Callable<V> task, RequestContext context) {
      this.task = task;
      this.context = context;
    }

    @Override
    public V call() throws Exception {
      RequestContext previous = CURRENT.get();
      CURRENT.set(context);
      try {
        return task.call();
      } finally {
        restore(previous);
      }
    }

    @Override
    public String toString() {
      return task.toString();
    }
  }

  private String requestId() {
    return frontend != null ? frontend.requestId() : requestId;
  }

  private String sendTs() {
    if (sendTs != null) {
      return sendTs;
    }
    if (frontend == null) {
      return null;
    }
    Instant now = Instant.now();
    return Long.toString(now.getEpochSecond() * 1_000_000_000L + now.getNano());
  }

  /**
   * The HttpClient's own request object, made from the user's to send it: the current context's
   * headers the user's request lacks are added to its system headers (those it sets itself are kept).
   */
  public static void onHttpRequest(Object request) throws Throwable {
    RequestContext c = CURRENT.get();
    ApplicationContext app = ApplicationContext.current();
    if ((c == null && app == null) || !(request instanceof HttpRequest) || !ClientRequests.AVAILABLE) {
      return;
    }
    HttpRequest r = (HttpRequest) request; // its headers are the user's
    SpanParent parent = missing(r, TRACEPARENT) ? nextHopParent(c, app) : null;
    if (parent != null) {
      ClientRequests.set(request, TRACEPARENT, TraceParent.format(parent));
      if (parent.traceState() != null && missing(r, TRACESTATE)) {
        ClientRequests.set(request, TRACESTATE, parent.traceState());
      }
    }
    if (app != null && app.baggage() != null && missing(r, BAGGAGE)) {
      ClientRequests.set(request, BAGGAGE, app.baggage());
    }
    if (c == null) {
      return;
    }
    if (c.xRequestId != null && missing(r, X_REQUEST_ID)) {
      ClientRequests.set(request, X_REQUEST_ID, c.xRequestId);
    }
    String requestId = c.requestId();
    if (requestId != null && missing(r, REQUEST_ID)) {
      ClientRequests.set(request, REQUEST_ID, requestId);
    }
    if (missing(r, SEND_TS)) {
      String sendTs = c.sendTs();
      if (sendTs != null) {
        ClientRequests.set(request, SEND_TS, sendTs);
      }
    }
  }

  private static final String[] PROPAGATED = {TRACEPARENT, TRACESTATE, BAGGAGE, X_REQUEST_ID, REQUEST_ID, SEND_TS};

  /** A redirect's or an authentication retry's request: it carries on what the one it follows got. */
  public static void onHttpRequestFollowed(Object request, Object previous) throws Throwable {
    if (!(request instanceof HttpRequest) || previous == null || !ClientRequests.AVAILABLE) {
      return;
    }
    Map<String, List<String>> added = ClientRequests.systemHeaders(previous);
    for (String name : PROPAGATED) {
      List<String> values = added.get(name);
      if (values != null && !values.isEmpty() && missing((HttpRequest) request, name)) {
        ClientRequests.set(request, name, values.get(0));
      }
    }
  }

  /**
   * The system headers of the HttpClient's request objects ({@code jdk.internal.net.http.HttpRequestImpl},
   * whose package the jdk-httpclient instrumentation opens to the agent). Where they cannot be reached
   * (another JDK's internals), nothing is added, and a WARN says so once.
   */
  private static final class ClientRequests {
    static final boolean AVAILABLE;
    /** {@code (Object request, String name, String value) void}: sets a system header. */
    private static final MethodHandle SET;
    /** {@code (Object request) Map}: the system headers (case-insensitive names). */
    private static final MethodHandle SYSTEM_HEADERS;

    static {
      MethodHandle set = null;
      MethodHandle headers = null;
      try {
        Class<?> impl = Class.forName("jdk.internal.net.http.HttpRequestImpl", false,
            HttpRequest.class.getClassLoader());
        Class<?> builder = Class.forName("jdk.internal.net.http.common.HttpHeadersBuilder", false,
            HttpRequest.class.getClassLoader());
        MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(impl, MethodHandles.lookup());
        set = lookup.findVirtual(impl, "setSystemHeader", MethodType.methodType(void.class, String.class, String.class))
            .asType(MethodType.methodType(void.class, Object.class, String.class, String.class));
        headers = MethodHandles.filterReturnValue(
            lookup.findVirtual(impl, "getSystemHeadersBuilder", MethodType.methodType(builder)),
            MethodHandles.lookup().findVirtual(builder, "map", MethodType.methodType(Map.class)))
            .asType(MethodType.methodType(Map.class, Object.class));
      } catch (ReflectiveOperationException | RuntimeException e) {
        set = null;
        headers = null;
        dynamo.obs.agent.console.AgentLog.forTarget("dynamo_obs.instrumentation").warn(
            "jdk-httpclient: this JDK's HttpClient internals differ; no propagation headers on its requests: " + e);
      }
      SET = set;
      SYSTEM_HEADERS = headers;
      AVAILABLE = set != null;
    }

    static void set(Object request, String name, String value) throws Throwable {
      SET.invokeExact(request, name, value);
    }

    @SuppressWarnings("unchecked")
    static Map<String, List<String>> systemHeaders(Object request) throws Throwable {
      return (Map<String, List<String>>) (Map<?, ?>) SYSTEM_HEADERS.invokeExact(request);
    }
  }

  /** The header map is case-insensitive; {@code firstValue} would build a stream per call. */
  private static boolean missing(HttpRequest r, String name) {
    List<String> values = r.headers().map().get(name);
    return values == null || values.isEmpty();
  }

  public static void onUrlConnection(Object connection) {
    RequestContext c = CURRENT.get();
    ApplicationContext app = ApplicationContext.current();
    if ((c == null && app == null) || !(connection instanceof HttpURLConnection)) {
      return;
    }
    HttpURLConnection conn = (HttpURLConnection) connection;
    try {
      SpanParent parent = conn.getRequestProperty(TRACEPARENT) == null ? nextHopParent(c, app) : null;
      if (parent != null) {
        add(conn, TRACEPARENT, TraceParent.format(parent));
        add(conn, TRACESTATE, parent.traceState());
      }
      if (app != null) {
        add(conn, BAGGAGE, app.baggage());
      }
      if (c == null) {
        return;
      }
      add(conn, X_REQUEST_ID, c.xRequestId);
      add(conn, REQUEST_ID, c.requestId());
      add(conn, SEND_TS, c.sendTs());
    } catch (IllegalStateException alreadyConnected) {
      // getInputStream after connect: the headers went out with the first call
    }
  }

  /** The span the application made current through its OpenTelemetry API, else the request's next-hop parent. */
  private static SpanParent nextHopParent(RequestContext c, ApplicationContext app) {
    SpanParent own = app == null ? null : app.span();
    return own != null ? own : c == null ? null : c.nextHopParent();
  }

  private static void add(HttpURLConnection conn, String name, String value) {
    if (value != null && conn.getRequestProperty(name) == null) {
      conn.setRequestProperty(name, value);
    }
  }
}
