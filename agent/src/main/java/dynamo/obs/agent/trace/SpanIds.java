package dynamo.obs.agent.trace;

import java.util.concurrent.ThreadLocalRandom;

/** The identity of a span, here or in another process: trace id, span id, sampled flag, tracestate. */
abstract class SpanIds implements SpanParent {
  private final long traceHigh;
  private final long traceLow;
  private final long spanId;
  private final String traceState;
  private boolean sampled;

  SpanIds(long traceHigh, long traceLow, long spanId, boolean sampled, String traceState) {
    this.traceHigh = traceHigh;
    this.traceLow = traceLow;
    this.spanId = spanId;
    this.sampled = sampled;
    this.traceState = traceState;
  }

  /** A random id part that is never zero (an all-zero id is invalid in W3C trace context). */
  static long randomNonZero() {
    long v;
    do {
      v = ThreadLocalRandom.current().nextLong();
    } while (v == 0);
    return v;
  }

  /** Decided once, right after creation, before anyone else sees the span. */
  void sampled(boolean sampled) {
    this.sampled = sampled;
  }

  @Override
  public long traceIdHigh() {
    return traceHigh;
  }

  @Override
  public long traceIdLow() {
    return traceLow;
  }

  @Override
  public long spanIdValue() {
    return spanId;
  }

  @Override
  public boolean sampled() {
    return sampled;
  }

  @Override
  public String traceState() {
    return traceState;
  }
}
