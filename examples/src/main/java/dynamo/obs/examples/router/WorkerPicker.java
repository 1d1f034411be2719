package dynamo.obs.examples.router;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/** Picks the worker for each request, by turns or by prompt prefix. */
public final class WorkerPicker {

  /** How a worker is picked. */
  public enum Mode {
    /** Each worker in turn. */
    ROUND_ROBIN,
    /**
     * The same prompt prefix always lands on the same worker, as KV-cache-aware routing would send a shared
     * system prompt to the worker that already holds it.
     */
    PREFIX;

    /** Parses the {@code --mode} flag value: {@code round-robin} or {@code prefix}. */
    public static Mode fromFlag(String value) {
      return valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
  }

  private final List<WorkerChoice> workers;
  private final Mode mode;
  private final int prefixChars;
  private final AtomicLong turn = new AtomicLong();

  /**
   * @param workerUrls base URLs; the worker at position i (0-based) gets the id {@code worker-(i+1)}
   * @param prefixChars how many leading prompt characters decide the worker in {@link Mode#PREFIX}
   */
  public WorkerPicker(List<String> workerUrls, Mode mode, int prefixChars) {
    if (workerUrls.isEmpty()) {
      throw new IllegalArgumentException("at least one worker is needed");
    }
    List<WorkerChoice> choices = new ArrayList<>();
    for (int i = 0; i < workerUrls.size(); i++) {
      choices.add(new WorkerChoice("worker-" + (i + 1), stripTrailingSlash(workerUrls.get(i))));
    }
    this.workers = List.copyOf(choices);
    this.mode = mode;
    this.prefixChars = prefixChars;
  }

  public WorkerChoice pickWorker(RouteRequest request) {
    int index = switch (mode) {
      case ROUND_ROBIN -> (int) Math.floorMod(turn.getAndIncrement(), (long) workers.size());
      case PREFIX -> {
        String prompt = request.getPrompt();
        String prefix = prompt.substring(0, Math.min(prefixChars, prompt.length()));
        // String.hashCode is specified by the JLS, so the mapping survives restarts.
        yield Math.floorMod(prefix.hashCode(), workers.size());
      }
    };
    return workers.get(index);
  }

  private static String stripTrailingSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
