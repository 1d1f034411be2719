package dynamo.obs.agent.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.ReadableSpan;
import java.util.concurrent.TimeUnit;

/**
 * One span of SPEC §5: an OpenTelemetry SDK span (a recording one when sampled, else one that only
 * carries its ids), with what the agent's log lines and next hops need beside it: the request ids, the
 * received tracestate, the start and end as epoch nanoseconds. The recorder that owns it sets attributes
 * from one thread at a time and ends it exactly once.
 */
public final class TraceSpan implements SpanParent, ActiveSpan {
  public enum Kind {
    SERVER, INTERNAL
  }

  private final Tracing tracing;
  private final Span span;
  private final SpanContext context;
  private final String name;
  private final Kind kind;
  private final String parentId;
  private final boolean parentRemote;
  private final String traceState;
  private final String xRequestId;
  private final String requestId;
  private final long startEpochNanos;
  private final long startNanoTime;
  private volatile long endEpochNanos;

  TraceSpan(Tracing tracing, Span span, String name, Kind kind, SpanParent parent, String xRequestId,
      String requestId, long startEpochNanos, long startNanoTime) {
    this.tracing = tracing;
    this.span = span;
    this.context = span.getSpanContext();
    this.name = name;
    this.kind = kind;
    this.parentId = parent != null ? parent.spanContext().getSpanId() : null;
    this.parentRemote = parent != null && parent.remote();
    this.traceState = parent != null ? parent.traceState() : null;
    this.xRequestId = xRequestId;
    this.requestId = requestId;
    this.startEpochNanos = startEpochNanos;
    this.startNanoTime = startNanoTime;
  }

  /** Sets (or replaces) an attribute; values are String, Long, Double or Boolean (else their text). Null is ignored. */
  public TraceSpan set(String key, Object value) {
    if (value == null || !span.isRecording()) {
      return this;
    }
    if (value instanceof String) {
      span.setAttribute(key, (String) value);
    } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
      span.setAttribute(key, ((Number) value).longValue());
    } else if (value instanceof Number) {
      span.setAttribute(key, ((Number) value).doubleValue());
    } else if (value instanceof Boolean) {
      span.setAttribute(key, (Boolean) value);
    } else {
      span.setAttribute(key, value.toString());
    }
    return this;
  }

  public TraceSpan set(String key, long value) {
    if (span.isRecording()) {
      span.setAttribute(key, value);
    }
    return this;
  }

  /** Sets a String attribute by a key made once ({@link SpanValues}); null is ignored. */
  public TraceSpan set(AttributeKey<String> key, String value) {
    if (value != null && span.isRecording()) {
      span.setAttribute(key, value);
    }
    return this;
  }

  /** Sets a long attribute by a key made once ({@link SpanValues}). */
  public TraceSpan set(AttributeKey<Long> key, long value) {
    if (span.isRecording()) {
      span.setAttribute(key, value);
    }
    return this;
  }

  /** Marks the span failed (OTel status ERROR) with a short description. */
  public void error(String message) {
    span.setStatus(StatusCode.ERROR, message == null ? "" : message);
  }

  /** Ends the span now; a second call does nothing. */
  public void end() {
    if (endEpochNanos != 0) {
      return;
    }
    long end = startEpochNanos + Math.max(0, System.nanoTime() - startNanoTime);
    endEpochNanos = end;
    span.end(end, TimeUnit.NANOSECONDS);
    tracing.ended(this);
  }

  public boolean ended() {
    return endEpochNanos != 0;
  }

  /** The OpenTelemetry span (to parent others on, or to read back). */
  public Span span() {
    return span;
  }

  public Kind kindOf() {
    return kind;
  }

  public long startEpochNanos() {
    return startEpochNanos;
  }

  public long endEpochNanos() {
    return endEpochNanos;
  }

  /** The value of an attribute (String, Long, Double or Boolean), or null (also when the span does not record). */
  public Object attribute(String key) {
    if (!(span instanceof ReadableSpan)) {
      return null;
    }
    ReadableSpan r = (ReadableSpan) span;
    Object v = r.getAttribute(AttributeKey.stringKey(key));
    if (v == null) {
      v = r.getAttribute(AttributeKey.longKey(key));
    }
    if (v == null) {
      v = r.getAttribute(AttributeKey.doubleKey(key));
    }
    if (v == null) {
      v = r.getAttribute(AttributeKey.booleanKey(key));
    }
    return v;
  }

  public boolean parentIsRemote() {
    return parentRemote;
  }

  @Override
  public SpanContext spanContext() {
    return context;
  }

  @Override
  public boolean remote() {
    return false;
  }

  // ---- ActiveSpan --------------------------------------------------------------------------------

  @Override
  public String traceId() {
    return context.getTraceId();
  }

  @Override
  public String spanId() {
    return context.getSpanId();
  }

  @Override
  public String parentId() {
    return parentId;
  }

  @Override
  public String spanName() {
    return name;
  }

  @Override
  public String traceState() {
    return traceState;
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
