package dynamo.obs.it.apps;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/**
 * A frontend route whose handler logs through java.util.logging while it serves the request (no
 * observability code): the agent must export that log record joined to the request's span.
 * Prints {@code READY <port>}.
 */
public final class TracedLoggingApp {
  private static final Logger LOG = Logger.getLogger("com.acme.chat");

  private TracedLoggingApp() {
  }

  public static void main(String[] args) throws Exception {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.createContext("/v1/chat/completions", exchange -> {
      LOG.info("handling chat");
      InferenceServerApp.respond(exchange, 200, "{\"object\":\"chat.completion\",\"choices\":[]}");
    });
    s.start();
    System.out.println("READY " + s.getAddress().getPort());
    new CountDownLatch(1).await();
  }
}
