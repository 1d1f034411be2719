package dynamo.obs.otelapi.bridge;

import dynamo.obs.bootstrap.otel.OpenTelemetryBridge;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapSetter;

/**
 * The application's context storage, seen through the agent: a context without a span of the
 * application's own holds the agent's span of the thread (the request it serves), so {@code Span.current()}
 * and new spans are in the agent's trace; a context the application makes current tells the agent its
 * span and baggage, which outgoing calls then carry.
 */
public final class ApplicationContextStorage implements ContextStorage, TextMapSetter<String[]> {
  private final ContextStorage delegate;

  public ApplicationContextStorage(ContextStorage delegate) {
    this.delegate = delegate;
  }

  /** The storage this one wraps (the agent keeps one wrapper per storage). */
  public ContextStorage delegate() {
    return delegate;
  }

  @Override
  public Scope attach(Context toAttach) {
    Scope scope = delegate.attach(toAttach);
    if (toAttach == null) {
      return scope;
    }
    Span span = Span.fromContextOrNull(toAttach);
    SpanContext c = span == null ? null : span.getSpanContext();
    boolean valid = c != null && c.isValid();
    String baggage = null;
    if (!Baggage.fromContext(toAttach).isEmpty()) {
      String[] header = new String[1];
      W3CBaggagePropagator.getInstance().inject(toAttach, header, this);
      baggage = header[0];
    }
    if (!valid && baggage == null) {
      return scope;
    }
    Object token = OpenTelemetryBridge.get().attached(valid ? c.getTraceId() : null, valid ? c.getSpanId() : null,
        valid && c.isSampled(), baggage);
    return new ApplicationScope(scope, token);
  }

  @Override
  public void set(String[] carrier, String key, String value) {
    carrier[0] = value;
  }

  @Override
  public Context current() {
    Context c = delegate.current();
    if (c != null && Span.fromContextOrNull(c) != null) {
      return c;
    }
    Object agentSpan = OpenTelemetryBridge.get().currentSpan();
    Span span = agentSpan == null ? null : ApplicationSpan.of(agentSpan);
    if (span == null) {
      return c;
    }
    return (c != null ? c : Context.root()).with(span);
  }
}
