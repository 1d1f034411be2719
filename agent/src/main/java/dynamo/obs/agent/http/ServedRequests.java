package dynamo.obs.agent.http;

import dynamo.obs.agent.context.RequestContext;
import dynamo.obs.agent.coexist.OpenTelemetryAgent;
import dynamo.obs.agent.frontend.Frontend;
import dynamo.obs.agent.frontend.FrontendMetrics;
import dynamo.obs.agent.frontend.FrontendRequest;
import dynamo.obs.agent.health.Canary;
import dynamo.obs.agent.trace.SpanParent;
import dynamo.obs.agent.trace.TraceParent;
import dynamo.obs.agent.trace.SpanValues;
import dynamo.obs.agent.trace.TraceSpan;
import dynamo.obs.agent.trace.Tracing;
import dynamo.obs.agent.worker.InboundRequest;
import dynamo.obs.agent.worker.WorkerRuntime;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Requests arriving on an HTTP server of the application, whichever server it is (the JDK's
 * {@code HttpServer}, a servlet container): a request for an inference route gets a
 * {@link FrontendRequest} for as long as it is open; any other request passes on the ids it
 * carries and, in a worker, is the inbound request its engine calls report on. The server's own
 * object for the request is the key (identity: none of them overrides equals); how its headers
 * are read is the one thing each server supplies.
 */
public final class ServedRequests<H> {
  /** How one server's request headers are read: the first value of a header, or null. */
  public interface HeaderReader<H> {
    String first(H headers, String name);

    /**
     * The first value of each of {@code names} (lower case) into {@code values}, null where absent;
     * a null name is not read.
     */
    default void read(H headers, String[] names, String[] values) {
      for (int i = 0; i < names.length; i++) {
        values[i] = names[i] == null ? null : first(headers, names[i]);
      }
    }
  }

  /** The request headers a served request may read, all in one {@link HeaderReader#read}. */
  private static final String[] REQUEST_HEADERS = {"x-request-id", "traceparent", "tracestate", "request-id",
      "x-dynamo-request-id", "x-frontend-send-ts-ns", "content-length", Canary.HEADER};
  private static final int X_REQUEST_ID = 0;
  private static final int TRACEPARENT = 1;
  private static final int TRACESTATE = 2;
  private static final int REQUEST_ID = 3;
  private static final int DYNAMO_REQUEST_ID = 4;
  private static final int SEND_TS = 5;
  private static final int CONTENT_LENGTH = 6;
  private static final int CANARY = 7;

  /** Bound on tracked open requests, so a server that never ends them cannot grow memory. */
  private static final int MAX_OPEN = 100_000;

  private final Frontend frontend;
  /** Null unless this process has worker methods: then every other request is a worker's inbound request. */
  private final WorkerRuntime workers;
  private final HeaderReader<H> headers;
  /** Null when no spans are wanted. */
  private final Tracing tracing;
  /** Where the recorders' own errors go: counted against the server's target. */
  private final Consumer<Throwable> errors;
  private final ConcurrentHashMap<Object, FrontendRequest> open = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Object, InboundRequest> inbound = new ConcurrentHashMap<>();
  /** The request the server is serving on this thread (its key); cleared with set(null), as RequestContext's. */
  private final ThreadLocal<Object> serving = new ThreadLocal<>();
  /** {@link #REQUEST_HEADERS} without those this process never uses (null): no span, no worker inbound. */
  private final String[] wanted;

  public ServedRequests(Frontend frontend, WorkerRuntime workers, Tracing tracing, HeaderReader<H> headers,
      Consumer<Throwable> errors) {
    this.frontend = frontend;
    this.errors = errors;
    this.workers = workers;
    this.tracing = tracing;
    this.headers = headers;
    this.wanted = REQUEST_HEADERS.clone();
    if (tracing == null) {
      wanted[TRACEPARENT] = null;
      wanted[TRACESTATE] = null;
    }
    if (workers == null) {
      wanted[CONTENT_LENGTH] = null;
    }
    if (frontend.canary() == null) {
      wanted[CANARY] = null;
    }
  }

  /** The request line, for the span; read only when tracing is on. */
  public interface RequestLine {
    String method();

    String uri();

    String version();
  }

  public boolean tracing() {
    return tracing != null;
  }

  /**
   * A request arrived and is served on this thread from now on. Returns its recorder, or null when
   * its path is no inference route (its ids then become this thread's context).
   */
  public FrontendRequest started(Object exchange, String path, H requestHeaders, RequestLine line) {
    long now = System.nanoTime();
    serving.set(exchange);
    String[] h = new String[REQUEST_HEADERS.length];
    headers.read(requestHeaders, wanted, h);
    // the agent's own canary request is not traffic
    int endpoint = h[CANARY] == null ? frontend.endpointOf(path) : -1;
    String xRequestId = h[X_REQUEST_ID];
    SpanParent remote = tracing == null ? null : TraceParent.parse(h[TRACEPARENT], h[TRACESTATE]);
    if (endpoint < 0 || open.size() >= MAX_OPEN) {
      String requestId = h[REQUEST_ID] != null ? h[REQUEST_ID] : h[DYNAMO_REQUEST_ID];
      String sendTs = h[SEND_TS];
      InboundRequest in = null;
      if (endpoint < 0 && h[CANARY] == null && workers != null && inbound.size() < MAX_OPEN) {
        in = workers.inboundStarted(contentLength(h[CONTENT_LENGTH]), sendTs, remote, xRequestId, requestId, now);
        inbound.put(exchange, in);
      }
      RequestContext.enterInbound(xRequestId, requestId, sendTs, remote, in);
      return null;
    }
    Canary canary = frontend.canary();
    FrontendRequest request = frontend.startRequest(endpoint, now, canary == null
        ? r -> open.remove(exchange, r)
        : r -> {
          open.remove(exchange, r);
          canary.requestEnded(FrontendMetrics.ENDPOINTS.get(endpoint), r.modelLabel());
        }, errors);
    request.requestHeaders(xRequestId, h[REQUEST_ID], h[DYNAMO_REQUEST_ID]);
    if (tracing != null) {
      TraceSpan span = tracing.start("http-request", TraceSpan.Kind.SERVER, remote, xRequestId, request.requestId(),
          now);
      span.set(SpanValues.METHOD, line.method()).set(SpanValues.URI, line.uri())
          .set(SpanValues.VERSION, line.version()).set(SpanValues.X_REQUEST_ID, xRequestId)
          .set(SpanValues.REQUEST_ID, request.requestId());
      request.span(span);
      OpenTelemetryAgent.enter(span);
    }
    open.put(exchange, request);
    RequestContext.enterFrontend(request);
    return request;
  }

  private static long contentLength(String header) {
    if (header != null) {
      try {
        return Long.parseLong(header.trim());
      } catch (NumberFormatException ignored) {
        // malformed: size unknown
      }
    }
    return -1; // chunked: size unknown
  }

  /** The open inference request of this key, or null. */
  public FrontendRequest frontend(Object exchange) {
    return open.get(exchange);
  }

  /** The worker's inbound request of this key, or null. */
  public InboundRequest inbound(Object exchange) {
    return inbound.isEmpty() ? null : inbound.get(exchange);
  }

  /** The key of the request served on this thread, or null. */
  public Object serving() {
    return serving.get();
  }

  /**
   * A request already started is served on this thread again (a servlet's async dispatch), with the
   * request context it had ({@link RequestContext#current} when it started).
   */
  public void resumed(Object exchange, Object context) {
    serving.set(exchange);
    RequestContext.resume(context);
  }

  /** The server is done with the request on this thread (its handler returned or threw). */
  public void runEnded() {
    serving.set(null);
    OpenTelemetryAgent.exit();
    RequestContext.exit();
  }

  /** A worker's inbound request is over. */
  public void inboundEnded(Object exchange) {
    InboundRequest in = inbound.isEmpty() ? null : inbound.remove(exchange);
    if (in != null) {
      workers.inboundEnded(in);
    }
  }

  /**
   * Lets go of every open request without counting it (its target was turned off: no end would come): the gauges
   * it raised go down, nothing else is recorded.
   */
  public void abandonAll() {
    for (FrontendRequest r : open.values()) {
      r.abandon();
    }
    open.clear();
    inbound.clear();
  }

  /** Whether a response of this content type is a stream of server-sent events. */
  public static boolean isEventStream(String contentType) {
    return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
  }
}
