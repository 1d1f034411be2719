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
 * request with export on: "request received" (four text fields) and "request completed" (six, one a number).
 * {@code presorted*} is the agent's way ({@link SortedFields#sorted}: the names are constants in order);
 * {@code sortedFields*} the way it replaced (name-value pairs sorted by {@link SortedFields#of}); {@code treeMap*}
 * the way before that (the pairs into a LinkedHashMap, then each value as text into an unmodifiable TreeMap).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class EventFieldsBenchmark {
  private static final String REQUEST_ID = "8fa9f963-386d-4af4-8132-93d7d551fe98";
  private static final String MODEL = "qwen/qwen3-0.6b";
  private long elapsed = 12;

  @Benchmark
  public Map<String, String> presortedReceived() {
    return SortedFields.sorted(AgentEvents.RECEIVED_FIELDS, "chat_completions", MODEL, REQUEST_ID, "stream");
  }

  @Benchmark
  public Map<String, String> presortedCompleted() {
    return SortedFields.sorted(AgentEvents.COMPLETED_FIELDS, elapsed++ & 1023, "chat_completions", MODEL, REQUEST_ID,
        "stream", "success");
  }

  @Benchmark
  public Map<String, String> sortedFieldsReceived() {
    return SortedFields.of("request_id", REQUEST_ID, "model", MODEL, "endpoint", "chat_completions", "request_type",
        "stream");
  }

  @Benchmark
  public Map<String, String> sortedFieldsCompleted() {
    return SortedFields.of("request_id", REQUEST_ID, "model", MODEL, "endpoint", "chat_completions", "request_type",
        "stream", "status", "success", "elapsed_ms", elapsed++ & 1023);
  }

  @Benchmark
  public Map<String, String> treeMapReceived() {
    return treeMap("request_id", REQUEST_ID, "model", MODEL, "endpoint", "chat_completions", "request_type",
        "stream");
  }

  @Benchmark
  public Map<String, String> treeMapCompleted() {
    return treeMap("request_id", REQUEST_ID, "model", MODEL, "endpoint", "chat_completions", "request_type",
        "stream", "status", "success", "elapsed_ms", elapsed++ & 1023);
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
