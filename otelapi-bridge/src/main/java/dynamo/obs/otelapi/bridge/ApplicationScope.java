package dynamo.obs.otelapi.bridge;

import dynamo.obs.bootstrap.otel.OpenTelemetryBridge;
import io.opentelemetry.context.Scope;

/** The scope of a context the application made current: closing it tells the agent too. */
final class ApplicationScope implements Scope {
  private final Scope scope;
  private final Object token;

  ApplicationScope(Scope scope, Object token) {
    this.scope = scope;
    this.token = token;
  }

  @Override
  public void close() {
    OpenTelemetryBridge.get().detached(token);
    scope.close();
  }
}
