package dynamo.obs.it.apps;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A frontend that calls the next hop (first argument) from another thread, chosen by the
 * {@code x-mode} request header: {@code submit} (a thread pool's submit), {@code execute} (a thread
 * pool's execute), {@code async} (CompletableFuture.supplyAsync on the common pool), {@code fork}
 * (ForkJoinPool.submit) or {@code virtual} (a virtual thread, JDK 21+; answers
 * {@code unsupported} before). It answers the next hop's answer. No observability code.
 */
public final class AsyncHopApp {
  private static final ExecutorService POOL = Executors.newFixedThreadPool(2);
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private AsyncHopApp() {
  }

  public static void main(String[] args) throws Exception {
    String next = args[0];
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.createContext("/v1/chat/completions", ex -> handle(ex, next));
    s.start();
    System.out.println("READY " + s.getAddress().getPort());
    new CountDownLatch(1).await();
  }

  private static void handle(HttpExchange ex, String next) throws IOException {
    ex.getRequestBody().readAllBytes();
    String mode = String.valueOf(ex.getRequestHeaders().getFirst("x-mode"));
    String answer;
    try {
      answer = call(mode, next);
    } catch (Exception e) {
      answer = "failed: " + e;
    }
    byte[] out = answer.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(200, out.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(out);
    }
  }

  private static String call(String mode, String next) throws Exception {
    switch (mode) {
      case "submit" :
        return POOL.submit(() -> get(next)).get(10, TimeUnit.SECONDS);
      case "execute" : {
        AtomicReference<String> r = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        POOL.execute(() -> {
          r.set(get(next));
          done.countDown();
        });
        done.await(10, TimeUnit.SECONDS);
        return r.get();
      }
      case "async" :
        return CompletableFuture.supplyAsync(() -> get(next)).get(10, TimeUnit.SECONDS);
      case "fork" :
        return ForkJoinPool.commonPool().submit(() -> get(next)).get(10, TimeUnit.SECONDS);
      case "virtual" : {
        Method start;
        try {
          start = Thread.class.getMethod("startVirtualThread", Runnable.class);
        } catch (NoSuchMethodException e) {
          return "unsupported";
        }
        AtomicReference<String> r = new AtomicReference<>();
        Thread t = (Thread) start.invoke(null, (Runnable) () -> r.set(get(next)));
        t.join(10_000);
        return r.get();
      }
      default :
        return get(next);
    }
  }

  private static String get(String next) {
    try {
      return CLIENT.send(HttpRequest.newBuilder(URI.create(next)).GET().build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
