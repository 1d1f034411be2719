package dynamo.obs.agent.worker;

import dynamo.obs.agent.trace.SpanParent;
import dynamo.obs.agent.trace.TraceSpan;

/** The request the current thread serves, as engine calls and routing decisions see it. */
public interface CallContext {
  /** The worker's inbound HTTP request, or null. */
  InboundRequest inbound();

  /** The parent of a span made now: the request's span, else the parent received with it, else null. */
  SpanParent parent();

  String xRequestId();

  String requestId();

  /** A routing decision was made in this request: the next hop is its child. */
  void routed(TraceSpan span);

  CallContext NONE = new CallContext() {
    @Override
    public InboundRequest inbound() {
      return null;
    }

    @Override
    public SpanParent parent() {
      return null;
    }

    @Override
    public String xRequestId() {
      return null;
    }

    @Override
    public String requestId() {
      return null;
    }

    @Override
    public void routed(TraceSpan span) {
    }
  };
}
