package dynamo.obs.examples.http;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A JDK {@link HttpServer} whose exchanges run on a fixed pool of platform threads.
 *
 * <p>The JDK server runs handlers on its single dispatcher thread unless given an executor; every example
 * server streams for the whole length of a generation, so each exchange needs a thread of its own.
 */
public final class PooledHttpServer implements AutoCloseable {

  private static final int HANDLER_THREADS = 64;

  private final String name;
  private final HttpServer server;
  private final ExecutorService executor;

  /** Binds {@code host:port} (port 0 picks a free port) without accepting yet; add routes, then {@link #start()}. */
  public PooledHttpServer(String name, String host, int port) throws IOException {
    this.name = name;
    this.server = HttpServer.create(new InetSocketAddress(host, port), 0);
    AtomicInteger threadNumber = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(HANDLER_THREADS, task -> {
      Thread thread = new Thread(task, name + "-http-" + threadNumber.incrementAndGet());
      thread.setDaemon(true); // the server's own dispatcher thread keeps the process alive
      return thread;
    });
    server.setExecutor(executor);
  }

  public PooledHttpServer route(String path, HttpHandler handler) {
    server.createContext(path, handler);
    return this;
  }

  /** Adds {@code GET /healthz} answering 200 {@code ok}, the liveness probe of the worker and router. */
  public PooledHttpServer routeHealthz() {
    return route("/healthz", exchange -> {
      try (exchange) {
        if (Responses.accepts(exchange, "GET")) {
          Responses.sendText(exchange, 200, "ok");
        }
      }
    });
  }

  public PooledHttpServer start() {
    server.start();
    return this;
  }

  /** The bound port, useful when the server was asked for port 0. */
  public int port() {
    return server.getAddress().getPort();
  }

  public String name() {
    return name;
  }

  /** Stops at once: open streams are cut and generations in progress are interrupted. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
