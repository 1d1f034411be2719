package dynamo.obs.it.apps;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * One hop of a three-process chain, with no observability code. It serves {@code path} (the
 * first argument); with a next hop (second argument, a URL) it calls it — with
 * {@code java.net.http.HttpClient} (following redirects when the third argument is
 * {@code redirects}), or {@code HttpURLConnection} when the third argument is
 * {@code urlconnection} — and answers what it received followed by the next hop's answer. The
 * last hop answers the propagation headers it received. Every hop also serves {@code /moved},
 * a redirect (307) to {@code path}. Prints {@code READY <port>}.
 */
public final class HopApp {
  private HopApp() {
  }

  public static void main(String[] args) throws Exception {
    String path = args[0];
    String next = args.length > 1 ? args[1] : null;
    boolean urlConnection = args.length > 2 && args[2].equals("urlconnection");
    boolean redirects = args.length > 2 && args[2].equals("redirects");
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.createContext(path, ex -> handle(ex, next, urlConnection, redirects));
    s.createContext("/moved", ex -> {
      ex.getRequestBody().readAllBytes();
      ex.getResponseHeaders().set("Location", path);
      ex.sendResponseHeaders(307, -1);
      ex.close();
    });
    s.start();
    System.out.println("READY " + s.getAddress().getPort());
    new CountDownLatch(1).await();
  }

  private static void handle(HttpExchange ex, String next, boolean urlConnection, boolean redirects)
      throws IOException {
    byte[] body = ex.getRequestBody().readAllBytes();
    String seen = "{\"x-request-id\":" + q(ex.getRequestHeaders().getFirst("x-request-id"))
        + ",\"request-id\":" + q(ex.getRequestHeaders().getFirst("request-id"))
        + ",\"x-frontend-send-ts-ns\":" + q(ex.getRequestHeaders().getFirst("x-frontend-send-ts-ns")) + "}";
    String answer = seen;
    if (next != null) {
      answer = seen + "\n" + (urlConnection ? viaUrlConnection(next, body) : viaHttpClient(next, body, redirects));
    }
    byte[] out = answer.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(200, out.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(out);
    }
  }

  private static String viaHttpClient(String next, byte[] body, boolean redirects) throws IOException {
    HttpClient client = redirects
        ? HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build()
        : HttpClient.newHttpClient();
    try {
      return client.send(HttpRequest.newBuilder(URI.create(next))
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private static String viaUrlConnection(String next, byte[] body) throws IOException {
    HttpURLConnection c = (HttpURLConnection) new URL(next).openConnection();
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    try (OutputStream os = c.getOutputStream()) {
      os.write(body);
    }
    try (InputStream in = c.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String q(String s) {
    return s == null ? "null" : "\"" + s + "\"";
  }
}
