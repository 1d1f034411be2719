package dynamo.obs.agent.export;

import dynamo.obs.agent.config.Config;
import dynamo.obs.agent.config.ConfigSource;
import dynamo.obs.agent.trace.SpanValues;
import dynamo.obs.agent.trace.TraceParent;
import dynamo.obs.agent.trace.TraceSpan;
import dynamo.obs.agent.trace.Tracing;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What a traced request costs the thread that serves it: the inbound {@code traceparent} parsed, the
 * {@code http-request} span started on the OpenTelemetry SDK with its request attributes, the
 * end-of-request attributes (model, tokens, ttft/itl strings), its end, and the hand-off of the ended
 * span to the real export queue (whose thread drains into an exporter that accepts at once).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class TracedRequestBenchmark {
  private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  private static final String REQUEST_ID = "8fa9f963-386d-4af4-8132-93d7d551fe98";

  private ExportQueue<ReadableSpan, Object> queue;
  private Tracing tracing;

  @Setup
  public void setup() {
    queue = new ExportQueue<>("spans", 32_768, 512, 5, 1_000, new BatchExporter<ReadableSpan, Object>() {
      @Override
      public Object pack(java.util.List<ReadableSpan> items) {
        return items;
      }

      @Override
      public Object join(java.util.List<Object> pieces) {
        return pieces;
      }

      @Override
      public void export(Object batch, int from, java.util.function.Consumer<Throwable> done) {
        done.accept(null);
      }

      @Override
      public String destination() {
        return "nowhere";
      }

      @Override
      public void shutdown() {}
    });
    // the agent's own processor: sampled ended spans handed to the export queue
    SpanProcessor toQueue = Tracing.sampledSpans(queue::offer);
    Config config = Config.read(new ConfigSource(java.util.Map.of(), new java.util.Properties()), java.util.List.of());
    tracing = Tracing.of(Tracing.provider(config, Tracing.resource(config), toQueue), config, null, null);
  }

  @TearDown
  public void tearDown() {
    queue.shutdown();
  }

  @Benchmark
  public TraceSpan tracedRequest() {
    TraceSpan span = tracing.start("http-request", TraceSpan.Kind.SERVER, TraceParent.parse(TRACEPARENT, null),
        "client-7", REQUEST_ID);
    frontendAttributes(span, "client-7", REQUEST_ID);
    span.end();
    return span;
  }

  /** The attributes of a frontend's {@code http-request} span: the request's, then the end's. */
  static void frontendAttributes(TraceSpan span, String xRequestId, String requestId) {
    span.set(SpanValues.METHOD, "POST").set(SpanValues.URI, "/v1/chat/completions").set(SpanValues.VERSION, "HTTP/1.1")
        .set(SpanValues.X_REQUEST_ID, xRequestId).set(SpanValues.REQUEST_ID, requestId);
    span.set(SpanValues.MODEL, "qwen/qwen3-0.6b");
    span.set(SpanValues.INPUT_TOKENS, 12L);
    span.set(SpanValues.OUTPUT_TOKENS, 48L);
    span.set(SpanValues.TTFT_MS, SpanValues.millis(20_123_456L));
    span.set(SpanValues.AVG_ITL_MS, SpanValues.millis(5_012_345L));
    span.set(SpanValues.HTTP_STATUS_CODE, 200L);
  }

  /** The outbound header of the next hop: {@code traceparent} formatted from a span. */
  @Benchmark
  public String outboundTraceparent() {
    return TraceParent.format(tracing.start("router.route_request", TraceSpan.Kind.INTERNAL, null, null, null));
  }
}
