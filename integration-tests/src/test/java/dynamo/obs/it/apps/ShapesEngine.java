package dynamo.obs.it.apps;

import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** An engine whose methods return every result shape a worker method may have. No observability code. */
public final class ShapesEngine {
  /** The request type: the agent reads its model through {@link #getModel()}. */
  public static final class Req {
    private final String model;
    private final int tokens;

    public Req(String model, int tokens) {
      this.model = model;
      this.tokens = tokens;
    }

    public String getModel() {
      return model;
    }

    int tokens() {
      return tokens;
    }
  }

  /** A handler interface of the application's own. */
  public interface TokenHandler {
    void onToken(String token);

    void onComplete(int completionTokens);

    void onError(Throwable error);
  }

  private static List<String> tokens(Req r) {
    return java.util.stream.IntStream.range(0, r.tokens()).mapToObj(i -> "t" + i).toList();
  }

  public Iterator<String> iterate(Req r) {
    return tokens(r).iterator();
  }

  public Stream<String> stream(Req r) {
    return tokens(r).stream();
  }

  public CompletableFuture<String> future(Req r) {
    return CompletableFuture.supplyAsync(() -> String.join("", tokens(r)));
  }

  public CompletableFuture<String> never(Req r) {
    return new CompletableFuture<>();
  }

  public Flow.Publisher<String> publish(Req r) {
    SubmissionPublisher<String> p = new SubmissionPublisher<>();
    new Thread(() -> {
      try {
        while (p.getNumberOfSubscribers() == 0) {
          Thread.sleep(1);
        }
        for (String t : tokens(r)) {
          p.submit(t);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      p.close();
    }).start();
    return p;
  }

  /** A Reactive Streams publisher written by hand (no library beyond the interfaces). */
  public org.reactivestreams.Publisher<String> reactive(Req r) {
    return subscriber -> subscriber.onSubscribe(new org.reactivestreams.Subscription() {
      private int next;
      private boolean cancelled;

      @Override
      public void request(long n) {
        for (long k = 0; k < n && next < r.tokens() && !cancelled; k++) {
          subscriber.onNext("t" + next++);
        }
        if (next == r.tokens() && !cancelled) {
          next++;
          subscriber.onComplete();
        }
      }

      @Override
      public void cancel() {
        cancelled = true;
      }
    });
  }

  public void consume(Req r, Consumer<String> sink) {
    tokens(r).forEach(sink);
  }

  public void handle(Req r, TokenHandler handler) {
    new Thread(() -> { // tokens on another thread, after the method returned
      for (String t : tokens(r)) {
        handler.onToken(t);
      }
      handler.onComplete(r.tokens());
    }).start();
  }

  public void handleFailing(Req r, TokenHandler handler) {
    handler.onToken("t0");
    handler.onError(new IllegalStateException("engine failed"));
  }

  public String fail(Req r) {
    throw new IllegalStateException("engine failed on purpose");
  }

  public String plain(Req r) {
    return "done";
  }
}
