package dynamo.obs.agent.applog;

import java.util.Collections;
import java.util.LinkedHashMap;
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
 * The fields of the request lifecycle events (SPEC §6), as the request's thread makes them for every
 * request with export on: "request received" (four text fields) and "request completed" (a status and
 * a number). {@code sortedFields*} is the agent's way ({@link SortedFields}); {@code treeMap*} the way
 * it replaced (the pairs into a LinkedHashMap, then each value as text into an unmodifiable TreeMap),
 * kept here as the comparison.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class EventFieldsBenchmark {
  private static final String REQUEST_ID = "8fa9f963-386d-4af4-8132-93d7d551fe98";
  private long elapsed = 12;

  @Benchmark
  public Map<String, String> sortedFieldsReceived() {
    return SortedFields.of("request_id", REQUEST_ID, "model", "qwen/qwen3-0.6b", "endpoint", "chat_completions",
        "request_type", "unary");
  }

  @Benchmark
  public Map<String, String> sortedFieldsCompleted() {
    return SortedFields.of("status", "success", "elapsed_ms", elapsed++ & 1023);
  }

  @Benchmark
  public Map<String, String> treeMapReceived() {
    return treeMap("request_id", REQUEST_ID, "model", "qwen/qwen3-0.6b", "endpoint", "chat_completions",
        "request_type", "unary");
  }

  @Benchmark
  public Map<String, String> treeMapCompleted() {
    return treeMap("status", "success", "elapsed_ms", elapsed++ & 1023);
  }

  private static Map<String, String> treeMap(Object... namesAndValues) {
    Map<String, Object> fields = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      fields.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    TreeMap<String, String> text = new TreeMap<>();
    fields.forEach((key, value) -> {
      if (key != null && value != null) {
        text.put(key, String.valueOf(value));
      }
    });
    return Collections.unmodifiableSortedMap(text);
  }
}
