package dynamo.obs.agent.targets.otelapi;

import dynamo.obs.agent.trace.SpanParent;
import io.opentelemetry.api.trace.SpanContext;

/**
 * What the application made current on a thread through its OpenTelemetry API: its span (null when the
 * context has none) and the W3C {@code baggage} header of its baggage (null when empty or when baggage is
 * not propagated). Outgoing calls carry these while it is current.
 */
public record ApplicationContext(SpanParent span, String baggage, ApplicationContext outer) {
  private static final ThreadLocal<ApplicationContext> CURRENT = new ThreadLocal<>();

  /** The application's context on this thread, or null. */
  public static ApplicationContext current() {
    return CURRENT.get();
  }

  static ApplicationContext attach(SpanContext span, String baggage) {
    ApplicationContext outer = CURRENT.get();
    CURRENT.set(new ApplicationContext(span == null ? null : new SpanParent.Local(span), baggage, outer));
    return outer;
  }

  /** Restores what was current before (the token {@link #attach} returned). */
  static void restore(ApplicationContext outer) {
    CURRENT.set(outer);
  }
}
