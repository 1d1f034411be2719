package dynamo.obs.it.support;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * An OTLP receiver on 127.0.0.1 that agent tests assert exports with, whatever the transport: it
 * keeps what it accepted as flat {@link ReceivedSpan}s and {@link ReceivedLog}s, counts the export
 * calls of each signal (refused ones too), remembers the request headers of the last one, and
 * answers as the test switches it at runtime: accept, {@link #slow}, {@link #refuse}. It can be
 * stopped and started again on the same port, as a collector that goes away and returns.
 *
 * @param <R> how the transport refuses an export (a gRPC status code, an HTTP status)
 */
public abstract class OtlpReceiver<R> implements AutoCloseable {
  /** The OTLP signals, each exported by calls of its own. */
  public enum Signal {
    TRACES, LOGS, METRICS
  }

  /**
   * Whether it listens with TLS ({@link TestCertificates}' server certificate), and whether it then requires a
   * client certificate signed by the test CA (mTLS).
   */
  public enum Tls {
    OFF, SERVER, MUTUAL
  }

  /** How export calls are answered: after {@code delay}, with {@code refusal} unless it is null. */
  private record Mode<R>(Duration delay, R refusal) {
  }

  private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
  private final List<ReceivedLog> logs = new CopyOnWriteArrayList<>();
  private final Map<Signal, AtomicInteger> exportCalls = counters();
  private final Map<Signal, AtomicInteger> refusedCalls = counters();
  private volatile Map<String, String> lastHeaders = Map.of();
  private final Map<Signal, Map<String, String>> lastHeadersBySignal = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile Mode<R> mode = new Mode<>(Duration.ZERO, null);
  private boolean running;
  private int port = -1;
  private Tls tls = Tls.OFF;

  private static Map<Signal, AtomicInteger> counters() {
    Map<Signal, AtomicInteger> counters = new EnumMap<>(Signal.class);
    for (Signal signal : Signal.values()) {
      counters.put(signal, new AtomicInteger());
    }
    return counters;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Starts on a port the OS picks. */
  public final void start() {
    start(0);
  }

  /** Starts on {@code port} (0: the OS picks), e.g. the {@link #port()} of an earlier start. */
  public final synchronized void start(int port) {
    if (running) {
      throw new IllegalStateException(this + " is already running");
    }
    try {
      this.port = bind(port);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
    }
    running = true;
  }

  /** Stops listening and drops open connections; what was received stays readable. */
  public final synchronized void stop() {
    if (running) {
      running = false;
      unbind();
    }
  }

  @Override
  public final void close() {
    stop();
  }

  /** The port bound by the last start, also after {@link #stop()} (to start again on it); -1 before. */
  public final synchronized int port() {
    return port;
  }

  /** Listens with TLS from the next start on (the certificates are made at the first use). */
  public final synchronized OtlpReceiver<R> tls(Tls tls) {
    this.tls = Objects.requireNonNull(tls);
    return this;
  }

  protected final synchronized Tls tls() {
    return tls;
  }

  /** The base URL an OTLP exporter is pointed at (https with the name the server certificate has, under TLS). */
  public final synchronized String endpoint() {
    return tls == Tls.OFF ? "http://127.0.0.1:" + port : "https://localhost:" + port;
  }

  /** Listens on 127.0.0.1:{@code port} and returns the bound port. */
  protected abstract int bind(int port) throws IOException;

  /** Stops listening and ends calls in progress, also those held by {@link #slow}. */
  protected abstract void unbind();

  // ---------------------------------------------------------------- modes

  /** Accepts every export again (the default). */
  public final void accept() {
    mode = new Mode<>(Duration.ZERO, null);
  }

  /** Answers every export OK, but only after {@code delay}. */
  public final void slow(Duration delay) {
    mode = new Mode<>(Objects.requireNonNull(delay), null);
  }

  /** Answers every export with {@code refusal} and keeps nothing of it. */
  public final void refuse(R refusal) {
    mode = new Mode<>(Duration.ZERO, Objects.requireNonNull(refusal));
  }

  /** The refusal for a call that was still waiting when the receiver stopped. */
  protected abstract R unavailable();

  // ---------------------------------------------------------------- receiving (for the transports)

  /** Remembers the headers of the export call of {@code signal} arriving now, names in lower case, repeated values comma-joined. */
  protected final void recordHeaders(Signal signal, Map<String, ? extends List<String>> headers) {
    Map<String, String> normalised = new TreeMap<>();
    headers.forEach((name, values) -> normalised.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
    lastHeaders = Map.copyOf(normalised);
    if (signal != null) {
      lastHeadersBySignal.put(signal, lastHeaders);
    }
  }

  /** Counts the call and answers it as the mode says; null means accepted, and the spans are kept. */
  protected final R receive(ExportTraceServiceRequest request) {
    return receive(Signal.TRACES, () -> spans.addAll(OtlpFlattening.spans(request)));
  }

  /** Counts the call and answers it as the mode says; null means accepted, and the log records are kept. */
  protected final R receive(ExportLogsServiceRequest request) {
    return receive(Signal.LOGS, () -> logs.addAll(OtlpFlattening.logs(request)));
  }

  /** Counts the call and answers it as the mode says; null means accepted. Metric content is not kept. */
  protected final R receive(ExportMetricsServiceRequest request) {
    return receive(Signal.METRICS, () -> {
    });
  }

  private R receive(Signal signal, Runnable keep) {
    Mode<R> answer = mode;
    exportCalls.get(signal).incrementAndGet();
    if (!answer.delay().isZero()) {
      try {
        Thread.sleep(answer.delay().toMillis());
      } catch (InterruptedException stopping) {
        Thread.currentThread().interrupt();
        refusedCalls.get(signal).incrementAndGet();
        return unavailable();
      }
    }
    if (answer.refusal() != null) {
      refusedCalls.get(signal).incrementAndGet();
      return answer.refusal();
    }
    keep.run();
    return null;
  }

  // ---------------------------------------------------------------- what was received

  /** The spans accepted so far, in arrival order. */
  public final List<ReceivedSpan> spans() {
    return List.copyOf(spans);
  }

  /** The log records accepted so far, in arrival order. */
  public final List<ReceivedLog> logs() {
    return List.copyOf(logs);
  }

  /** Export calls of {@code signal} received, refused ones included. */
  public final int exportCalls(Signal signal) {
    return exportCalls.get(signal).get();
  }

  /** Export calls of {@code signal} answered with a refusal. */
  public final int refusedCalls(Signal signal) {
    return refusedCalls.get(signal).get();
  }

  /** Request headers of the last export call of any signal: lower-case name → value. */
  public final Map<String, String> lastHeaders() {
    return lastHeaders;
  }

  /** Request headers of the last export call of {@code signal}, or none. */
  public final Map<String, String> lastHeaders(Signal signal) {
    return lastHeadersBySignal.getOrDefault(signal, Map.of());
  }

  /** Waits until the accepted spans satisfy {@code done} and returns them; fails listing what arrived. */
  public final List<ReceivedSpan> awaitSpans(Predicate<? super List<ReceivedSpan>> done, Duration timeout) {
    return Poll.until("the received spans to match", this::spans, done, timeout, this::describeCalls);
  }

  /** Waits until the accepted log records satisfy {@code done} and returns them; fails listing what arrived. */
  public final List<ReceivedLog> awaitLogs(Predicate<? super List<ReceivedLog>> done, Duration timeout) {
    return Poll.until("the received log records to match", this::logs, done, timeout, this::describeCalls);
  }

  /** Forgets everything received (spans, logs, counts, headers); the mode stays. */
  public final void clear() {
    spans.clear();
    logs.clear();
    exportCalls.values().forEach(count -> count.set(0));
    refusedCalls.values().forEach(count -> count.set(0));
    lastHeaders = Map.of();
    lastHeadersBySignal.clear();
  }

  private String describeCalls() {
    StringBuilder text = new StringBuilder(this + " export calls (refused):");
    for (Signal signal : Signal.values()) {
      text.append(' ').append(signal.name().toLowerCase(Locale.ROOT)).append('=').append(exportCalls(signal))
          .append(" (").append(refusedCalls(signal)).append(')');
    }
    return text.append("; headers of the last call: ").append(lastHeaders).toString();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + " on " + endpoint();
  }
}
