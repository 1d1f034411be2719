package dynamo.obs.benchmarks.stacks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JDK-HttpServer stack of the CPU and start-up benchmarks: an OpenAI-compatible frontend on
 * {@code com.sun.net.httpserver} that answers {@code POST /v1/chat/completions} at once ({@link ChatAnswer}),
 * streaming each event as it is made. Handlers run on a pool of 8 threads named {@code http-worker-N}
 * beside the server's {@code HTTP-Dispatcher}.
 *
 * <p>Usage: {@code java -cp dynamo-obs-benchmarks.jar dynamo.obs.benchmarks.stacks.JdkHttpServerChatApp <port>}
 * (binds 127.0.0.1; runs until killed).
 */
public final class JdkHttpServerChatApp {
  private JdkHttpServerChatApp() {
  }

  public static void main(String[] args) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(),
        ChatAnswer.port(args)), 128);
    AtomicInteger n = new AtomicInteger();
    ExecutorService workers = Executors.newFixedThreadPool(8, r -> new Thread(r, "http-worker-" + n.incrementAndGet()));
    server.setExecutor(workers);
    server.createContext(ChatAnswer.PATH, JdkHttpServerChatApp::chat);
    server.start();
    System.out.println("jdk-httpserver chat app listening on " + server.getAddress().getPort());
  }

  private static void chat(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("POST")) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] request;
      try (InputStream in = exchange.getRequestBody()) {
        request = in.readAllBytes();
      }
      ChatAnswer answer = ChatAnswer.to(request);
      OutputStream out = exchange.getResponseBody();
      if (answer.streamed) {
        exchange.getResponseHeaders().set("Content-Type", ChatAnswer.SSE_TYPE);
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        for (byte[] event : answer.events) {
          out.write(event);
          out.flush();
        }
      } else {
        exchange.getResponseHeaders().set("Content-Type", ChatAnswer.JSON_TYPE);
        exchange.sendResponseHeaders(200, answer.body.length);
        out.write(answer.body);
      }
      out.close();
    }
  }
}
