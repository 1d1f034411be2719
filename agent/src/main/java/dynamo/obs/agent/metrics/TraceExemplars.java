package dynamo.obs.agent.metrics;

import dynamo.obs.agent.trace.ActiveSpan;
import dynamo.obs.agent.trace.SpanParent;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.tracer.common.SpanContext;
import io.prometheus.metrics.tracer.initializer.SpanContextSupplier;

/**
 * Trace-id exemplars on the latency histograms (TTFT, ITL, request durations) while spans are exported:
 * a spike on a Grafana panel links to its trace in Tempo. The Prometheus client asks this for the span
 * of the thread that observes a value — the request the agent's context says the thread serves — at
 * most once per sampling interval per series (its rate limit; the other observations cost one atomic
 * read), and keeps the sampled span's ids with the value; they appear in the OpenMetrics exposition.
 * Without export the histograms have no exemplars at all: their trace ids would lead nowhere.
 */
public final class TraceExemplars implements SpanContext {
  private static volatile boolean enabled;

  private TraceExemplars() {
  }

  /** Called once at start when spans are exported, before the histograms are made. */
  public static void enable() {
    enabled = true;
    SpanContextSupplier.setSpanContext(new TraceExemplars());
  }

  /** A histogram builder: with exemplars when spans are exported, else without. */
  public static Histogram.Builder histogram() {
    Histogram.Builder b = Histogram.builder();
    return enabled ? b.withExemplars() : b.withoutExemplars();
  }

  /** Whether the latency histograms carry exemplars: spans are exported. */
  public static boolean enabled() {
    return enabled;
  }

  /** The thread's span when it is sampled (exported): an exemplar must name a trace that exists. */
  private static ActiveSpan sampled() {
    ActiveSpan s = ActiveSpan.current();
    return s instanceof SpanParent && ((SpanParent) s).sampled() ? s : null;
  }

  @Override
  public String getCurrentTraceId() {
    ActiveSpan s = sampled();
    return s == null ? null : s.traceId();
  }

  @Override
  public String getCurrentSpanId() {
    ActiveSpan s = sampled();
    return s == null ? null : s.spanId();
  }

  @Override
  public boolean isCurrentSpanSampled() {
    return sampled() != null;
  }

  @Override
  public void markCurrentSpanAsExemplar() {
  }
}
