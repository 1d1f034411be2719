package dynamo.obs.agent.export;

import dynamo.obs.agent.config.Config;
import dynamo.obs.agent.applog.LogEvent;
import dynamo.obs.agent.applog.LogExport;
import dynamo.obs.agent.trace.Tracing;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.List;

/**
 * Spans and logs leaving the process over OTLP (SPEC §5–7): the OpenTelemetry SDK's spans and the agent's
 * log records (encoded by {@link OtlpLogEncoder}), sent by the SDK's OTLP exporters (gRPC by default,
 * http/protobuf when configured), behind the agent's own bounded {@link ExportQueue}s, which keep what a
 * collector does not take and drop the oldest beyond their capacity. The SDK's batch processors are not
 * used: their queue drops the newest when full, and a request thread would take its lock; offering to an
 * export queue is one lock-free add. The exporters — and with them OkHttp — are built on the export
 * threads at the first batch, so none of that costs the application's start.
 */
public final class OtlpPipeline {
  /** How long an exiting process waits for its last spans and logs to go out. */
  private static final long EXIT_FLUSH_MILLIS = 3_000;
  /**
   * Items per export. Larger than the SDK's 512: each export pays a gRPC call through OkHttp whose code, run
   * a few times a second, the JIT keeps compiling for minutes; at 2,000 requests/s (a span and two lifecycle
   * records each) 512 made ~12 exports a second, 2,048 make ~3, and a batch of 2,048 frontend spans
   * (~1.2 MB) stays well under a collector's 4 MiB limit (a batch over it is split anyway).
   */
  private static final int SPAN_BATCH = 2048;
  private static final int LOG_BATCH = 2048;
  private static final int IN_FLIGHT = 5;
  private static final long DELAY_MILLIS = 1_000;

  private final ExportQueue<ReadableSpan, List<SpanData>> spans;
  private final ExportQueue<LogEvent, List<OtlpLogEncoder.Encoded>> logs;

  private OtlpPipeline(Config config, Resource resource) {
    spans = new ExportQueue<>("spans", config.spanBuffer, SPAN_BATCH, IN_FLIGHT, DELAY_MILLIS,
        new ExporterBatches<ReadableSpan, SpanData>(OtlpPipeline::spanData, () -> spanExporter(config),
            "the collector at " + config.traces.endpoint()));
    if (config.exportLogsEnabled) {
      OtlpLogEncoder[] encoder = new OtlpLogEncoder[1]; // made on the export thread, at the first batch
      logs = new ExportQueue<>("logs", config.logBuffer, LOG_BATCH, IN_FLIGHT, DELAY_MILLIS,
          new ExporterBatches<LogEvent, OtlpLogEncoder.Encoded>(items -> {
            OtlpLogEncoder e = encoder[0];
            if (e == null) {
              e = new OtlpLogEncoder(resource, config.logAttributeCount, config.logAttributeValueLength);
              encoder[0] = e;
            }
            List<OtlpLogEncoder.Encoded> encoded = new ArrayList<>(items.size());
            for (LogEvent event : items) {
              encoded.add(e.encode(event));
            }
            return encoded;
          }, () -> logExporter(config, encoder[0]), "the collector at " + config.logs.endpoint()));
    } else {
      logs = null;
    }
  }

  /** Starts export as configured (the caller checked OTEL_EXPORT_ENABLED). */
  public static OtlpPipeline start(Config config, Resource resource) {
    OtlpPipeline p = new OtlpPipeline(config, resource);
    if (p.logs != null) {
      LogExport.install(p.logs::offer);
    }
    Thread exit = new Thread(p::flushAtExit, "dynamo-obs-export-flush");
    Runtime.getRuntime().addShutdownHook(exit);
    return p;
  }

  /** What the tracer provider hands its sampled spans to when they end: the span queue. */
  public SpanProcessor spanProcessor() {
    return Tracing.sampledSpans(spans::offer);
  }

  /** The ended spans as the SDK exports them, made on the export thread. */
  private static List<SpanData> spanData(List<ReadableSpan> ended) {
    List<SpanData> data = new ArrayList<>(ended.size());
    for (ReadableSpan s : ended) {
      data.add(s.toSpanData());
    }
    return data;
  }

  /** The queues, for the self-metrics. */
  public List<ExportQueue<?, ?>> queues() {
    List<ExportQueue<?, ?>> q = new ArrayList<>();
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

  static ExporterBatches.Exporter<SpanData> spanExporter(Config config) {
    SpanExporter e = OtlpExporters.spans(config.traces);
    return new ExporterBatches.Exporter<>(e::export, e::shutdown);
  }

  /** The SDK's log exporter sending the encoder's requests (built after the first batch was encoded). */
  static ExporterBatches.Exporter<OtlpLogEncoder.Encoded> logExporter(Config config, OtlpLogEncoder encoder) {
    LogRecordExporter e = OtlpExporters.logs(config.logs);
    EncodedExport transport = EncodedExport.of(e);
    return new ExporterBatches.Exporter<>(records -> transport.send(encoder.request(records), records.size()),
        e::shutdown);
  }
}
