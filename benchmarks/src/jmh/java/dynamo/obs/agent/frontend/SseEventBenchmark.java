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
