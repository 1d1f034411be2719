package dynamo.obs.it.apps;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * An OpenAI-shaped service on the JDK's {@code HttpServer} with one context, the root {@code /}, whose handler
 * routes by path itself (as small services do): {@code POST /v1/chat/completions} and {@code /v1/completions}
 * answer a unary JSON, anything else 404. Prints {@code READY <port>}. {@link #generate} is a method a worker could
 * name in {@code DYN_OBS_WORKER_METHODS}.
 */
public final class RootContextApp {
  private RootContextApp() {
  }

  public static void main(String[] args) throws Exception {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.createContext("/", RootContextApp::route);
    s.start();
    System.out.println("READY " + s.getAddress().getPort());
  }

  static void route(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    boolean chat = path.equals("/v1/chat/completions");
    if (!chat && !path.equals("/v1/completions")) {
      exchange.sendResponseHeaders(404, -1);
      exchange.close();
      return;
    }
    exchange.getRequestBody().readAllBytes();
    byte[] body = generate(chat).getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("content-type", "application/json");
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  public static String generate(boolean chat) {
    return OpenAiAnswers.unary(chat);
  }
}
