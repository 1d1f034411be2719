package dynamo.obs.agent.coexist;

import dynamo.obs.agent.console.AgentLog;
import dynamo.obs.agent.trace.SpanParent;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The OpenTelemetry Java agent, when it runs in this JVM too (either order on the command line): one
 * trace per request, whichever agent's advice runs first. A span the agent starts where a request
 * enters (the frontend's {@code http-request}, a worker's {@code handle_payload}) takes the OpenTelemetry
 * agent's current span as its parent when there is one (its server span, when its advice runs first);
 * and while the agent serves a request on a thread, its request span is current in the OpenTelemetry
 * agent's context, so that the spans that agent starts there (its server span, when its advice runs
 * second; its client spans of outgoing calls) are in that trace too. Each agent exports its own spans.
 *
 * <p>That agent's API lives in the bootstrap class loader under its relocated name
 * ({@code io.opentelemetry.javaagent.shaded.io.opentelemetry}); it is found at the first request (both
 * agents have started by then) and reached through method handles. Anything unexpected turns this off
 * with one warning: the two agents then make separate traces.
 */
public final class OpenTelemetryAgent {
  private static final AgentLog LOG = AgentLog.forTarget("dynamo_obs");
  /**
   * {@code io.opentelemetry.javaagent.}, spelled so that the relocation of the agent's own OpenTelemetry
   * classes (every string that starts with {@code io.opentelemetry} gets the shaded prefix) leaves it alone.
   */
  static final String PACKAGE = String.join(".", "io", "opentelemetry", "javaagent", "");
  /** The OpenTelemetry agent's relocated API, in the bootstrap class loader. */
  private static final String API = PACKAGE + "shaded." + String.join(".", "io", "opentelemetry", "");
  private static final ThreadLocal<Object> SCOPE = new ThreadLocal<>();
  private static volatile boolean looked;
  private static volatile OpenTelemetryAgent found;

  /** {@code () Object}: its current span's SpanContext. */
  private final MethodHandle currentSpanContext;
  private final MethodHandle isValid;
  private final MethodHandle traceId;
  private final MethodHandle spanId;
  private final MethodHandle isSampled;
  /** {@code SpanContext.create(String, String, TraceFlags, TraceState)}. */
  private final MethodHandle create;
  private final Object sampled;
  private final Object notSampled;
  private final Object noState;
  /** {@code Span.wrap(SpanContext)}. */
  private final MethodHandle wrap;
  /** {@code Span.makeCurrent()}: its Scope. */
  private final MethodHandle makeCurrent;
  private final MethodHandle close;

  private OpenTelemetryAgent(ClassLoader boot) throws Throwable {
    MethodHandles.Lookup l = MethodHandles.publicLookup();
    Class<?> span = Class.forName(API + "api.trace.Span", false, boot);
    Class<?> spanContext = Class.forName(API + "api.trace.SpanContext", false, boot);
    Class<?> flags = Class.forName(API + "api.trace.TraceFlags", false, boot);
    Class<?> state = Class.forName(API + "api.trace.TraceState", false, boot);
    Class<?> scope = Class.forName(API + "context.Scope", false, boot);
    Class<?> keyed = Class.forName(API + "context.ImplicitContextKeyed", false, boot);
    currentSpanContext = MethodHandles.filterReturnValue(l.findStatic(span, "current", MethodType.methodType(span)),
        l.findVirtual(span, "getSpanContext", MethodType.methodType(spanContext)))
        .asType(MethodType.methodType(Object.class));
    isValid = l.findVirtual(spanContext, "isValid", MethodType.methodType(boolean.class))
        .asType(MethodType.methodType(boolean.class, Object.class));
    traceId = l.findVirtual(spanContext, "getTraceId", MethodType.methodType(String.class))
        .asType(MethodType.methodType(String.class, Object.class));
    spanId = l.findVirtual(spanContext, "getSpanId", MethodType.methodType(String.class))
        .asType(MethodType.methodType(String.class, Object.class));
    isSampled = l.findVirtual(spanContext, "isSampled", MethodType.methodType(boolean.class))
        .asType(MethodType.methodType(boolean.class, Object.class));
    create = l.findStatic(spanContext, "create", MethodType.methodType(spanContext, String.class, String.class, flags,
        state)).asType(MethodType.methodType(Object.class, String.class, String.class, Object.class, Object.class));
    sampled = l.findStatic(flags, "getSampled", MethodType.methodType(flags)).invoke();
    notSampled = l.findStatic(flags, "getDefault", MethodType.methodType(flags)).invoke();
    noState = l.findStatic(state, "getDefault", MethodType.methodType(state)).invoke();
    wrap = l.findStatic(span, "wrap", MethodType.methodType(span, spanContext))
        .asType(MethodType.methodType(Object.class, Object.class));
    makeCurrent = l.findVirtual(keyed, "makeCurrent", MethodType.methodType(scope))
        .asType(MethodType.methodType(Object.class, Object.class));
    close = l.findVirtual(scope, "close", MethodType.methodType(void.class))
        .asType(MethodType.methodType(void.class, Object.class));
  }

  /** The OpenTelemetry agent of this JVM, or null when there is none (looked for once, at the first request). */
  static OpenTelemetryAgent get() {
    if (!looked) {
      synchronized (OpenTelemetryAgent.class) {
        if (!looked) {
          found = find();
          looked = true;
        }
      }
    }
    return found;
  }

  private static OpenTelemetryAgent find() {
    try {
      Class.forName(API + "api.trace.Span", false, null);
    } catch (ClassNotFoundException | LinkageError none) {
      return null;
    }
    try {
      OpenTelemetryAgent agent = new OpenTelemetryAgent(null);
      LOG.info("the OpenTelemetry Java agent runs in this JVM too: dynamo-obs's request spans join its traces"
          + " (its current span is their parent, and theirs is current in its context while dynamo-obs serves a"
          + " request), each agent exports its own spans, and the application's OpenTelemetry API is the"
          + " OpenTelemetry agent's; dynamo-obs's metrics are unchanged");
      return agent;
    } catch (Throwable e) {
      LOG.warn("the OpenTelemetry Java agent runs in this JVM too, but its API is not what dynamo-obs knows (" + e
          + "): the two agents make separate traces; dynamo-obs's metrics, spans and logs are unchanged");
      return null;
    }
  }

  /** Whether the OpenTelemetry Java agent runs in this JVM (looked for at the first call). */
  public static boolean present() {
    return get() != null;
  }

  /**
   * The OpenTelemetry agent's span current on this thread, as a parent for an entry span, or null (no such
   * agent, or no span there).
   */
  public static SpanParent currentSpan() {
    OpenTelemetryAgent a = get();
    if (a == null) {
      return null;
    }
    try {
      Object c = a.currentSpanContext.invokeExact();
      if (!(boolean) a.isValid.invokeExact(c)) {
        return null;
      }
      SpanContext ours = SpanContext.create((String) a.traceId.invokeExact(c), (String) a.spanId.invokeExact(c),
          (boolean) a.isSampled.invokeExact(c) ? TraceFlags.getSampled() : TraceFlags.getDefault(),
          TraceState.getDefault());
      return ours.isValid() ? new SpanParent.Local(ours) : null;
    } catch (Throwable t) {
      return null;
    }
  }

  /** Makes {@code span} current in the OpenTelemetry agent's context on this thread, until {@link #exit}. */
  public static void enter(SpanParent span) {
    OpenTelemetryAgent a = get();
    if (a == null || span == null) {
      return;
    }
    try {
      SpanContext c = span.spanContext();
      Object context = a.create.invokeExact(c.getTraceId(), c.getSpanId(), c.isSampled() ? a.sampled : a.notSampled,
          a.noState);
      Object scope = a.makeCurrent.invokeExact(a.wrap.invokeExact(context));
      Object outer = SCOPE.get();
      SCOPE.set(outer == null ? scope : new Object[]{scope, outer});
    } catch (Throwable t) {
      // its context stays as it was
    }
  }

  /** Ends what {@link #enter} began on this thread (the innermost), if anything. */
  public static void exit() {
    OpenTelemetryAgent a = found;
    Object held = a == null ? null : SCOPE.get();
    if (held == null) {
      return;
    }
    Object scope = held;
    Object outer = null;
    if (held instanceof Object[]) {
      scope = ((Object[]) held)[0];
      outer = ((Object[]) held)[1];
    }
    SCOPE.set(outer);
    try {
      a.close.invokeExact(scope);
    } catch (Throwable t) {
      // nothing to restore
    }
  }
}
