package dynamo.obs.agent.trace;

import java.util.function.Consumer;

/**
 * Starts the spans of SPEC §5 and hands the ended ones on. Present when traces are exported or
 * when JSONL logs want trace ids ({@code OTEL_EXPORT_ENABLED} or {@code DYN_LOGGING_JSONL}); the
 * recorders see null otherwise and make no spans at all.
 *
 * <p>Sampling is parent-based with a trace-id ratio for new traces ({@code OTEL_TRACES_SAMPLE_RATIO},
 * computed as OTel's {@code TraceIdRatioBased} does, so processes agree on the same trace). A span
 * that is not sampled still has ids (for logs and the next hop) and is simply not exported.
 */
public final class Tracing {
  private final long idUpperBound;
  private final Consumer<TraceSpan> exported;
  private final Consumer<TraceSpan> started;
  private final Consumer<TraceSpan> closed;
  private volatile Clock clock = new Clock();

  /**
   * @param exported where sampled spans go when they end (null: nowhere)
   * @param started, closed span lifecycle observers (JSONL span events), or null
   */
  public Tracing(double sampleRatio, Consumer<TraceSpan> exported, Consumer<TraceSpan> started,
      Consumer<TraceSpan> closed) {
    this.idUpperBound = sampleRatio <= 0 ? Long.MIN_VALUE
        : sampleRatio >= 1 ? Long.MAX_VALUE : (long) (sampleRatio * Long.MAX_VALUE);
    this.exported = exported;
    this.started = started;
    this.closed = closed;
  }

  /** A new span, child of {@code parent} (or the root of a new trace when null), started now. */
  public TraceSpan start(String name, TraceSpan.Kind kind, SpanParent parent, String xRequestId, String requestId) {
    long nano = System.nanoTime();
    return start(name, kind, parent, xRequestId, requestId, nano);
  }

  /** As {@link #start(String, TraceSpan.Kind, SpanParent, String, String)} with an earlier start time. */
  public TraceSpan start(String name, TraceSpan.Kind kind, SpanParent parent, String xRequestId, String requestId,
      long startNanoTime) {
    Clock c = clock;
    if (startNanoTime - c.anchorNano > Clock.REANCHOR_NANOS) {
      c = new Clock();
      clock = c;
    }
    long epoch = c.anchorEpochNanos + (startNanoTime - c.anchorNano);
    TraceSpan span = new TraceSpan(this, name, kind, parent, xRequestId, requestId, epoch, startNanoTime);
    boolean sampled = parent != null ? parent.sampled() : Math.abs(span.traceIdLow()) < idUpperBound;
    span.sampled(sampled);
    if (started != null) {
      started.accept(span);
    }
    return span;
  }

  void ended(TraceSpan span) {
    if (closed != null) {
      closed.accept(span);
    }
    if (exported != null && span.sampled()) {
      exported.accept(span);
    }
  }

  /**
   * Wall-clock time from the monotonic clock: one {@code currentTimeMillis}-based anchor, renewed
   * every minute so that clock adjustments are followed, instead of an {@code Instant} per span.
   */
  private static final class Clock {
    static final long REANCHOR_NANOS = 60_000_000_000L;
    final long anchorNano;
    final long anchorEpochNanos;

    Clock() {
      java.time.Instant now = java.time.Instant.now();
      anchorNano = System.nanoTime();
      anchorEpochNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
  }
}
