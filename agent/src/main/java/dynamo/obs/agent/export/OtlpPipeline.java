package dynamo.obs.agent.export;

import dynamo.obs.agent.config.Config;
import dynamo.obs.agent.logs.LogEvent;
import dynamo.obs.agent.logs.LogExport;
import dynamo.obs.agent.trace.TraceSpan;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporterBuilder;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporterBuilder;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Spans and logs leaving the process over OTLP (SPEC §5–7): the OpenTelemetry SDK's OTLP
 * exporters (gRPC by default, http/protobuf when configured) behind the agent's own bounded
 * {@link ExportQueue}s. The exporters — and with them OkHttp and the SDK's classes — are built on
 * the export threads at the first batch, so none of that costs the application's start.
 */
public final class OtlpPipeline {
  /** How long an exiting process waits for its last spans and logs to go out. */
  private static final long EXIT_FLUSH_MILLIS = 3_000;
  private static final int SPAN_BATCH = 512;
  private static final int LOG_BATCH = 512;
  private static final int IN_FLIGHT = 5;
  private static final long DELAY_MILLIS = 1_000;
  /** Keeps the SDK's own JUL loggers quiet (the agent reports export trouble itself, once). */
  private static java.util.logging.Logger quietSdk;

  private final ExportQueue<TraceSpan> spans;
  private final ExportQueue<LogEvent> logs;

  private OtlpPipeline(Config config) {
    Resource resource = resource(config);
    InstrumentationScopeInfo scope = InstrumentationScopeInfo.create(config.serviceName);
    spans = new ExportQueue<>("spans", config.spanBuffer, SPAN_BATCH, IN_FLIGHT, DELAY_MILLIS,
        new SdkBatches<>(config.traces.endpoint(), () -> spanExporter(config),
            s -> new SpanView(s, resource, scope), SpanExporter::export, SpanExporter::shutdown));
    logs = config.exportLogsEnabled
        ? new ExportQueue<>("logs", config.logBuffer, LOG_BATCH, IN_FLIGHT, DELAY_MILLIS,
            new SdkBatches<>(config.logs.endpoint(), () -> logExporter(config),
                e -> new LogView(e, resource), LogRecordExporter::export, LogRecordExporter::shutdown))
        : null;
  }

  /** Starts export as configured (the caller checked OTEL_EXPORT_ENABLED). */
  public static OtlpPipeline start(Config config) {
    OtlpPipeline p = new OtlpPipeline(config);
    if (p.logs != null) {
      LogExport.install(p.logs::offer);
    }
    Thread exit = new Thread(p::flushAtExit, "dynamo-obs-export-flush");
    Runtime.getRuntime().addShutdownHook(exit);
    return p;
  }

  public void span(TraceSpan span) {
    spans.offer(span);
  }

  /** The queues, for the self-metrics. */
  public List<ExportQueue<?>> queues() {
    List<ExportQueue<?>> q = new ArrayList<>();
    q.add(spans);
    if (logs != null) {
      q.add(logs);
    }
    return q;
  }

  private void flushAtExit() {
    long half = EXIT_FLUSH_MILLIS / 2;
    spans.flush(half);
    if (logs != null) {
      logs.flush(half);
    }
  }

  static Resource resource(Config config) {
    AttributesBuilder b = Attributes.builder();
    for (Map.Entry<String, String> e : config.resourceAttributes.entrySet()) {
      b.put(e.getKey(), e.getValue());
    }
    b.put("service.name", config.serviceName); // resolved with OTEL_RESOURCE_ATTRIBUTES' by Config
    return Resource.create(b.build());
  }

  private static void quietSdkLogging() {
    if (quietSdk == null) {
      java.util.logging.Logger l = java.util.logging.Logger.getLogger("dynamo.obs.shaded");
      l.setLevel(java.util.logging.Level.OFF);
      quietSdk = l;
    }
  }

  static SpanExporter spanExporter(Config config) {
    quietSdkLogging();
    String endpoint = config.traces.endpoint();
    if (Config.GRPC.equals(config.traces.protocol())) {
      OtlpGrpcSpanExporterBuilder b = OtlpGrpcSpanExporter.builder().setEndpoint(endpoint)
          .setTimeout(Duration.ofSeconds(10)).setRetryPolicy(null).setMeterProvider(MeterProvider.noop());
      config.otlpHeaders.forEach(b::addHeader);
      return b.build();
    }
    OtlpHttpSpanExporterBuilder b = OtlpHttpSpanExporter.builder().setEndpoint(endpoint)
        .setTimeout(Duration.ofSeconds(10)).setRetryPolicy(null).setMeterProvider(MeterProvider.noop());
    config.otlpHeaders.forEach(b::addHeader);
    return b.build();
  }

  static LogRecordExporter logExporter(Config config) {
    quietSdkLogging();
    String endpoint = config.logs.endpoint();
    if (Config.GRPC.equals(config.logs.protocol())) {
      OtlpGrpcLogRecordExporterBuilder b = OtlpGrpcLogRecordExporter.builder().setEndpoint(endpoint)
          .setTimeout(Duration.ofSeconds(10)).setRetryPolicy(null).setMeterProvider(MeterProvider.noop());
      config.otlpHeaders.forEach(b::addHeader);
      return b.build();
    }
    OtlpHttpLogRecordExporterBuilder b = OtlpHttpLogRecordExporter.builder().setEndpoint(endpoint)
        .setTimeout(Duration.ofSeconds(10)).setRetryPolicy(null).setMeterProvider(MeterProvider.noop());
    config.otlpHeaders.forEach(b::addHeader);
    return b.build();
  }

  /** An SDK exporter (built at first use) fed with views of the agent's items. */
  private static final class SdkBatches<T, D, E> implements BatchExporter<T> {
    private final String destination;
    private final Supplier<E> factory;
    private final Function<T, D> view;
    private final java.util.function.BiFunction<E, Collection<D>, CompletableResultCode> send;
    private final Function<E, CompletableResultCode> shutdown;
    private volatile E exporter;

    SdkBatches(String destination, Supplier<E> factory, Function<T, D> view,
        java.util.function.BiFunction<E, Collection<D>, CompletableResultCode> send,
        Function<E, CompletableResultCode> shutdown) {
      this.destination = destination;
      this.factory = factory;
      this.view = view;
      this.send = send;
      this.shutdown = shutdown;
    }

    @Override
    public void export(List<T> batch, Consumer<Throwable> done) {
      E e = exporter;
      if (e == null) {
        e = factory.get();
        exporter = e;
      }
      List<D> views = new ArrayList<>(batch.size());
      for (T item : batch) {
        views.add(view.apply(item));
      }
      CompletableResultCode result = send.apply(e, views);
      result.whenComplete(() -> done.accept(result.isSuccess() ? null
          : result.getFailureThrowable() != null ? result.getFailureThrowable()
          : new java.io.IOException("export failed")));
    }

    @Override
    public String destination() {
      return "the collector at " + destination;
    }

    @Override
    public void shutdown() {
      E e = exporter;
      if (e != null) {
        shutdown.apply(e);
      }
    }
  }
}
