package dynamo.obs.otelapi.bridge;

import dynamo.obs.bootstrap.otel.OpenTelemetryBridge;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A span of the application started on the agent's tracer: its parent is the span of the given context,
 * else of the current one (the agent's request span when the application has none of its own).
 */
public final class ApplicationSpanBuilder implements SpanBuilder {
  private final String scope;
  private final String version;
  private String name;
  private Context parent;
  private boolean noParent;
  private int kind;
  private long startEpochNanos;
  private final List<Object> attributes = new ArrayList<>();
  private List<Object> links;

  public ApplicationSpanBuilder(String scope, String version, String name) {
    this.scope = scope;
    this.version = version;
    this.name = name;
  }

  @Override
  public SpanBuilder setParent(Context context) {
    if (context != null) {
      parent = context;
      noParent = false;
    }
    return this;
  }

  @Override
  public SpanBuilder setNoParent() {
    noParent = true;
    parent = null;
    return this;
  }

  @Override
  public SpanBuilder addLink(SpanContext spanContext) {
    return addLink(spanContext, Attributes.empty());
  }

  @Override
  public SpanBuilder addLink(SpanContext spanContext, Attributes attributes) {
    if (spanContext != null && spanContext.isValid()) {
      if (links == null) {
        links = new ArrayList<>();
      }
      links.add(new String[]{spanContext.getTraceId(), spanContext.getSpanId()});
      links.add(ApplicationSpan.flat(attributes));
    }
    return this;
  }

  @Override
  public SpanBuilder setAttribute(String key, String value) {
    return put(key, value);
  }

  @Override
  public SpanBuilder setAttribute(String key, long value) {
    return put(key, value);
  }

  @Override
  public SpanBuilder setAttribute(String key, double value) {
    return put(key, value);
  }

  @Override
  public SpanBuilder setAttribute(String key, boolean value) {
    return put(key, value);
  }

  @Override
  public <T> SpanBuilder setAttribute(AttributeKey<T> key, T value) {
    return key == null ? this : put(key.getKey(), value);
  }

  private SpanBuilder put(String key, Object value) {
    if (key != null && value != null) {
      attributes.add(key);
      attributes.add(value);
    }
    return this;
  }

  @Override
  public SpanBuilder setSpanKind(SpanKind spanKind) {
    if (spanKind != null) {
      kind = spanKind == SpanKind.SERVER
          ? 1
          : spanKind == SpanKind.CLIENT
              ? 2
              : spanKind == SpanKind.PRODUCER
                  ? 3
                  : spanKind == SpanKind.CONSUMER ? 4 : 0;
    }
    return this;
  }

  @Override
  public SpanBuilder setStartTimestamp(long startTimestamp, TimeUnit unit) {
    if (unit != null && startTimestamp > 0) {
      startEpochNanos = unit.toNanos(startTimestamp);
    }
    return this;
  }

  @Override
  public Span startSpan() {
    Context context = noParent ? null : parent != null ? parent : Context.current();
    Span p = context == null ? null : Span.fromContextOrNull(context);
    SpanContext pc = p == null ? SpanContext.getInvalid() : p.getSpanContext();
    boolean valid = pc.isValid();
    Object handle = OpenTelemetryBridge.get().startSpan(scope, version, name, kind,
        p instanceof ApplicationSpan ? ((ApplicationSpan) p).handle : null, valid ? pc.getTraceId() : null,
        valid ? pc.getSpanId() : null, pc.isSampled(), pc.isRemote(), startEpochNanos,
        attributes.isEmpty() ? null : attributes.toArray(), links == null ? null : links.toArray());
    Span span = handle == null ? null : ApplicationSpan.of(handle);
    return span != null ? span : Span.wrap(pc);
  }
}
