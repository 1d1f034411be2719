package dynamo.obs.agent.export;

import dynamo.obs.agent.config.Config;
import dynamo.obs.agent.logs.LogEvent;
import dynamo.obs.agent.logs.LogExport;
import dynamo.obs.agent.trace.TraceSpan;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.BiFunction;

/**
 * Spans and logs leaving the process over OTLP (SPEC §5–7): the agent's own protobuf encoding of
 * its spans and records ({@link OtlpEncoder}) sent over gRPC by default, OTLP/HTTP when configured
 * ({@link OtlpTransport}), behind the agent's own bounded {@link ExportQueue}s. The transport — and
 * with it OkHttp — is built on the export threads at the first batch, so none of that costs the
 * application's start.
 */
public final class OtlpPipeline {
  /** How long an exiting process waits for its last spans and logs to go out. */
  private static final long EXIT_FLUSH_MILLIS = 3_000;
  private static final int SPAN_BATCH = 512;
  private static final int LOG_BATCH = 512;
  private static final int IN_FLIGHT = 5;
  private static final long DELAY_MILLIS = 1_000;
  /** Keeps OkHttp's own JUL loggers quiet (the agent reports export trouble itself, once). */
  private static java.util.logging.Logger quietShaded;

  private final ExportQueue<TraceSpan> spans;
  private final ExportQueue<LogEvent> logs;

  private OtlpPipeline(Config config) {
    spans = new ExportQueue<>("spans", config.spanBuffer, SPAN_BATCH, IN_FLIGHT, DELAY_MILLIS,
        new Batches<>(config, false, OtlpEncoder::spans));
    logs = config.exportLogsEnabled
        ? new ExportQueue<>("logs", config.logBuffer, LOG_BATCH, IN_FLIGHT, DELAY_MILLIS,
            new Batches<>(config, true, OtlpEncoder::logs))
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

  /** The transport of one signal, as configured (built on first use: it starts OkHttp). */
  static OtlpTransport transport(Config config, boolean logs) {
    quietOkHttp();
    Config.OtlpTarget target = logs ? config.logs : config.traces;
    return new OtlpTransport(target.endpoint(), Config.GRPC.equals(target.protocol()),
        logs ? OtlpTransport.LOGS_GRPC_PATH : OtlpTransport.TRACES_GRPC_PATH, config.otlpHeaders);
  }

  private static void quietOkHttp() {
    if (quietShaded == null) {
      java.util.logging.Logger l = java.util.logging.Logger.getLogger("dynamo.obs.shaded");
      l.setLevel(java.util.logging.Level.OFF);
      quietShaded = l;
    }
  }

  /** Batches of one signal, encoded by the queue's thread and sent by the transport (built at first use). */
  private static final class Batches<T> implements BatchExporter<T> {
    private final Config config;
    private final boolean logs;
    private final BiFunction<OtlpEncoder, List<T>, byte[]> encode;
    private OtlpEncoder encoder;
    private OtlpTransport transport;

    Batches(Config config, boolean logs, BiFunction<OtlpEncoder, List<T>, byte[]> encode) {
      this.config = config;
      this.logs = logs;
      this.encode = encode;
    }

    @Override
    public void export(List<T> batch, Consumer<Throwable> done) {
      if (transport == null) {
        encoder = new OtlpEncoder(config.resourceAttributes, config.serviceName);
        transport = transport(config, logs);
      }
      transport.send(encode.apply(encoder, batch), done);
    }

    @Override
    public String destination() {
      return "the collector at " + (logs ? config.logs : config.traces).endpoint();
    }

    @Override
    public void shutdown() {}
  }
}
