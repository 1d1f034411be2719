package dynamo.obs.agent.frontend;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of one streamed server-sent event on the frontend (benchmarks/jmh.sh): an OpenAI
 * {@code chat.completion.chunk} carrying one token, as one write of the application, through
 * {@link SseScanner}, {@link JsonFieldScanner} and the recorder's {@code onEventEnd} (one output
 * token counted, one inter-token latency observed). One operation = one event.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class SseEventBenchmark {
  static final byte[] CHUNK = FrontendRequestBenchmark.utf8("data: {\"id\":\"chatcmpl-5b2f0c3e9d1a4e7f\",\"object\":"
      + "\"chat.completion.chunk\",\"created\":1764403200,\"model\":\"Qwen/Qwen3-0.6B\",\"choices\":[{\"index\":0,"
      + "\"delta\":{\"content\":\" sea\"},\"finish_reason\":null}]}\n\n");
  static final byte[] STREAM_REQUEST = FrontendRequestBenchmark.utf8("{\"model\":\"Qwen/Qwen3-0.6B\",\"messages\":"
      + "[{\"role\":\"user\",\"content\":\"Write one sentence about the sea.\"}],\"max_tokens\":16,\"stream\":true}");
  static final SseScanner.EventListener IGNORE_EVENTS = hadData -> {};

  private FrontendMetrics metrics;
  private FrontendRequest stream;
  private SseScanner scanOnly;

  @Setup(Level.Trial)
  public void setup() {
    metrics = FrontendRequestBenchmark.newMetrics();
    scanOnly = new SseScanner(new JsonFieldScanner(FrontendRequest.RESPONSE_FIELDS, FrontendRequestBenchmark.IGNORE),
        IGNORE_EVENTS);
  }

  /** A stream that is open for a whole measurement iteration: every operation is one more event of it. */
  @Setup(Level.Iteration)
  public void openStream() {
    stream = new FrontendRequest(metrics, 0, System.nanoTime(), r -> {}, t -> {});
    stream.requestBytes(STREAM_REQUEST, 0, STREAM_REQUEST.length);
    stream.requestBodyDone();
    stream.responseStarted(200, true);
    stream.responseBytes(CHUNK, 0, CHUNK.length); // the first token (TTFT); the rest are inter-token
  }

  @TearDown(Level.Iteration)
  public void closeStream() {
    stream.completed();
  }

  /** The whole per-event path: SSE framing, JSON scan of the data, the recorder's token accounting. */
  @Benchmark
  public FrontendRequest event() {
    stream.responseBytes(CHUNK, 0, CHUNK.length);
    return stream;
  }

  /**
   * A whole streamed request as the CPU benchmark's stacks answer it ({@code benchmarks/cpu.sh}: eight tokens, usage
   * asked): the request's body, then one write an event — the role, eight tokens, the finish reason, the usage,
   * {@code [DONE]} — and its end. One operation = one request.
   */
  @Benchmark
  public boolean streamedRequest() {
    FrontendRequest r = new FrontendRequest(metrics, 0, System.nanoTime(), x -> {}, t -> {});
    r.requestBytes(BENCH_REQUEST, 0, BENCH_REQUEST.length);
    r.requestBodyDone();
    r.responseStarted(200, true);
    for (byte[] event : BENCH_EVENTS) {
      r.responseBytes(event, 0, event.length);
    }
    r.completed();
    return r.ended();
  }

  static final byte[] BENCH_REQUEST = FrontendRequestBenchmark.utf8("{\"model\":\"Qwen/Qwen3-0.6B\",\"messages\":[{\"role\":"
      + "\"user\",\"content\":\"Say hello.\"}],\"stream\":true,\"stream_options\":{\"include_usage\":true},"
      + "\"max_tokens\":8}");
  static final byte[][] BENCH_EVENTS = benchEvents();

  private static byte[][] benchEvents() {
    String head = "data: {\"id\":\"chatcmpl-12345\",\"object\":\"chat.completion.chunk\",\"created\":1764403200,"
        + "\"model\":\"Qwen/Qwen3-0.6B\",\"choices\":[";
    byte[][] events = new byte[12][];
    events[0] = FrontendRequestBenchmark.utf8(head
        + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n");
    for (int i = 1; i <= 8; i++) {
      events[i] = FrontendRequestBenchmark.utf8(head
          + "{\"index\":0,\"delta\":{\"content\":\" hello\"},\"finish_reason\":null}]}\n\n");
    }
    events[9] = FrontendRequestBenchmark.utf8(head + "{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
    events[10] = FrontendRequestBenchmark.utf8(head
        + "],\"usage\":{\"prompt_tokens\":35,\"completion_tokens\":8,\"total_tokens\":43}}\n\n");
    events[11] = FrontendRequestBenchmark.utf8("data: [DONE]\n\n");
    return events;
  }

  /** SSE framing and JSON scan only (listeners that do nothing). */
  @Benchmark
  public SseScanner eventScanOnly() {
    scanOnly.feed(CHUNK, 0, CHUNK.length);
    return scanOnly;
  }

  /** The recorder only: what the scan reports for this chunk (a content string), then the event's end. */
  @Benchmark
  public FrontendRequest eventRecordOnly() {
    stream.onString(FrontendRequest.R_CONTENT_FIRST, " sea", 4);
    stream.onEventEnd(true);
    return stream;
  }
}
