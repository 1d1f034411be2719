package dynamo.obs.agent.export;

import dynamo.obs.agent.config.LogFilter;
import dynamo.obs.agent.export.sdk.LogView;
import dynamo.obs.agent.export.sdk.SpanView;
import dynamo.obs.agent.applog.LogEvent;
import dynamo.obs.agent.trace.TraceParent;
import dynamo.obs.agent.trace.TraceSpan;
import dynamo.obs.agent.trace.Tracing;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.internal.marshal.Marshaler;
import io.opentelemetry.exporter.internal.otlp.logs.LowAllocationLogsRequestMarshaler;
import io.opentelemetry.exporter.internal.otlp.traces.LowAllocationTraceRequestMarshaler;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What export costs its own thread per item: a full batch (512) of the frontend's {@code http-request}
 * spans, or of its "request received" lifecycle records, packed as they wait for the collector and framed
 * into one OTLP gRPC message (as the export thread does both, on the way, once per batch). Scores
 * are per span / per record (the batch is one invocation of 512 operations); B/op includes the packed
 * batch's byte array, shared by the batch, and the message's framing (the items' bytes are written to the
 * connection from the packed batch, not copied into a message). The {@code *Sdk} benchmarks do the same with the OpenTelemetry SDK's
 * OTLP marshalling as the agent used it before it wrote OTLP itself (its low-allocation marshalers, the
 * exporters' default): the agent's items viewed as the SDK's data, then sized and written.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class OtlpEncodeBenchmark {
  private static final int BATCH = 512;
  private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  private static final String REQUEST_ID = "8fa9f963-386d-4af4-8132-93d7d551fe98";

  private OtlpEncoder encoder;
  private Resource resource;
  private InstrumentationScopeInfo scope;
  private final LowAllocationTraceRequestMarshaler sdkSpans = new LowAllocationTraceRequestMarshaler();
  private final LowAllocationLogsRequestMarshaler sdkLogs = new LowAllocationLogsRequestMarshaler();
  private final List<TraceSpan> spans = new ArrayList<>();
  private final List<LogEvent> records = new ArrayList<>();

  @Setup
  public void setup() {
    encoder = new OtlpEncoder(Map.of("deployment.environment", "bench"), "frontend");
    resource = Resource.create(Attributes.builder().put("deployment.environment", "bench")
        .put("service.name", "frontend").build());
    scope = InstrumentationScopeInfo.create("frontend");
    Tracing tracing = new Tracing(1.0, null, null, null);
    for (int i = 0; i < BATCH; i++) {
      TraceSpan span = tracing.start("http-request", TraceSpan.Kind.SERVER, TraceParent.parse(TRACEPARENT, null),
          "client-" + i, REQUEST_ID);
      TracedRequestBenchmark.frontendAttributes(span, "client-" + i, REQUEST_ID);
      span.end();
      spans.add(span);
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put("request_id", REQUEST_ID);
      fields.put("model", "qwen/qwen3-0.6b");
      fields.put("endpoint", "chat_completions");
      fields.put("request_type", "stream");
      records.add(new LogEvent(span.startEpochNanos(), LogFilter.Level.INFO, "dynamo_obs.request",
          "request received", null, "HTTP-Dispatcher", null, 0, fields, span));
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public Message spanBatch() {
    return encoder.message(encoder.packSpans(spans), 0);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public Message logBatch() {
    return encoder.message(encoder.packLogs(records), 0);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public ByteArrayOutputStream spanBatchSdk() throws IOException {
    List<SpanData> views = new ArrayList<>(BATCH);
    for (TraceSpan s : spans) {
      views.add(new SpanView(s, resource, scope));
    }
    sdkSpans.initialize(views);
    try {
      return write(sdkSpans);
    } finally {
      sdkSpans.reset();
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public ByteArrayOutputStream logBatchSdk() throws IOException {
    List<LogRecordData> views = new ArrayList<>(BATCH);
    for (LogEvent e : records) {
      views.add(new LogView(e, resource));
    }
    sdkLogs.initialize(views);
    try {
      return write(sdkLogs);
    } finally {
      sdkLogs.reset();
    }
  }

  /** The size pass, then the write into one array (one copy, as the agent's encoder makes one). */
  private static ByteArrayOutputStream write(Marshaler m) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(m.getBinarySerializedSize() + 5);
    m.writeBinaryTo(out);
    return out;
  }
}
