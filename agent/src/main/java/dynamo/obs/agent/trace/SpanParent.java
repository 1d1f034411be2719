package dynamo.obs.agent.trace;

import io.opentelemetry.api.trace.SpanContext;

/** What a new span takes from its parent: a span of this process or one received in {@code traceparent}. */
public interface SpanParent {
  /** The trace id, span id, sampled flag and trace state, as OpenTelemetry holds them. */
  SpanContext spanContext();

  default boolean sampled() {
    return spanContext().isSampled();
  }

  /** The W3C tracestate travelling with the trace, as received, or null. */
  String traceState();

  /** Whether the parent lives in another process. */
  boolean remote();

  /** A span of this process that is not the agent's own (the OpenTelemetry Java agent's, the application's). */
  record Local(SpanContext spanContext) implements SpanParent {
    @Override
    public String traceState() {
      return null;
    }

    @Override
    public boolean remote() {
      return false;
    }
  }
}
