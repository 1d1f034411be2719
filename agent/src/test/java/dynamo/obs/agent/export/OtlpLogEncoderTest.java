package dynamo.obs.agent.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.agent.applog.LogEvent;
import dynamo.obs.agent.config.LogFilter;
import dynamo.obs.agent.trace.ActiveSpan;
import dynamo.obs.agent.trace.SpanParent;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.exporter.internal.otlp.logs.LogsRequestMarshaler;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The agent's own encoding of its log records is what the OpenTelemetry SDK made of the same events before (its
 * logger's records through its OTLP marshaler, {@link LogRecords}): both are parsed with the OTLP protobuf classes
 * and compared whole.
 */
class OtlpLogEncoderTest {
  private static final Resource RESOURCE = Resource.getDefault()
      .merge(Resource.create(Attributes.builder().put("service.name", "frontend").put("deployment", "té st")
          .put("replicas", 3L).build()));

  /** A span of the agent's (its ids as OpenTelemetry holds them), sampled or not. */
  private record Span(SpanContext spanContext, String xRequestId, String requestId) implements SpanParent, ActiveSpan {
    @Override
    public boolean remote() {
      return false;
    }

    @Override
    public String traceId() {
      return spanContext.getTraceId();
    }

    @Override
    public String spanId() {
      return spanContext.getSpanId();
    }

    @Override
    public String parentId() {
      return null;
    }

    @Override
    public String spanName() {
      return "http-request";
    }

    @Override
    public String traceState() {
      return null;
    }
  }

  /** A span known by its ids only (another agent's). */
  private record ForeignSpan(String traceId, String spanId) implements ActiveSpan {
    @Override
    public String parentId() {
      return null;
    }

    @Override
    public String spanName() {
      return "other";
    }

    @Override
    public String traceState() {
      return null;
    }

    @Override
    public String xRequestId() {
      return null;
    }

    @Override
    public String requestId() {
      return "r-9";
    }
  }

  private static Map<String, String> fields(String... namesAndValues) {
    Map<String, String> m = new TreeMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      m.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return m;
  }

  private static List<LogEvent> events() {
    SpanContext sampled = SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
        TraceFlags.getSampled(), TraceState.getDefault());
    SpanContext unsampled = SpanContext.create("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
        TraceFlags.getDefault(), TraceState.getDefault());
    Span request = new Span(sampled, "x-1", "5b0f3c6e-0000-4000-8000-000000000001");
    long t = 1_765_000_000_123_456_789L;
    Map<String, String> mdc = new LinkedHashMap<>();
    mdc.put("zeta", "last");
    mdc.put("alpha", "");
    mdc.put("user", "Zoë ✓ 日本");
    List<LogEvent> events = new ArrayList<>();
    events.add(new LogEvent(t, LogFilter.Level.INFO, "dynamo_obs.request", "request received", null, "http-worker-1",
        null, 0, fields("request_id", "5b0f3c6e-0000-4000-8000-000000000001", "model", "llama", "endpoint",
            "chat_completions", "request_type", "stream"),
        request));
    events.add(new LogEvent(t + 5, LogFilter.Level.INFO, "dynamo_obs.request", "request completed", null,
        "http-worker-2", null, 0, fields("request_id", "5b0f3c6e-0000-4000-8000-000000000001", "model", "llama",
            "status", "success", "elapsed_ms", "12"),
        request));
    events.add(new LogEvent(t + 9, LogFilter.Level.ERROR, "com.example.App", "it failed: ünïcode",
        new IllegalStateException("boom"), "main", "App.java", 42, mdc, new Span(unsampled, null, "r-2")));
    events.add(new LogEvent(t + 11, LogFilter.Level.WARN, "com.example.App", "", null, "main", "App.java", 0,
        Map.of(), new ForeignSpan("11112222333344445555666677778888", "aaaabbbbccccdddd")));
    events.add(new LogEvent(t + 12, LogFilter.Level.DEBUG, "", null, null, "worker", null, 0, Map.of(), null));
    events.add(new LogEvent(t + 13, LogFilter.Level.TRACE, null, "no target", null, "worker", null, 0,
        fields("a", "1", "b", "2", "c", "3", "d", "4", "e", "5", "f", "6"), null));
    return events;
  }

  private static ExportLogsServiceRequest sdk(List<LogEvent> events, int count, int length) throws IOException {
    LogRecords oracle = new LogRecords(RESOURCE, count, length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LogsRequestMarshaler.create(oracle.of(events)).writeBinaryTo(out);
    return normalized(ExportLogsServiceRequest.parseFrom(out.toByteArray()));
  }

  private static ExportLogsServiceRequest encoded(List<LogEvent> events, int count, int length) throws IOException {
    OtlpLogEncoder encoder = new OtlpLogEncoder(RESOURCE, count, length);
    List<OtlpLogEncoder.Encoded> records = new ArrayList<>();
    for (LogEvent e : events) {
      records.add(encoder.encode(e));
    }
    return normalized(ExportLogsServiceRequest.parseFrom(encoder.request(records)));
  }

  /** Scopes in name order (the SDK groups them in a hash map's order); records keep theirs. */
  private static ExportLogsServiceRequest normalized(ExportLogsServiceRequest r) {
    ExportLogsServiceRequest.Builder b = r.toBuilder().clearResourceLogs();
    for (ResourceLogs rl : r.getResourceLogsList()) {
      List<ScopeLogs> scopes = new ArrayList<>(rl.getScopeLogsList());
      scopes.sort(Comparator.comparing(s -> s.getScope().getName()));
      b.addResourceLogs(rl.toBuilder().clearScopeLogs().addAllScopeLogs(scopes));
    }
    return b.build();
  }

  @Test
  void encodesWhatTheSdkWrites() throws IOException {
    List<LogEvent> events = events();
    ExportLogsServiceRequest expected = sdk(events, 128, Integer.MAX_VALUE);
    assertEquals(6, expected.getResourceLogs(0).getScopeLogsList().stream().mapToInt(ScopeLogs::getLogRecordsCount)
        .sum());
    assertEquals(expected, encoded(events, 128, Integer.MAX_VALUE));
  }

  @Test
  void appliesTheAttributeLimitsAsTheSdkDoes() throws IOException {
    List<LogEvent> events = events();
    ExportLogsServiceRequest expected = sdk(events, 4, 3);
    assertTrue(expected.toString().contains("dropped_attributes_count"), "the limits drop some attributes");
    assertEquals(expected, encoded(events, 4, 3));
  }

  @Test
  void aBatchSplitInHalvesIsTwoWholeRequests() throws IOException {
    List<LogEvent> events = events();
    OtlpLogEncoder encoder = new OtlpLogEncoder(RESOURCE, 128, Integer.MAX_VALUE);
    List<OtlpLogEncoder.Encoded> records = new ArrayList<>();
    for (LogEvent e : events) {
      records.add(encoder.encode(e));
    }
    ExportLogsServiceRequest first = ExportLogsServiceRequest.parseFrom(encoder.request(records.subList(0, 3)));
    ExportLogsServiceRequest second = ExportLogsServiceRequest.parseFrom(encoder.request(records.subList(3, 6)));
    assertEquals(normalized(first), sdk(events.subList(0, 3), 128, Integer.MAX_VALUE));
    assertEquals(normalized(second), sdk(events.subList(3, 6), 128, Integer.MAX_VALUE));
  }

  /** An application's throwable whose methods throw costs its record the message and trace, nothing else. */
  @Test
  void aBrokenThrowableKeepsItsRecord() throws IOException {
    Throwable broken = new RuntimeException() {
      @Override
      public String getMessage() {
        throw new IllegalStateException("broken");
      }
    };
    OtlpLogEncoder encoder = new OtlpLogEncoder(RESOURCE, 128, Integer.MAX_VALUE);
    LogEvent e = new LogEvent(1L, LogFilter.Level.ERROR, "app", "failed", broken, "main", null, 0, Map.of(), null);
    ExportLogsServiceRequest r = ExportLogsServiceRequest.parseFrom(encoder.request(List.of(encoder.encode(e))));
    var record = r.getResourceLogs(0).getScopeLogs(0).getLogRecords(0);
    assertEquals("failed", record.getBody().getStringValue());
    assertTrue(record.getAttributesList().stream().anyMatch(a -> a.getKey().equals("exception.type")));
    assertTrue(record.getAttributesList().stream().noneMatch(a -> a.getKey().equals("exception.message")));
  }

  /** The bundled exporters of both protocols take encoded requests (their transport is reached). */
  @Test
  void bothProtocolsSendEncodedRequests() {
    OtlpGrpcLogRecordExporter grpc = OtlpGrpcLogRecordExporter.builder().setEndpoint("http://127.0.0.1:9")
        .setTimeout(1, TimeUnit.SECONDS).build();
    OtlpHttpLogRecordExporter http = OtlpHttpLogRecordExporter.builder()
        .setEndpoint("http://127.0.0.1:9/v1/logs").setTimeout(1, TimeUnit.SECONDS).build();
    try {
      for (Object exporter : List.of(grpc, http)) {
        CompletableResultCode result = EncodedExport.of(exporter).send(new byte[0], 0).join(10, TimeUnit.SECONDS);
        assertTrue(result.isDone() && !result.isSuccess(), "nothing listens on port 9: " + exporter);
      }
    } finally {
      grpc.shutdown();
      http.shutdown();
    }
  }
}
