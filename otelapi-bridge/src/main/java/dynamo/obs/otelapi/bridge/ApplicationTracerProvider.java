package dynamo.obs.otelapi.bridge;

import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerBuilder;
import io.opentelemetry.api.trace.TracerProvider;

/** The application's tracer provider: tracers whose spans the agent makes and exports. */
final class ApplicationTracerProvider implements TracerProvider, TracerBuilder {
  private final String scope;
  private String version;

  ApplicationTracerProvider(String scope) {
    this.scope = scope;
  }

  @Override
  public Tracer get(String instrumentationScopeName) {
    return new ApplicationTracer(instrumentationScopeName, null);
  }

  @Override
  public Tracer get(String instrumentationScopeName, String instrumentationScopeVersion) {
    return new ApplicationTracer(instrumentationScopeName, instrumentationScopeVersion);
  }

  @Override
  public TracerBuilder tracerBuilder(String instrumentationScopeName) {
    return new ApplicationTracerProvider(instrumentationScopeName);
  }

  // ---- as the builder tracerBuilder returns (a provider of one scope) ---------------------------

  @Override
  public TracerBuilder setSchemaUrl(String schemaUrl) {
    return this;
  }

  @Override
  public TracerBuilder setInstrumentationVersion(String instrumentationScopeVersion) {
    version = instrumentationScopeVersion;
    return this;
  }

  @Override
  public Tracer build() {
    return new ApplicationTracer(scope, version);
  }
}
