package dynamo.obs.agent.export;

import dynamo.obs.agent.config.Config;
import dynamo.obs.agent.applog.LogEvent;
import dynamo.obs.agent.applog.LogExport;
import dynamo.obs.agent.trace.TraceSpan;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

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

  private final ExportQueue<TraceSpan, Packed> spans;
  private final ExportQueue<LogEvent, Packed> logs;

  private OtlpPipeline(Config config) {
    spans = new ExportQueue<>("spans", config.spanBuffer, SPAN_BATCH, IN_FLIGHT, DELAY_MILLIS,
        new Batches<TraceSpan>(config, false, OtlpEncoder::packSpans));
    logs = config.exportLogsEnabled
        ? new ExportQueue<>("logs", config.logBuffer, LOG_BATCH, IN_FLIGHT, DELAY_MILLIS,
            new Batches<LogEvent>(config, true, OtlpEncoder::packLogs))
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

  /** Encodes the items of a batch. */
  private interface Encoding<T> {
    Packed pack(OtlpEncoder encoder, List<T> items);
  }

  /**
   * Batches of one signal, packed and sent by the queue's thread through the transport (both built at
   * first use): one message per batch, or several when the batch is larger than a message should be. The
   * batch is taken when every message is; a message to send again makes the whole batch go again.
   */
  private static final class Batches<T> implements BatchExporter<T, Packed> {
    private final Config config;
    private final boolean logs;
    private final Encoding<T> encoding;
    private OtlpEncoder encoder;
    private OtlpTransport transport;

    Batches(Config config, boolean logs, Encoding<T> encoding) {
      this.config = config;
      this.logs = logs;
      this.encoding = encoding;
    }

    @Override
    public Packed pack(List<T> items) {
      if (encoder == null) {
        encoder = new OtlpEncoder(config.resourceAttributes, config.serviceName);
      }
      return encoding.pack(encoder, items);
    }

    @Override
    public Packed join(List<Packed> pieces) {
      return Packed.join(pieces);
    }

    @Override
    public void export(Packed batch, int from, Consumer<Throwable> done) {
      if (transport == null) {
        transport = transport(config, logs);
      }
      List<Message> messages = new ArrayList<>(1);
      for (int i = from; i < batch.count() || messages.isEmpty(); i += encoder.encoded()) {
        messages.add(encoder.message(batch, i));
      }
      if (messages.size() == 1) {
        transport.send(messages.get(0), done);
        return;
      }
      Answers answers = new Answers(messages.size(), done);
      for (Message m : messages) {
        transport.send(m, answers::answer);
      }
    }

    @Override
    public String destination() {
      return "the collector at " + (logs ? config.logs : config.traces).endpoint();
    }

    @Override
    public void shutdown() {}
  }

  /** The answers to the messages of one batch, as one: a failure to retry wins over a rejection. */
  private static final class Answers {
    private final Consumer<Throwable> done;
    private int waiting;
    private Throwable failure;

    Answers(int messages, Consumer<Throwable> done) {
      this.waiting = messages;
      this.done = done;
    }

    void answer(Throwable t) {
      Throwable result;
      synchronized (this) {
        if (t != null && (failure == null || failure instanceof BatchExporter.Rejected)) {
          failure = t;
        }
        if (--waiting > 0) {
          return;
        }
        result = failure;
      }
      done.accept(result);
    }
  }
}
