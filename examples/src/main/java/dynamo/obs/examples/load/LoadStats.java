package dynamo.obs.examples.load;

import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** The load driver's client-side tallies, updated concurrently by its sender threads. */
final class LoadStats {

  /** Status key for requests that failed without a readable answer (connection error, broken stream). */
  static final String FAILED = "failed";

  private final Map<String, LongAdder> byStatus = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> byModel = new ConcurrentHashMap<>();
  private final LongAdder sent = new LongAdder();
  private final LongAdder ttftNanos = new LongAdder();
  private final LongAdder ttftCount = new LongAdder();
  private final LongAdder okLatencyNanos = new LongAdder();
  private final LongAdder okCount = new LongAdder();

  /**
   * @param status the HTTP status, or {@link #FAILED}
   * @param ttftNanos time to the first generated text of a stream, or a negative value when there was none
   */
  void record(String model, String status, long ttftNanos, long latencyNanos) {
    sent.increment();
    byModel.computeIfAbsent(model, k -> new LongAdder()).increment();
    byStatus.computeIfAbsent(status, k -> new LongAdder()).increment();
    if (ttftNanos >= 0) {
      this.ttftNanos.add(ttftNanos);
      ttftCount.increment();
    }
    if (status.equals("200")) {
      okLatencyNanos.add(latencyNanos);
      okCount.increment();
    }
  }

  long sent() {
    return sent.sum();
  }

  /** Requests per HTTP status (or {@link #FAILED}), sorted. */
  Map<String, Long> statusCounts() {
    return sorted(byStatus);
  }

  /** Requests per requested model (or {@link RequestMix#MALFORMED}), sorted. */
  Map<String, Long> modelCounts() {
    return sorted(byModel);
  }

  void print(PrintStream out, double elapsedSeconds) {
    out.printf("requests sent: %d in %.1f s (%.1f/s)%n", sent(), elapsedSeconds, sent() / elapsedSeconds);
    out.println("by status:     " + statusCounts());
    out.println("by model:      " + modelCounts());
    out.println("stream TTFT:   " + meanMillis(ttftNanos, ttftCount) + " (client-side, to first text)");
    out.println("latency (200): " + meanMillis(okLatencyNanos, okCount) + " (client-side, whole response)");
  }

  private static Map<String, Long> sorted(Map<String, LongAdder> counts) {
    Map<String, Long> sorted = new TreeMap<>();
    counts.forEach((key, count) -> sorted.put(key, count.sum()));
    return sorted;
  }

  private static String meanMillis(LongAdder totalNanos, LongAdder count) {
    long n = count.sum();
    return n == 0 ? "n/a" : String.format("mean %.1f ms over %d", totalNanos.sum() / 1e6 / n, n);
  }
}
