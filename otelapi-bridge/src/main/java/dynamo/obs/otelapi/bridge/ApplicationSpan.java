package dynamo.obs.otelapi.bridge;

import dynamo.obs.bootstrap.otel.OpenTelemetryBridge;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A span of the agent as the application's API sees it: every call goes to the agent's span. */
final class ApplicationSpan implements Span {
  final Object handle;
  private final SpanContext context;

  private ApplicationSpan(Object handle, SpanContext context) {
    this.handle = handle;
    this.context = context;
  }

  /** The agent's span {@code handle} as an application span, or null. */
  static ApplicationSpan of(Object handle) {
    OpenTelemetryBridge b = OpenTelemetryBridge.get();
    String[] ids = b.ids(handle);
    if (ids == null) {
      return null;
    }
    SpanContext c = SpanContext.create(ids[0], ids[1], b.sampled(handle)
        ? TraceFlags.getSampled()
        : TraceFlags.getDefault(), TraceState.getDefault());
    return c.isValid() ? new ApplicationSpan(handle, c) : null;
  }

  /** Attributes as alternating keys and values (lists for the array types), or null when there are none. */
  static Object[] flat(Attributes attributes) {
    if (attributes == null || attributes.isEmpty()) {
      return null;
    }
    List<Object> out = new ArrayList<>(attributes.size() * 2);
    attributes.forEach((k, v) -> {
      out.add(k.getKey());
      out.add(v);
    });
    return out.toArray();
  }

  @Override
  public <T> Span setAttribute(AttributeKey<T> key, T value) {
    if (key != null && value != null) {
      OpenTelemetryBridge.get().setAttribute(handle, key.getKey(), value);
    }
    return this;
  }

  @Override
  public Span addEvent(String name, Attributes attributes) {
    OpenTelemetryBridge.get().addEvent(handle, name, 0, flat(attributes));
    return this;
  }

  @Override
  public Span addEvent(String name, Attributes attributes, long timestamp, TimeUnit unit) {
    OpenTelemetryBridge.get().addEvent(handle, name, unit.toNanos(timestamp), flat(attributes));
    return this;
  }

  @Override
  public Span setStatus(StatusCode statusCode, String description) {
    OpenTelemetryBridge.get().setStatus(handle, statusCode == StatusCode.ERROR
        ? 2
        : statusCode == StatusCode.OK
            ? 1
            : 0,
        description);
    return this;
  }

  @Override
  public Span recordException(Throwable exception, Attributes additionalAttributes) {
    OpenTelemetryBridge.get().recordException(handle, exception, flat(additionalAttributes));
    return this;
  }

  @Override
  public Span updateName(String name) {
    OpenTelemetryBridge.get().updateName(handle, name);
    return this;
  }

  @Override
  public void end() {
    OpenTelemetryBridge.get().end(handle, 0);
  }

  @Override
  public void end(long timestamp, TimeUnit unit) {
    OpenTelemetryBridge.get().end(handle, unit.toNanos(timestamp));
  }

  @Override
  public SpanContext getSpanContext() {
    return context;
  }

  @Override
  public boolean isRecording() {
    return OpenTelemetryBridge.get().recording(handle);
  }
}
