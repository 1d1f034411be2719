package dynamo.obs.otelapi.bridge;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;

/**
 * What {@code GlobalOpenTelemetry.get()} gives the application while the agent traces: tracers whose spans
 * are the agent's (in the agent's traces, exported by the agent), W3C trace context and baggage
 * propagators; metrics and logs through it stay the API's no-ops.
 */
public final class ApplicationOpenTelemetry implements OpenTelemetry {
  private final TracerProvider tracers = new ApplicationTracerProvider(null);
  private final ContextPropagators propagators = ContextPropagators.create(TextMapPropagator.composite(
      W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance()));

  @Override
  public TracerProvider getTracerProvider() {
    return tracers;
  }

  @Override
  public ContextPropagators getPropagators() {
    return propagators;
  }
}
