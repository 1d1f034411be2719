package dynamo.obs.it.apps;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * An OpenAI-shaped service on the JDK's HTTP server, with no observability code: a lambda handler
 * on {@code /v1/chat/completions}, a class handler on {@code /v1/completions} and {@code /ping} for
 * the tests' "the application still serves" checks.
 *
 * <p>Prints {@code READY <port>} once its server is started. Commands on stdin: {@code start}
 * (create and start the server; with {@code --defer} nothing is created before it), {@code stop}
 * ({@code HttpServer.stop}, then prints {@code STOPPED}), {@code exit}.
 */
public final class InferenceServerApp {
  private static HttpServer server;

  private InferenceServerApp() {
  }

  public static void main(String[] args) throws Exception {
    boolean defer = Arrays.asList(args).contains("--defer");
    if (defer) {
      System.out.println("WAITING for start");
    } else {
      start();
    }
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      switch (line.trim()) {
        case "start" :
          start();
          break;
        case "stop" :
          stop();
          break;
        case "exit" :
          System.exit(0);
          break;
        default :
          System.out.println("unknown command " + line);
      }
    }
    new CountDownLatch(1).await(); // stdin closed: run until killed
  }

  private static synchronized void start() throws IOException {
    if (server != null) {
      return;
    }
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.createContext("/v1/chat/completions",
        exchange -> respond(exchange, 200, "{\"object\":\"chat.completion\",\"choices\":[]}"));
    s.createContext("/v1/completions", new CompletionsHandler());
    s.createContext("/ping", exchange -> respond(exchange, 200, "pong"));
    s.start();
    server = s;
    System.out.println("READY " + s.getAddress().getPort());
  }

  private static synchronized void stop() {
    if (server != null) {
      server.stop(0);
      server = null;
    }
    System.out.println("STOPPED");
  }

  static void respond(HttpExchange exchange, int status, String body) throws IOException {
    exchange.getRequestBody().readAllBytes();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** A named handler class (the other common way to write one). */
  static final class CompletionsHandler implements HttpHandler {
    @Override
    public void handle(HttpExchange exchange) throws IOException {
      respond(exchange, 200, "{\"object\":\"text_completion\",\"choices\":[]}");
    }
  }
}
