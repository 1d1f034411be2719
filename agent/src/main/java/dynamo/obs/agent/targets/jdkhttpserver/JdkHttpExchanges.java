package dynamo.obs.agent.targets.jdkhttpserver;

import dynamo.obs.agent.frontend.Frontend;
import dynamo.obs.agent.frontend.FrontendRequest;
import dynamo.obs.agent.frontend.RecordingInputStream;
import dynamo.obs.agent.frontend.RecordingOutputStream;
import dynamo.obs.agent.trace.Tracing;
import dynamo.obs.agent.worker.InboundRequest;
import dynamo.obs.agent.worker.WorkerRuntime;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import dynamo.obs.agent.http.ServedRequests;

/**
 * Requests on JDK HTTP servers: each exchange is a {@link ServedRequests} key; the streams the
 * exchange hands out are wrapped to record an inference request's bytes.
 */
final class JdkHttpExchanges {
  private final ServedRequests<Map<String, List<String>>> requests;

  JdkHttpExchanges(Frontend frontend, WorkerRuntime workers, Tracing tracing, Consumer<Throwable> errors) {
    this.requests = new ServedRequests<>(frontend, workers, tracing, new JdkHeaders(), errors);
  }

  /** The target was turned off: its open requests are let go of. */
  void abandonAll() {
    requests.abandonAll();
  }

  /** The request's path as the server matches it (decoded); decoding, which copies, only when there is an escape. */
  static String path(URI uri) {
    if (uri == null) {
      return null;
    }
    String raw = uri.getRawPath();
    return raw != null && raw.indexOf('%') < 0 ? raw : uri.getPath();
  }

  void started(Object exchange, String method, URI uri, Map<String, List<String>> headers) {
    requests.started(exchange, path(uri), headers, requests.tracing()
        // the JDK's server speaks HTTP/1.1 (1.0 clients are answered as 1.1); its exchange hides the request line
        ? new ServedRequests.RequestLine() {
          @Override
          public String method() {
            return method;
          }

          @Override
          public String uri() {
            return String.valueOf(uri);
          }

          @Override
          public String version() {
            return "HTTP/1.1";
          }
        }
        : null);
  }

  InputStream requestBody(Object exchange, InputStream body) {
    InboundRequest in = requests.inbound(exchange);
    if (in != null && body != null) {
      return in.scanOnce(body);
    }
    FrontendRequest r = requests.frontend(exchange);
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
    FrontendRequest r = requests.frontend(exchange);
    if (r == null || headers == null) {
      return;
    }
    String xRequestId = r.xRequestId();
    if (xRequestId != null && !headers.containsKey("x-request-id")) {
      headers.put("X-request-id", List.of(xRequestId));
    }
    r.responseStarted(status, ServedRequests.isEventStream(JdkHeaders.firstOf(headers, "content-type")));
  }

  OutputStream responseBody(Object exchange, OutputStream body) {
    InboundRequest in = requests.inbound(exchange);
    if (in != null && body != null) {
      return in.countOnce(body);
    }
    FrontendRequest r = requests.frontend(exchange);
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
    requests.inboundEnded(exchange);
    FrontendRequest r = requests.frontend(exchange);
    if (r != null) {
      r.completed();
    }
  }

  /** The server is done with the request on this thread (its handler returned or threw). */
  void runEnded() {
    requests.runEnded();
  }

  void handlerFailed() {
    Object exchange = requests.serving();
    FrontendRequest r = exchange == null ? null : requests.frontend(exchange);
    if (r != null) {
      r.failed();
    }
  }

  /**
   * The JDK server's headers. {@code Headers.get} copies the name into a normalised new String and
   * hashes it at every call, so the entries are walked once instead, their keys (already normalised)
   * compared case-insensitively with all the names wanted. The request's map is an unmodifiable view
   * whose entry set wraps every entry, which still costs less than one lookup per header found once
   * a request carries the propagation headers (JDK 17: 271 instead of 427 ns for the ten headers of
   * a routed request, seven names wanted, five found).
   */
  static final class JdkHeaders implements ServedRequests.HeaderReader<Map<String, List<String>>> {
    @Override
    public String first(Map<String, List<String>> headers, String name) {
      return firstOf(headers, name);
    }

    @Override
    public void read(Map<String, List<String>> headers, String[] names, String[] values) {
      Arrays.fill(values, null);
      if (headers == null) {
        return;
      }
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        String key = e.getKey();
        for (int i = 0; i < names.length; i++) {
          String name = names[i];
          if (name != null && values[i] == null && key != null && key.length() == name.length()
              && key.equalsIgnoreCase(name)) {
            values[i] = value(e.getValue());
            break;
          }
        }
      }
    }

    static String firstOf(Map<String, List<String>> headers, String name) {
      if (headers == null) {
        return null;
      }
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        String key = e.getKey();
        if (key != null && key.length() == name.length() && key.equalsIgnoreCase(name)) {
          return value(e.getValue());
        }
      }
      return null;
    }

    private static String value(List<String> values) {
      return values == null || values.isEmpty() ? null : values.get(0);
    }
  }
}
