package dynamo.obs.agent.runtime;

import dynamo.obs.agent.frontend.Frontend;
import dynamo.obs.agent.frontend.FrontendRequest;
import dynamo.obs.agent.worker.InboundRequest;
import dynamo.obs.agent.worker.WorkerRuntime;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests arriving on an HTTP server of the application, whichever server it is (the JDK's
 * {@code HttpServer}, a servlet container): a request for an inference route gets a
 * {@link FrontendRequest} for as long as it is open; any other request passes on the ids it
 * carries and, in a worker, is the inbound request its engine calls report on. The server's own
 * object for the request is the key (identity: none of them overrides equals); how its headers
 * are read is the one thing each server supplies.
 */
final class ServedRequests<H> {
  /** How one server's request headers are read: the first value of a header, or null. */
  interface HeaderReader<H> {
    String first(H headers, String name);
  }

  /** Bound on tracked open requests, so a server that never ends them cannot grow memory. */
  private static final int MAX_OPEN = 100_000;

  private final Frontend frontend;
  /** Null unless this process has worker methods: then every other request is a worker's inbound request. */
  private final WorkerRuntime workers;
  private final HeaderReader<H> headers;
  private final ConcurrentHashMap<Object, FrontendRequest> open = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Object, InboundRequest> inbound = new ConcurrentHashMap<>();
  /** The request the server is serving on this thread (its key). */
  private final ThreadLocal<Object> serving = new ThreadLocal<>();

  ServedRequests(Frontend frontend, WorkerRuntime workers, HeaderReader<H> headers) {
    this.frontend = frontend;
    this.workers = workers;
    this.headers = headers;
  }

  /**
   * A request arrived and is served on this thread from now on. Returns its recorder, or null when
   * its path is no inference route (its ids then become this thread's context).
   */
  FrontendRequest started(Object exchange, String path, H requestHeaders) {
    long now = System.nanoTime();
    serving.set(exchange);
    int endpoint = frontend.endpointOf(path);
    if (endpoint < 0 || open.size() >= MAX_OPEN) {
      String requestId = headers.first(requestHeaders, "request-id");
      String sendTs = headers.first(requestHeaders, "x-frontend-send-ts-ns");
      RequestContext.enterInbound(headers.first(requestHeaders, "x-request-id"),
          requestId != null ? requestId : headers.first(requestHeaders, "x-dynamo-request-id"), sendTs);
      if (endpoint < 0 && workers != null && inbound.size() < MAX_OPEN) {
        inbound.put(exchange, workers.inboundStarted(contentLength(headers.first(requestHeaders, "content-length")),
            sendTs));
      }
      return null;
    }
    FrontendRequest request = frontend.startRequest(endpoint, now, r -> open.remove(exchange, r));
    request.requestHeaders(headers.first(requestHeaders, "x-request-id"), headers.first(requestHeaders, "request-id"),
        headers.first(requestHeaders, "x-dynamo-request-id"));
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
  FrontendRequest frontend(Object exchange) {
    return open.get(exchange);
  }

  /** The worker's inbound request of this key, or null. */
  InboundRequest inbound(Object exchange) {
    return inbound.isEmpty() ? null : inbound.get(exchange);
  }

  /** The key of the request served on this thread, or null. */
  Object serving() {
    return serving.get();
  }

  /** An inference request already started is served on this thread again (a servlet's async dispatch). */
  void resumed(Object exchange, FrontendRequest request) {
    serving.set(exchange);
    RequestContext.enterFrontend(request);
  }

  /** The server is done with the request on this thread (its handler returned or threw). */
  void runEnded() {
    serving.remove();
    RequestContext.exit();
  }

  /** A worker's inbound request is over. */
  void inboundEnded(Object exchange) {
    if (!inbound.isEmpty() && inbound.remove(exchange) != null) {
      workers.inboundEnded();
    }
  }

  /** Whether a response of this content type is a stream of server-sent events. */
  static boolean isEventStream(String contentType) {
    return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
  }
}
