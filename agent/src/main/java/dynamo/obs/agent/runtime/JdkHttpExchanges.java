package dynamo.obs.agent.runtime;

import dynamo.obs.agent.frontend.Frontend;
import dynamo.obs.agent.frontend.FrontendRequest;
import dynamo.obs.agent.frontend.RecordingInputStream;
import dynamo.obs.agent.frontend.RecordingOutputStream;
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
  /** Null unless this process has worker methods: then every other request is a worker's inbound request. */
  private final WorkerRuntime workers;
  private final ConcurrentHashMap<Object, FrontendRequest> open = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Object, InboundRequest> inbound = new ConcurrentHashMap<>();
  /** The request whose handler runs on this thread: the server calls the handler on the thread that built the exchange. */
  private final ThreadLocal<FrontendRequest> running = new ThreadLocal<>();

  JdkHttpExchanges(Frontend frontend, WorkerRuntime workers) {
    this.frontend = frontend;
    this.workers = workers;
  }

  void started(Object exchange, String method, URI uri, Map<String, List<String>> headers) {
    long now = System.nanoTime();
    int endpoint = uri == null ? -1 : frontend.endpointOf(uri.getPath());
    if (endpoint < 0 || open.size() >= MAX_OPEN) {
      running.remove();
      String requestId = first(headers, "request-id");
      RequestContext.enterInbound(first(headers, "x-request-id"),
          requestId != null ? requestId : first(headers, "x-dynamo-request-id"), first(headers, "x-frontend-send-ts-ns"));
      if (endpoint < 0 && workers != null && inbound.size() < MAX_OPEN) {
        long length = -1;
        String cl = first(headers, "content-length");
        if (cl != null) {
          try {
            length = Long.parseLong(cl.trim());
          } catch (NumberFormatException ignored) {
            // chunked or malformed: size unknown
          }
        }
        inbound.put(exchange, workers.inboundStarted(length, first(headers, "x-frontend-send-ts-ns")));
      }
      return;
    }
    FrontendRequest request = frontend.startRequest(endpoint, now, r -> open.remove(exchange, r));
    request.requestHeaders(first(headers, "x-request-id"), first(headers, "request-id"),
        first(headers, "x-dynamo-request-id"));
    open.put(exchange, request);
    running.set(request);
    RequestContext.enterFrontend(request);
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
    if (!inbound.isEmpty() && inbound.remove(exchange) != null) {
      workers.inboundEnded();
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
