package dynamo.obs.agent.trace;

import java.util.concurrent.ThreadLocalRandom;

/**
 * One span of SPEC §5, kept as plain values: ids as longs (hex is made only when a log line or
 * the exporter asks), a few attributes in two small arrays, times in epoch nanoseconds. The
 * recorder that owns it sets attributes from one thread at a time and ends it exactly once;
 * after {@link #end} it is only read (by the export thread).
 */
public final class TraceSpan extends SpanIds implements ActiveSpan {
  public enum Kind { SERVER, INTERNAL }

  private static final int MAX_ATTRIBUTES = 16;

  private final String name;
  private final Kind kind;
  private final long parentSpanId;
  private final boolean parentRemote;
  private final String xRequestId;
  private final String requestId;
  private final long startEpochNanos;
  private final long startNanoTime;
  private volatile long endEpochNanos;
  private final Tracing tracing;

  private final String[] keys = new String[MAX_ATTRIBUTES];
  private final Object[] values = new Object[MAX_ATTRIBUTES];
  private int attributes;
  private boolean error;
  private String errorMessage;

  private String traceIdHex;
  private String spanIdHex;

  TraceSpan(Tracing tracing, String name, Kind kind, SpanParent parent, String xRequestId, String requestId,
      long startEpochNanos, long startNanoTime) {
    // a new trace: a random high part and a non-zero low part (the part ratio sampling reads)
    super(parent != null ? parent.traceIdHigh() : ThreadLocalRandom.current().nextLong(),
        parent != null ? parent.traceIdLow() : randomNonZero(), randomNonZero(), false,
        parent != null ? parent.traceState() : null);
    this.tracing = tracing;
    this.name = name;
    this.kind = kind;
    this.parentSpanId = parent != null ? parent.spanIdValue() : 0;
    this.parentRemote = parent != null && parent.remote();
    this.xRequestId = xRequestId;
    this.requestId = requestId;
    this.startEpochNanos = startEpochNanos;
    this.startNanoTime = startNanoTime;
  }

  /** Sets (or replaces) an attribute; values are String, Long, Double or Boolean. Null is ignored. */
  public TraceSpan set(String key, Object value) {
    if (value == null) {
      return this;
    }
    for (int i = 0; i < attributes; i++) {
      if (keys[i].equals(key)) {
        values[i] = value;
        return this;
      }
    }
    if (attributes < MAX_ATTRIBUTES) {
      keys[attributes] = key;
      values[attributes] = value;
      attributes++;
    }
    return this;
  }

  public TraceSpan set(String key, long value) {
    return set(key, (Object) value);
  }

  /** Marks the span failed (OTel status ERROR) with a short description. */
  public void error(String message) {
    error = true;
    errorMessage = message;
  }

  /** Ends the span now; a second call does nothing. */
  public void end() {
    if (endEpochNanos != 0) {
      return;
    }
    endEpochNanos = startEpochNanos + Math.max(0, System.nanoTime() - startNanoTime);
    tracing.ended(this);
  }

  public boolean ended() {
    return endEpochNanos != 0;
  }

  // ---- read by the exporter and span-event logging, after the end -------------------------------

  public Kind kindOf() {
    return kind;
  }

  public long startEpochNanos() {
    return startEpochNanos;
  }

  public long endEpochNanos() {
    return endEpochNanos;
  }

  public int attributeCount() {
    return attributes;
  }

  public String attributeKey(int i) {
    return keys[i];
  }

  public Object attributeValue(int i) {
    return values[i];
  }

  /** The value of an attribute, or null. */
  public Object attribute(String key) {
    for (int i = 0; i < attributes; i++) {
      if (keys[i].equals(key)) {
        return values[i];
      }
    }
    return null;
  }

  public boolean isError() {
    return error;
  }

  public String errorDescription() {
    return errorMessage;
  }

  /** The parent's span id, or 0 for a root span. */
  public long parentSpanIdValue() {
    return parentSpanId;
  }

  public boolean parentIsRemote() {
    return parentRemote;
  }

  @Override
  public boolean remote() {
    return false;
  }

  // ---- ActiveSpan (hex made once, when first asked) ----------------------------------------------

  @Override
  public String traceId() {
    String t = traceIdHex;
    if (t == null) {
      t = Hex.of(traceIdHigh(), traceIdLow());
      traceIdHex = t;
    }
    return t;
  }

  @Override
  public String spanId() {
    String s = spanIdHex;
    if (s == null) {
      s = Hex.of(spanIdValue());
      spanIdHex = s;
    }
    return s;
  }

  @Override
  public String parentId() {
    return parentSpanId == 0 ? null : Hex.of(parentSpanId);
  }

  @Override
  public String spanName() {
    return name;
  }

  @Override
  public String xRequestId() {
    return xRequestId;
  }

  @Override
  public String requestId() {
    return requestId;
  }
}
