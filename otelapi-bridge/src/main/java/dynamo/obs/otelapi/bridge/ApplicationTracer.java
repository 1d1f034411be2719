package dynamo.obs.otelapi.bridge;

import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.Tracer;

/** A tracer of the application: its spans are the agent's, under the application's scope name. */
final class ApplicationTracer implements Tracer {
  private final String scope;
  private final String version;

  ApplicationTracer(String scope, String version) {
    this.scope = scope;
    this.version = version;
  }

  @Override
  public SpanBuilder spanBuilder(String spanName) {
    return new ApplicationSpanBuilder(scope, version, spanName);
  }
}
