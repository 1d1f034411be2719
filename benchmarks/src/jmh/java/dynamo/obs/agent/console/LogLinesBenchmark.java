package dynamo.obs.agent.console;

import dynamo.obs.agent.config.LogFilter;
import dynamo.obs.agent.applog.LogEvent;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * One console line of the request lifecycle events (SPEC §6), as the agent's console thread formats
 * it for every request with export on: "request received" and "request completed", their fields as
 * the agent's events carry them (an unmodifiable sorted map of strings). Each operation is one line
 * half a millisecond after the previous one (a busy frontend writes thousands a second).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class LogLinesBenchmark {
  private static final long START = 1_764_403_200_123_456_789L;
  private static final long STEP = 500_000L;

  private long now = START;

  private static Map<String, String> fields(String... namesAndValues) {
    TreeMap<String, String> m = new TreeMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      m.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return Collections.unmodifiableSortedMap(m);
  }

  private static final Map<String, String> RECEIVED = fields("request_id", "8fa9f963-386d-4af4-8132-93d7d551fe98",
      "model", "qwen/qwen3-0.6b", "endpoint", "chat_completions", "request_type", "unary");
  private static final Map<String, String> COMPLETED = fields("status", "success", "elapsed_ms", "12");

  private LogEvent event(String message, Map<String, String> fields) {
    now += STEP;
    return new LogEvent(now, LogFilter.Level.INFO, "dynamo_obs.request", message, null, "frontend-http-3", null, 0,
        fields, null);
  }

  @Benchmark
  public String readableRequestReceived() {
    return LogLines.readable(event("request received", RECEIVED), false);
  }

  @Benchmark
  public String readableRequestCompleted() {
    return LogLines.readable(event("request completed", COMPLETED), false);
  }

  @Benchmark
  public String jsonlRequestCompleted() {
    return LogLines.jsonl(event("request completed", COMPLETED), false);
  }
}
