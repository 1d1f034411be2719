package dynamo.obs.it.weaving;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * Outbound calls with {@code java.net.http.HttpClient}, no observability code: reads a count on stdin, makes that
 * many calls to a local server of its own (which answers "ok"), checks every answer, prints {@code CALLED <n>}.
 */
public final class HttpClientCalls {
  private HttpClientCalls() {
  }

  public static void main(String[] args) throws Exception {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.createContext("/ok", ex -> {
      ex.getRequestBody().readAllBytes();
      ex.sendResponseHeaders(200, 2);
      ex.getResponseBody().write("ok".getBytes(StandardCharsets.US_ASCII));
      ex.close();
    });
    s.start();
    HttpClient client = HttpClient.newHttpClient();
    URI uri = URI.create("http://127.0.0.1:" + s.getAddress().getPort() + "/ok");
    System.out.println("READY");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    int n = Integer.parseInt(in.readLine().trim());
    int ok = 0;
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200 && r.body().equals("ok")) {
        ok++;
      }
    }
    System.out.println("CALLED " + ok);
    Thread.sleep(Long.MAX_VALUE);
  }
}
