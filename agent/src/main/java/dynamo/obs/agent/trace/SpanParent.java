package dynamo.obs.agent.trace;

/** What a new span takes from its parent: a span of this process or one received in {@code traceparent}. */
public interface SpanParent {
  long traceIdHigh();

  long traceIdLow();

  long spanIdValue();

  boolean sampled();

  /** The W3C tracestate travelling with the trace, or null. */
  String traceState();

  /** Whether the parent lives in another process. */
  boolean remote();
}
