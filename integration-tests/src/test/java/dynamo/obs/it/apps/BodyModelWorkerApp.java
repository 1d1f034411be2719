package dynamo.obs.it.apps;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * A worker whose engine method takes only the prompt text (no argument says the model): the
 * agent finds the model in the request body the worker read. Prints {@code READY <port>}.
 */
public final class BodyModelWorkerApp {
  private BodyModelWorkerApp() {
  }

  /** The engine: named in DYN_OBS_WORKER_METHODS. */
  public static final class Engine {
    public String generate(String request) {
      return "generated for " + request.length() + " bytes";
    }
  }

  public static void main(String[] args) throws Exception {
    Engine engine = new Engine();
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.createContext("/generate", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      InferenceServerApp.respond(exchange, 200, "{\"text\":\"" + engine.generate(body) + "\"}");
    });
    s.start();
    System.out.println("READY " + s.getAddress().getPort());
    new CountDownLatch(1).await();
  }
}
