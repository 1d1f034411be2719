package dynamo.obs.bootstrap.otel;

/**
 * The hand-off between the application's OpenTelemetry API and the agent: the advice woven into the
 * API ({@code GlobalOpenTelemetry.get()}, {@code ContextStorage.get()}) and the bridge classes the agent
 * defines next to the API in the application's class loader call this; the agent runtime installs its
 * implementation. Only JDK types cross it — the application's API classes are not visible here, nor the
 * agent's relocated OpenTelemetry SDK. A span of the agent is an opaque handle. Until the runtime is
 * installed (and when it does not trace) every call is the no-op below: the application's API stays as it
 * is. Implementations never throw.
 */
public class OpenTelemetryBridge {
  private static volatile OpenTelemetryBridge current = new OpenTelemetryBridge();

  protected OpenTelemetryBridge() {
  }

  public static OpenTelemetryBridge get() {
    return current;
  }

  /** Called once by the agent runtime when it traces. */
  public static void install(OpenTelemetryBridge bridge) {
    if (bridge != null) {
      current = bridge;
    }
  }

  // ---- the woven API ---------------------------------------------------------------------------

  /**
   * {@code GlobalOpenTelemetry.get()} returned {@code global}: what the application gets instead (or it).
   * {@code api} is the woven class, which says which class loader holds the application's API.
   */
  public Object openTelemetry(Class<?> api, Object global) {
    return global;
  }

  /**
   * The API's no-op tracer ({@code DefaultTracer}) returned {@code builder} for a span named {@code name}:
   * what the application gets instead (or it). A tracer the application took before the agent's weaving was
   * in place is the no-op one; its spans are the agent's all the same.
   */
  public Object spanBuilder(Class<?> api, Object builder, String name) {
    return builder;
  }

  /** {@code ContextStorage.get()} returned {@code storage}: what the application gets instead (or it). */
  public Object contextStorage(Class<?> api, Object storage) {
    return storage;
  }

  // ---- the bridge classes ------------------------------------------------------------------------

  /** The agent's span this thread is in (its request's), or null. */
  public Object currentSpan() {
    return null;
  }

  /** {@code {traceId, spanId}} of a span, and whether it is sampled ({@link #sampled}). */
  public String[] ids(Object span) {
    return null;
  }

  public boolean sampled(Object span) {
    return false;
  }

  public boolean recording(Object span) {
    return false;
  }

  /**
   * Starts a span of the agent's tracer, scope {@code scope} ({@code version} may be null). Its parent is
   * {@code parentSpan} (an agent span), else the span of {@code parentTraceId}/{@code parentSpanId}, else
   * none (a new trace). {@code kind}: 0 internal, 1 server, 2 client, 3 producer, 4 consumer.
   * {@code attributes} and each link's are alternating keys and values (String, Boolean, Long, Double, or a
   * List of one of these); {@code links} alternates {@code {traceId, spanId}} and its attributes.
   * {@code startEpochNanos} 0 means now. Null when the agent makes no spans.
   */
  public Object startSpan(String scope, String version, String name, int kind, Object parentSpan,
      String parentTraceId, String parentSpanId, boolean parentSampled, boolean parentRemote, long startEpochNanos,
      Object[] attributes, Object[] links) {
    return null;
  }

  public void setAttribute(Object span, String key, Object value) {
  }

  /** An event at {@code epochNanos} (0: now), its attributes as alternating keys and values. */
  public void addEvent(Object span, String name, long epochNanos, Object[] attributes) {
  }

  /** The exception as an event, as the OpenTelemetry SDK records it, with further attributes. */
  public void recordException(Object span, Throwable exception, Object[] attributes) {
  }

  /** {@code code}: 0 unset, 1 ok, 2 error. */
  public void setStatus(Object span, int code, String description) {
  }

  public void updateName(Object span, String name) {
  }

  /** Ends the span at {@code epochNanos} (0: now). */
  public void end(Object span, long epochNanos) {
  }

  /**
   * The application made a context current on this thread: its span ({@code spanTraceId}/{@code spanId},
   * null when it has none) and the W3C {@code baggage} header of its baggage (null when empty) are what
   * outgoing calls carry until {@link #detached}. Returns what to hand to {@link #detached}.
   */
  public Object attached(String traceId, String spanId, boolean sampled, String baggage) {
    return null;
  }

  /** The scope of {@link #attached} was closed. */
  public void detached(Object token) {
  }
}
