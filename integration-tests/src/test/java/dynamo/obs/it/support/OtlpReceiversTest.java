package dynamo.obs.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.it.support.OtlpReceiver.Signal;
import io.grpc.Status;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The OTLP receivers with the real OpenTelemetry SDK as sender, over gRPC and HTTP/protobuf: the
 * flattened fields, the answer modes and their counts, and receiving again after a restart on the
 * same port.
 */
class OtlpReceiversTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final String SCOPE = "receiver-test-scope";
  private static final String HEADER = "x-api-key";
  private static final String HEADER_VALUE = "receiver-test-key";

  /**
   * A transport: its receiver, and the SDK's exporters for it. Gzip, to exercise decompression;
   * no retries, so that one export is one call and a refused or unanswered one fails at once.
   */
  enum Transport {
    GRPC {
      @Override
      OtlpReceiver<?> newReceiver() {
        return new OtlpGrpcReceiver();
      }

      @Override
      SpanExporter spanExporter(String endpoint) {
        return OtlpGrpcSpanExporter.builder().setEndpoint(endpoint).addHeader(HEADER, HEADER_VALUE)
            .setCompression("gzip").setRetryPolicy(null).build();
      }

      @Override
      LogRecordExporter logExporter(String endpoint) {
        return OtlpGrpcLogRecordExporter.builder().setEndpoint(endpoint).addHeader(HEADER, HEADER_VALUE)
            .setCompression("gzip").setRetryPolicy(null).build();
      }

      @Override
      MetricExporter metricExporter(String endpoint) {
        return OtlpGrpcMetricExporter.builder().setEndpoint(endpoint).addHeader(HEADER, HEADER_VALUE)
            .setCompression("gzip").setRetryPolicy(null).build();
      }
    },
    HTTP {
      @Override
      OtlpReceiver<?> newReceiver() {
        return new OtlpHttpReceiver();
      }

      @Override
      SpanExporter spanExporter(String endpoint) {
        return OtlpHttpSpanExporter.builder().setEndpoint(endpoint + "/v1/traces").addHeader(HEADER, HEADER_VALUE)
            .setCompression("gzip").setRetryPolicy(null).build();
      }

      @Override
      LogRecordExporter logExporter(String endpoint) {
        return OtlpHttpLogRecordExporter.builder().setEndpoint(endpoint + "/v1/logs").addHeader(HEADER, HEADER_VALUE)
            .setCompression("gzip").setRetryPolicy(null).build();
      }

      @Override
      MetricExporter metricExporter(String endpoint) {
        return OtlpHttpMetricExporter.builder().setEndpoint(endpoint + "/v1/metrics")
            .addHeader(HEADER, HEADER_VALUE).setCompression("gzip").setRetryPolicy(null).build();
      }
    };

    abstract OtlpReceiver<?> newReceiver();

    abstract SpanExporter spanExporter(String endpoint);

    abstract LogRecordExporter logExporter(String endpoint);

    abstract MetricExporter metricExporter(String endpoint);
  }

  /** The SDK sending to one receiver. Simple processors: each ended span, each log record is one export call. */
  private static final class Sender implements AutoCloseable {
    final LastResultSpanExporter spanExporter;
    final SdkTracerProvider tracerProvider;
    final SdkLoggerProvider loggerProvider;
    final SdkMeterProvider meterProvider;

    Sender(Transport transport, String endpoint) {
      Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
          AttributeKey.stringKey("service.name"), "receiver-test",
          AttributeKey.stringKey("deployment.environment"), "it")));
      spanExporter = new LastResultSpanExporter(transport.spanExporter(endpoint));
      tracerProvider = SdkTracerProvider.builder().setResource(resource)
          .addSpanProcessor(SimpleSpanProcessor.create(spanExporter)).build();
      loggerProvider = SdkLoggerProvider.builder().setResource(resource)
          .addLogRecordProcessor(SimpleLogRecordProcessor.create(transport.logExporter(endpoint))).build();
      meterProvider = SdkMeterProvider.builder().setResource(resource)
          .registerMetricReader(PeriodicMetricReader.create(transport.metricExporter(endpoint))).build();
    }

    Tracer tracer() {
      return tracerProvider.get(SCOPE);
    }

    Logger logger() {
      return loggerProvider.get(SCOPE);
    }

    /** Ends a span named {@code name}: the result of its export, which is on its way. */
    CompletableResultCode endSpan(String name) {
      tracer().spanBuilder(name).startSpan().end(); // the simple processor starts the export right here
      return spanExporter.lastResult;
    }

    /** Ends a span named {@code name} and waits for its export: whether the receiver accepted it. */
    boolean exportSpan(String name) {
      return endSpan(name).join(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).isSuccess();
    }

    @Override
    public void close() {
      CompletableResultCode.ofAll(List.of(tracerProvider.shutdown(), loggerProvider.shutdown(),
          meterProvider.shutdown())).join(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Keeps the result of the last export. A processor's forceFlush cannot tell a failed export:
   * it only waits for exports still pending, and a refused connection fails before it is called.
   */
  private static final class LastResultSpanExporter implements SpanExporter {
    private final SpanExporter delegate;
    private volatile CompletableResultCode lastResult;

    LastResultSpanExporter(SpanExporter delegate) {
      this.delegate = delegate;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      lastResult = delegate.export(spans);
      return lastResult;
    }

    @Override
    public CompletableResultCode flush() {
      return delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
      return delegate.shutdown();
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void flattensSpansAndLogRecordsTheSdkExports(Transport transport) {
    try (OtlpReceiver<?> receiver = transport.newReceiver()) {
      receiver.start();
      String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
      String inboundSpanId = "00f067aa0ba902b7";
      Instant logTime = Instant.parse("2025-09-02T15:53:31.943377Z");
      String childSpanId;
      try (Sender sender = new Sender(transport, receiver.endpoint())) {
        // an inbound traceparent/tracestate, as a server span continues it
        SpanContext inbound = SpanContext.createFromRemoteParent(traceId, inboundSpanId, TraceFlags.getSampled(),
            TraceState.builder().put("dynamo", "t1").build());
        Span server = sender.tracer().spanBuilder("http-request").setSpanKind(SpanKind.SERVER)
            .setParent(Context.root().with(Span.wrap(inbound))).startSpan();
        try (Scope serverScope = server.makeCurrent()) {
          Span child = sender.tracer().spanBuilder("engine.generate").startSpan();
          childSpanId = child.getSpanContext().getSpanId();
          child.setAttribute("model", "test-model");
          child.setAttribute("input_tokens", 12L);
          child.setAttribute("ttft_ms", 3.5);
          child.setAttribute("streamed", true);
          child.setStatus(StatusCode.ERROR, "engine failed");
          try (Scope childScope = child.makeCurrent()) {
            sender.logger().logRecordBuilder().setTimestamp(logTime).setSeverity(Severity.WARN)
                .setSeverityText("WARN").setBody("request failed").setAttribute("request_id", "r-1").emit();
          }
          child.end();
        }
        server.end();
        sender.meterProvider.get(SCOPE).counterBuilder("receiver_test_total").build().add(1);
        assertTrue(CompletableResultCode.ofAll(List.of(sender.tracerProvider.forceFlush(),
            sender.loggerProvider.forceFlush(), sender.meterProvider.forceFlush()))
            .join(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).isSuccess(), "the SDK's exports succeeded");
        assertEquals(2, receiver.exportCalls(Signal.TRACES));
        assertEquals(1, receiver.exportCalls(Signal.LOGS));
        assertEquals(1, receiver.exportCalls(Signal.METRICS));
      }

      List<ReceivedSpan> spans = receiver.awaitSpans(s -> s.size() == 2, TIMEOUT);
      ReceivedSpan server = spans.stream().filter(s -> s.name().equals("http-request")).findFirst().orElseThrow();
      ReceivedSpan child = spans.stream().filter(s -> s.name().equals("engine.generate")).findFirst().orElseThrow();
      assertEquals("receiver-test", server.serviceName());
      assertEquals("it", server.resourceAttributes().get("deployment.environment"));
      assertEquals(SCOPE, server.scopeName());
      assertEquals("SERVER", server.kind());
      assertEquals(traceId, server.traceId());
      assertEquals(inboundSpanId, server.parentSpanId());
      assertEquals("dynamo=t1", server.traceState());
      assertEquals("UNSET", server.statusCode());
      assertTrue(server.startEpochNanos() > 0 && server.startEpochNanos() <= server.endEpochNanos(), server::toString);

      assertEquals("INTERNAL", child.kind());
      assertEquals(traceId, child.traceId());
      assertEquals(childSpanId, child.spanId());
      assertEquals(server.spanId(), child.parentSpanId());
      assertEquals(Map.of("model", "test-model", "input_tokens", 12L, "ttft_ms", 3.5, "streamed", true),
          child.attributes());
      assertEquals("ERROR", child.statusCode());
      assertEquals("engine failed", child.statusMessage());

      ReceivedLog log = receiver.awaitLogs(l -> l.size() == 1, TIMEOUT).get(0);
      assertEquals("receiver-test", log.serviceName());
      assertEquals(SCOPE, log.scopeName());
      assertEquals(logTime.getEpochSecond() * 1_000_000_000L + logTime.getNano(), log.timeUnixNano());
      assertTrue(log.observedTimeUnixNano() > 0, log::toString);
      assertEquals(Severity.WARN.getSeverityNumber(), log.severityNumber());
      assertEquals("WARN", log.severityText());
      assertEquals("request failed", log.body());
      assertEquals(Map.of("request_id", "r-1"), log.attributes());
      assertEquals(traceId, log.traceId());
      assertEquals(childSpanId, log.spanId());

      assertEquals(HEADER_VALUE, receiver.lastHeaders().get(HEADER), receiver.lastHeaders()::toString);
      receiver.clear();
      assertEquals(List.of(), receiver.spans());
      assertEquals(0, receiver.exportCalls(Signal.TRACES));
    }
  }

  @Test
  void grpcRefusalIsCountedAndKeepsNothing() {
    try (OtlpGrpcReceiver receiver = new OtlpGrpcReceiver()) {
      receiver.start();
      assertRefusedThenAccepted(receiver, Status.Code.RESOURCE_EXHAUSTED, Transport.GRPC);
    }
  }

  @Test
  void httpRefusalIsCountedAndKeepsNothing() {
    try (OtlpHttpReceiver receiver = new OtlpHttpReceiver()) {
      receiver.start();
      assertRefusedThenAccepted(receiver, 503, Transport.HTTP);
    }
  }

  private static <R> void assertRefusedThenAccepted(OtlpReceiver<R> receiver, R refusal, Transport transport) {
    try (Sender sender = new Sender(transport, receiver.endpoint())) {
      receiver.refuse(refusal);
      assertFalse(sender.exportSpan("refused"), "the SDK sees the refusal as a failed export");
      assertEquals(1, receiver.exportCalls(Signal.TRACES));
      assertEquals(1, receiver.refusedCalls(Signal.TRACES));
      assertEquals(List.of(), receiver.spans());

      receiver.accept();
      assertTrue(sender.exportSpan("accepted"));
      assertEquals(2, receiver.exportCalls(Signal.TRACES));
      assertEquals(1, receiver.refusedCalls(Signal.TRACES));
      assertEquals(List.of("accepted"), names(receiver.spans()));
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void slowModeAnswersOnlyAfterTheDelay(Transport transport) {
    Duration delay = Duration.ofMillis(400);
    try (OtlpReceiver<?> receiver = transport.newReceiver();
        Sender sender = new Sender(transport, startedEndpoint(receiver))) {
      receiver.slow(delay);
      long start = System.nanoTime();
      assertTrue(sender.exportSpan("slow"));
      assertTrue(System.nanoTime() - start >= delay.toNanos(), "answered before the delay");
      assertEquals(List.of("slow"), names(receiver.spans()));
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void stopEndsAnExportHeldBySlowMode(Transport transport) {
    try (OtlpReceiver<?> receiver = transport.newReceiver();
        Sender sender = new Sender(transport, startedEndpoint(receiver))) {
      receiver.slow(Duration.ofSeconds(60));
      CompletableResultCode held = sender.endSpan("held");
      Poll.until("the export call to arrive", () -> receiver.exportCalls(Signal.TRACES), calls -> calls == 1,
          TIMEOUT, null);

      long start = System.nanoTime();
      receiver.stop();
      Duration stopping = Duration.ofNanos(System.nanoTime() - start);
      assertTrue(stopping.compareTo(Duration.ofSeconds(5)) < 0, "stop() waited " + stopping);
      assertFalse(held.join(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).isSuccess(), "the held export failed");
      assertEquals(1, receiver.refusedCalls(Signal.TRACES));
      assertEquals(List.of(), receiver.spans());
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void receivesAgainAfterARestartOnTheSamePort(Transport transport) {
    try (OtlpReceiver<?> receiver = transport.newReceiver();
        Sender sender = new Sender(transport, startedEndpoint(receiver))) {
      int port = receiver.port();
      assertTrue(sender.exportSpan("before"));

      receiver.stop();
      assertFalse(sender.exportSpan("while-down"), "nothing listens while stopped");

      receiver.start(port);
      assertEquals(port, receiver.port());
      assertTrue(sender.exportSpan("after"), "the same exporter reaches the receiver again");
      assertEquals(List.of("before", "after"), names(receiver.spans()));
    }
  }

  private static String startedEndpoint(OtlpReceiver<?> receiver) {
    receiver.start();
    return receiver.endpoint();
  }

  private static List<String> names(List<ReceivedSpan> spans) {
    return spans.stream().map(ReceivedSpan::name).toList();
  }
}
