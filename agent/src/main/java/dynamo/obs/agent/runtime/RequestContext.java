package dynamo.obs.agent.runtime;

import dynamo.obs.agent.frontend.FrontendRequest;
import java.net.HttpURLConnection;
import java.net.http.HttpRequest;
import java.time.Instant;

/**
 * The request a thread is serving, as far as the next process needs to know it: the ids it
 * carries on and when the frontend sent it. Set when a request starts on a server thread and
 * cleared when the server is done with it.
 */
final class RequestContext {
  static final String X_REQUEST_ID = "x-request-id";
  static final String REQUEST_ID = "request-id";
  static final String SEND_TS = "x-frontend-send-ts-ns";

  private static final ThreadLocal<RequestContext> CURRENT = new ThreadLocal<>();

  private final String xRequestId;
  private final String requestId;
  private final FrontendRequest frontend;
  private final String sendTs;

  private RequestContext(String xRequestId, String requestId, FrontendRequest frontend, String sendTs) {
    this.xRequestId = xRequestId;
    this.requestId = requestId;
    this.frontend = frontend;
    this.sendTs = sendTs;
  }

  /** A frontend request: its ids; the send time is taken at each call. */
  static void enterFrontend(FrontendRequest r) {
    CURRENT.set(new RequestContext(r.xRequestId(), null, r, null));
  }

  /** Any other inbound request (a router or worker): what it received is passed on. */
  static void enterInbound(String xRequestId, String requestId, String sendTs) {
    if (xRequestId == null && requestId == null && sendTs == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(new RequestContext(xRequestId, requestId, null, sendTs));
    }
  }

  static void exit() {
    CURRENT.remove();
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

  /** The request with the current context's headers added (those it sets itself are kept). */
  static Object onHttpRequest(Object request) {
    RequestContext c = CURRENT.get();
    if (c == null || !(request instanceof HttpRequest)) {
      return request;
    }
    HttpRequest r = (HttpRequest) request;
    HttpRequest.Builder b = HttpRequest.newBuilder(r, (name, value) -> true);
    boolean changed = add(r, b, X_REQUEST_ID, c.xRequestId);
    changed |= add(r, b, REQUEST_ID, c.requestId());
    changed |= add(r, b, SEND_TS, c.sendTs());
    return changed ? b.build() : request;
  }

  private static boolean add(HttpRequest r, HttpRequest.Builder b, String name, String value) {
    if (value == null || r.headers().firstValue(name).isPresent()) {
      return false;
    }
    b.setHeader(name, value);
    return true;
  }

  static void onUrlConnection(Object connection) {
    RequestContext c = CURRENT.get();
    if (c == null || !(connection instanceof HttpURLConnection)) {
      return;
    }
    HttpURLConnection conn = (HttpURLConnection) connection;
    try {
      add(conn, X_REQUEST_ID, c.xRequestId);
      add(conn, REQUEST_ID, c.requestId());
      add(conn, SEND_TS, c.sendTs());
    } catch (IllegalStateException alreadyConnected) {
      // getInputStream after connect: the headers went out with the first call
    }
  }

  private static void add(HttpURLConnection conn, String name, String value) {
    if (value != null && conn.getRequestProperty(name) == null) {
      conn.setRequestProperty(name, value);
    }
  }
}
