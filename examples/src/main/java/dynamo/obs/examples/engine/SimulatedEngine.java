package dynamo.obs.examples.engine;

import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Stands in for an inference engine: produces deterministic filler tokens with a realistic timing shape — a
 * wait before the first token (time to first token), then a wait before every later one (inter-token latency).
 *
 * <p>It waits by sleeping on the caller's thread and holds no lock, so concurrent generations overlap freely;
 * interrupting the caller cancels the generation.
 */
public final class SimulatedEngine {

  private static final String[] VOCABULARY = {
      "the", "model", "streams", "tokens", "through", "a", "simulated", "engine", "while", "latency",
      "stays", "predictable", "and", "every", "request", "is", "served", "by", "one", "worker",
  };

  private final Duration timeToFirstToken;
  private final Duration interTokenLatency;
  private final int outputTokens;
  private final Duration jitter;
  private final int failEvery;

  /**
   * @param outputTokens tokens a generation produces unless the request's max_tokens is smaller
   * @param jitter upper bound of a uniformly random delay added to every wait ({@link Duration#ZERO} for none)
   */
  public SimulatedEngine(Duration timeToFirstToken, Duration interTokenLatency, int outputTokens, Duration jitter) {
    this(timeToFirstToken, interTokenLatency, outputTokens, jitter, 0);
  }

  /**
   * @param failEvery one generation in this many fails before its first token: those whose prompt's hash is a
   *     multiple of it, so that the same prompt always fails (0: none fails)
   */
  public SimulatedEngine(Duration timeToFirstToken, Duration interTokenLatency, int outputTokens, Duration jitter,
      int failEvery) {
    if (outputTokens < 1) {
      throw new IllegalArgumentException("outputTokens must be at least 1");
    }
    this.timeToFirstToken = timeToFirstToken;
    this.interTokenLatency = interTokenLatency;
    this.outputTokens = outputTokens;
    this.jitter = jitter;
    this.failEvery = failEvery;
  }

  /**
   * Generates on the calling thread, handing each token to {@code sink} as soon as it is produced; a generation
   * chosen to fail ({@link #fails}) reports an {@link IllegalStateException} instead.
   */
  public void generate(GenerateRequest request, TokenSink sink) {
    if (fails(request.getPrompt(), failEvery)) {
      sink.onError(new IllegalStateException("the simulated engine failed (one prompt in " + failEvery + ")"));
      return;
    }
    Iterator<String> tokens = generateIterator(request);
    int produced = 0;
    try {
      while (tokens.hasNext()) {
        sink.onToken(tokens.next());
        produced++;
      }
    } catch (CancellationException e) {
      sink.onError(e);
      return;
    }
    sink.onComplete(finishReason(request), promptTokens(request.getPrompt()), produced);
  }

  /** Whether a generation of this prompt fails with {@code --fail-every=failEvery}. */
  public static boolean fails(String prompt, int failEvery) {
    return failEvery > 0 && Math.floorMod(prompt.hashCode(), failEvery) == 0;
  }

  /**
   * The same generation as a lazy iterator: each {@code next()} waits for its token on the caller's thread
   * and throws {@link CancellationException} if that thread is interrupted.
   */
  public Iterator<String> generateIterator(GenerateRequest request) {
    return new TokenIterator(request.getPrompt().hashCode(), completionTokens(request));
  }

  /** A deterministic stand-in for a tokenizer: about 1.3 tokens per whitespace-separated word. */
  public static int promptTokens(String prompt) {
    String trimmed = prompt.strip();
    if (trimmed.isEmpty()) {
      return 0;
    }
    return (int) Math.round(trimmed.split("\\s+").length * 1.3);
  }

  private int completionTokens(GenerateRequest request) {
    Integer max = request.getMaxTokens();
    return max == null ? outputTokens : Math.min(max, outputTokens);
  }

  private String finishReason(GenerateRequest request) {
    return completionTokens(request) < outputTokens ? "length" : "stop";
  }

  private void pause(Duration base) {
    long millis = base.toMillis();
    if (!jitter.isZero()) {
      millis += ThreadLocalRandom.current().nextLong(jitter.toMillis() + 1);
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      CancellationException cancelled = new CancellationException("generation interrupted");
      cancelled.initCause(e);
      throw cancelled;
    }
  }

  /** Yields {@code count} words; the prompt's hash picks where in the vocabulary they start. */
  private final class TokenIterator implements Iterator<String> {
    private final int seed;
    private final int count;
    private int index;

    TokenIterator(int seed, int count) {
      this.seed = seed;
      this.count = count;
    }

    @Override
    public boolean hasNext() {
      return index < count;
    }

    @Override
    public String next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      pause(index == 0 ? timeToFirstToken : interTokenLatency);
      String word = VOCABULARY[Math.floorMod(seed + index, VOCABULARY.length)];
      return index++ == 0 ? word : " " + word;
    }
  }
}
