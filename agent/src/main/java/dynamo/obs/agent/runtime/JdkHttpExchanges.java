package dynamo.obs.agent.runtime;

import dynamo.obs.agent.frontend.Frontend;
import dynamo.obs.agent.frontend.FrontendRequest;
import dynamo.obs.agent.frontend.RecordingInputStream;
import dynamo.obs.agent.frontend.RecordingOutputStream;
import com.sun.net.httpserver.HttpExchange;
import dynamo.obs.agent.trace.SpanParent;
import dynamo.obs.agent.trace.TraceParent;
import dynamo.obs.agent.trace.TraceSpan;
import dynamo.obs.agent.trace.Tracing;
import dynamo.obs.agent.worker.InboundRequest;
import dynamo.obs.agent.worker.WorkerRuntime;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests on JDK HTTP servers: each exchange on an inference route gets a {@link FrontendRequest}
 * for as long as it is open. The exchange object is the key (it does not override equals, so this
 * is identity); the entry leaves when the request ends, however it ends.
 */
final class JdkHttpExchanges {
  /** Bound on tracked open exchanges, so a server that never closes them cannot grow memory. */
  private static final int MAX_OPEN = 100_000;

  private final Frontend frontend;
  /** Null when neither export nor JSONL logs want spans. */
  private final Tracing tracing;
  /** Null unless this process has worker methods: then every other request is a worker's inbound request. */
  private final WorkerRuntime workers;
  private final ConcurrentHashMap<Object, FrontendRequest> open = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Object, InboundRequest> inbound = new ConcurrentHashMap<>();
  /** The request whose handler runs on this thread: the server calls the handler on the thread that built the exchange. */
  private final ThreadLocal<FrontendRequest> running = new ThreadLocal<>();

  JdkHttpExchanges(Frontend frontend, WorkerRuntime workers, Tracing tracing) {
    this.frontend = frontend;
    this.tracing = tracing;
    this.workers = workers;
  }

  void started(Object exchange, String method, URI uri, Map<String, List<String>> headers) {
    long now = System.nanoTime();
    int endpoint = uri == null ? -1 : frontend.endpointOf(uri.getPath());
    String xRequestId = first(headers, "x-request-id");
    String requestId = first(headers, "request-id");
    String dynamoRequestId = first(headers, "x-dynamo-request-id");
    SpanParent remote = tracing == null ? null
        : TraceParent.parse(first(headers, "traceparent"), first(headers, "tracestate"));
    if (endpoint < 0 || open.size() >= MAX_OPEN) {
      running.remove();
      String id = requestId != null ? requestId : dynamoRequestId;
      String sendTs = first(headers, "x-frontend-send-ts-ns");
      InboundRequest in = null;
      if (endpoint < 0 && workers != null && inbound.size() < MAX_OPEN) {
        in = workers.inboundStarted(contentLength(headers), sendTs, remote, xRequestId, id, now);
        inbound.put(exchange, in);
      }
      RequestContext.enterInbound(xRequestId, id, sendTs, remote, in);
      return;
    }
    FrontendRequest request = frontend.startRequest(endpoint, now, r -> open.remove(exchange, r));
    request.requestHeaders(xRequestId, requestId, dynamoRequestId);
    if (tracing != null) {
      TraceSpan span = tracing.start("http-request", TraceSpan.Kind.SERVER, remote, xRequestId,
          request.requestId(), now);
      span.set("method", method).set("uri", uri == null ? "" : uri.toString())
          .set("version", exchange instanceof HttpExchange ? ((HttpExchange) exchange).getProtocol() : "HTTP/1.1")
          .set("x_request_id", xRequestId).set("request_id", request.requestId());
      request.span(span);
    }
    open.put(exchange, request);
    running.set(request);
    RequestContext.enterFrontend(request);
  }

  private static long contentLength(Map<String, List<String>> headers) {
    String cl = first(headers, "content-length");
    if (cl != null) {
      try {
        return Long.parseLong(cl.trim());
      } catch (NumberFormatException ignored) {
        // malformed: size unknown
      }
    }
    return -1; // chunked
  }

  InputStream requestBody(Object exchange, InputStream body) {
    FrontendRequest r = open.get(exchange);
    if (r == null || body == null) {
      return body;
    }
    InputStream wrapped = r.requestStream();
    if (wrapped == null) {
      wrapped = new RecordingInputStream(body, r);
      r.requestStream(wrapped);
    }
    return wrapped;
  }

  void responseHeaders(Object exchange, int status, Map<String, List<String>> headers) {
    FrontendRequest r = open.get(exchange);
    if (r == null || headers == null) {
      return;
    }
    String xRequestId = r.xRequestId();
    if (xRequestId != null && !headers.containsKey("x-request-id")) {
      headers.put("X-request-id", List.of(xRequestId));
    }
    String type = first(headers, "content-type");
    r.responseStarted(status, type != null && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream"));
  }

  OutputStream responseBody(Object exchange, OutputStream body) {
    InboundRequest in = inbound.get(exchange);
    if (in != null && body != null) {
      return in.countOnce(body);
    }
    FrontendRequest r = open.get(exchange);
    if (r == null || body == null) {
      return body;
    }
    OutputStream wrapped = r.responseStream();
    if (wrapped == null) {
      wrapped = new RecordingOutputStream(body, r);
      r.responseStream(wrapped);
    }
    return wrapped;
  }

  void closed(Object exchange) {
    InboundRequest in = inbound.isEmpty() ? null : inbound.remove(exchange);
    if (in != null) {
      workers.inboundEnded(in);
    }
    FrontendRequest r = open.get(exchange);
    if (r != null) {
      r.completed();
    }
  }

  /** The server is done with the request on this thread (its handler returned or threw). */
  void runEnded() {
    running.remove();
    RequestContext.exit();
  }

  void handlerFailed() {
    FrontendRequest r = running.get();
    if (r != null) {
      running.remove();
      r.failed();
    }
  }

  int openCount() {
    return open.size();
  }

  private static String first(Map<String, List<String>> headers, String name) {
    if (headers == null) {
      return null;
    }
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
