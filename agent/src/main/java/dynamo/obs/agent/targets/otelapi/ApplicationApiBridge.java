package dynamo.obs.agent.targets.otelapi;

import dynamo.obs.agent.coexist.OpenTelemetryAgent;
import dynamo.obs.agent.console.AgentLog;
import dynamo.obs.agent.trace.ActiveSpan;
import dynamo.obs.agent.trace.TraceSpan;
import dynamo.obs.bootstrap.otel.OpenTelemetryBridge;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The agent's side of the application's OpenTelemetry API (SPEC §5): the application's spans are spans of
 * the agent's own tracer provider — sampled, limited and exported as the agent's, under the application's
 * scope names — whose parent is the span current in the application's context, which is the agent's
 * request span unless the application made one of its own current. The bridge classes are defined in each
 * class loader that holds the API, at the first {@code GlobalOpenTelemetry.get()} or {@code Context}
 * use there. Beside the OpenTelemetry Java agent, the API is that agent's and nothing is done here.
 */
public final class ApplicationApiBridge extends OpenTelemetryBridge {
  private static final AgentLog LOG = AgentLog.forTarget("dynamo_obs.instrumentation");
  private static final SpanKind[] KINDS = {SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER,
      SpanKind.CONSUMER};
  /** The scope of application spans whose tracer named none. */
  private static final String UNNAMED_SCOPE = "application";

  private final SdkTracerProvider tracers;
  private final boolean baggage;
  /** Per class loader of the API (keyed by its woven class): the bridge's objects there. */
  private final ClassValue<InLoader> loaders = new ClassValue<>() {
    @Override
    protected InLoader computeValue(Class<?> api) {
      return new InLoader(api.getClassLoader());
    }
  };

  /**
   * @param baggage whether the application's baggage goes with outgoing calls ({@code OTEL_PROPAGATORS})
   */
  public ApplicationApiBridge(SdkTracerProvider tracers, boolean baggage) {
    this.tracers = tracers;
    this.baggage = baggage;
  }

  /** The bridge's objects in one class loader, made at first use; null fields when that failed (said once). */
  private static final class InLoader {
    private final ClassLoader loader;
    private volatile boolean failed;
    private volatile Object openTelemetry;
    private volatile MethodHandle storageOf;
    private volatile MethodHandle builderOf;
    /** The last storage wrapped, and its wrapper: {@code ContextStorage.get()} returns the same one each time. */
    private volatile Object[] lastStorage;

    InLoader(ClassLoader loader) {
      this.loader = loader;
    }

    synchronized Object openTelemetry() throws Exception {
      if (openTelemetry == null) {
        openTelemetry = ApplicationClasses.define(loader, "ApplicationOpenTelemetry").getConstructor().newInstance();
      }
      return openTelemetry;
    }

    Object builder(String name) throws Throwable {
      MethodHandle of = builderOf;
      if (of == null) {
        synchronized (this) {
          of = MethodHandles.publicLookup().findConstructor(ApplicationClasses.define(loader, "ApplicationSpanBuilder"),
              MethodType.methodType(void.class, String.class, String.class, String.class))
              .asType(MethodType.methodType(Object.class, String.class, String.class, String.class));
          builderOf = of;
        }
      }
      return of.invoke((String) null, (String) null, name);
    }

    Object storage(Object delegate) throws Throwable {
      Object[] last = lastStorage;
      if (last != null && last[0] == delegate) {
        return last[1];
      }
      MethodHandle of = storageOf;
      if (of == null) {
        synchronized (this) {
          Class<?> c = ApplicationClasses.define(loader, "ApplicationContextStorage");
          Class<?> api = c.getInterfaces()[0];
          of = MethodHandles.publicLookup().findConstructor(c, MethodType.methodType(void.class, api))
              .asType(MethodType.methodType(Object.class, Object.class));
          storageOf = of;
        }
      }
      if (delegate.getClass().getName().equals(ApplicationClasses.PACKAGE + "ApplicationContextStorage")) {
        return delegate;
      }
      Object wrapper = of.invoke(delegate);
      lastStorage = new Object[]{delegate, wrapper};
      return wrapper;
    }
  }

  private InLoader inLoader(Class<?> api) {
    if (api == null || api.getClassLoader() == null || OpenTelemetryAgent.present()) {
      return null;
    }
    InLoader l = loaders.get(api);
    return l.failed ? null : l;
  }

  private static void failed(InLoader l, Throwable t) {
    l.failed = true;
    LOG.warn("the application's OpenTelemetry API could not be bridged to the agent (" + t + "): its spans are"
        + " the API's own (no-ops without an SDK), the agent's are unchanged");
  }

  @Override
  public Object openTelemetry(Class<?> api, Object global) {
    InLoader l = inLoader(api);
    if (l == null) {
      return global;
    }
    try {
      return l.openTelemetry();
    } catch (Throwable t) {
      failed(l, t);
      return global;
    }
  }

  @Override
  public Object spanBuilder(Class<?> api, Object builder, String name) {
    InLoader l = inLoader(api);
    if (l == null) {
      return builder;
    }
    try {
      return l.builder(name);
    } catch (Throwable t) {
      failed(l, t);
      return builder;
    }
  }

  @Override
  public Object contextStorage(Class<?> api, Object storage) {
    InLoader l = storage == null ? null : inLoader(api);
    if (l == null) {
      return storage;
    }
    try {
      return l.storage(storage);
    } catch (Throwable t) {
      failed(l, t);
      return storage;
    }
  }

  // ---- the bridge classes' calls ------------------------------------------------------------------

  @Override
  public Object currentSpan() {
    ActiveSpan s = ActiveSpan.current();
    return s instanceof TraceSpan ? ((TraceSpan) s).span() : null;
  }

  @Override
  public String[] ids(Object span) {
    if (!(span instanceof Span)) {
      return null;
    }
    SpanContext c = ((Span) span).getSpanContext();
    return new String[]{c.getTraceId(), c.getSpanId()};
  }

  @Override
  public boolean sampled(Object span) {
    return span instanceof Span && ((Span) span).getSpanContext().isSampled();
  }

  @Override
  public boolean recording(Object span) {
    return span instanceof Span && ((Span) span).isRecording();
  }

  @Override
  public Object startSpan(String scope, String version, String name, int kind, Object parentSpan,
      String parentTraceId, String parentSpanId, boolean parentSampled, boolean parentRemote, long startEpochNanos,
      Object[] attributes, Object[] links) {
    try {
      SpanBuilder b = tracers.get(scope == null || scope.isEmpty() ? UNNAMED_SCOPE : scope, version)
          .spanBuilder(name == null ? "" : name)
          .setSpanKind(kind >= 0 && kind < KINDS.length ? KINDS[kind] : SpanKind.INTERNAL);
      if (parentSpan instanceof Span) {
        b.setParent(Context.root().with((Span) parentSpan));
      } else if (parentTraceId != null && parentSpanId != null) {
        TraceFlags flags = parentSampled ? TraceFlags.getSampled() : TraceFlags.getDefault();
        b.setParent(Context.root().with(Span.wrap(parentRemote
            ? SpanContext.createFromRemoteParent(parentTraceId, parentSpanId, flags, TraceState.getDefault())
            : SpanContext.create(parentTraceId, parentSpanId, flags, TraceState.getDefault()))));
      } else {
        b.setNoParent();
      }
      if (startEpochNanos > 0) {
        b.setStartTimestamp(startEpochNanos, TimeUnit.NANOSECONDS);
      }
      if (attributes != null) {
        b.setAllAttributes(attributes(attributes));
      }
      if (links != null) {
        for (int i = 0; i + 1 < links.length; i += 2) {
          String[] ids = (String[]) links[i];
          b.addLink(SpanContext.create(ids[0], ids[1], TraceFlags.getDefault(), TraceState.getDefault()),
              attributes((Object[]) links[i + 1]));
        }
      }
      return b.startSpan();
    } catch (RuntimeException e) {
      return null;
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public void setAttribute(Object span, String key, Object value) {
    AttributeKey<Object> k = (AttributeKey<Object>) key(key, value);
    if (span instanceof Span && k != null) {
      ((Span) span).setAttribute(k, value(value));
    }
  }

  @Override
  public void addEvent(Object span, String name, long epochNanos, Object[] attributes) {
    if (span instanceof Span && name != null) {
      if (epochNanos > 0) {
        ((Span) span).addEvent(name, attributes(attributes), epochNanos, TimeUnit.NANOSECONDS);
      } else {
        ((Span) span).addEvent(name, attributes(attributes));
      }
    }
  }

  @Override
  public void recordException(Object span, Throwable exception, Object[] attributes) {
    if (span instanceof Span && exception != null) {
      ((Span) span).recordException(exception, attributes(attributes));
    }
  }

  @Override
  public void setStatus(Object span, int code, String description) {
    if (span instanceof Span) {
      ((Span) span).setStatus(code == 2 ? StatusCode.ERROR : code == 1 ? StatusCode.OK : StatusCode.UNSET,
          description == null ? "" : description);
    }
  }

  @Override
  public void updateName(Object span, String name) {
    if (span instanceof Span && name != null) {
      ((Span) span).updateName(name);
    }
  }

  @Override
  public void end(Object span, long epochNanos) {
    if (span instanceof Span) {
      if (epochNanos > 0) {
        ((Span) span).end(epochNanos, TimeUnit.NANOSECONDS);
      } else {
        ((Span) span).end();
      }
    }
  }

  @Override
  public Object attached(String traceId, String spanId, boolean sampled, String baggageHeader) {
    SpanContext span = traceId == null || spanId == null
        ? null
        : SpanContext.create(traceId, spanId, sampled ? TraceFlags.getSampled() : TraceFlags.getDefault(),
            TraceState.getDefault());
    return new Object[]{ApplicationContext.attach(span != null && span.isValid() ? span : null,
        baggage ? baggageHeader : null)};
  }

  @Override
  public void detached(Object token) {
    if (token instanceof Object[]) {
      ApplicationContext.restore((ApplicationContext) ((Object[]) token)[0]);
    }
  }

  // ---- values from the application's API: String, Boolean, Long, Double, or lists of one of them ------

  private static Attributes attributes(Object[] keysAndValues) {
    if (keysAndValues == null || keysAndValues.length == 0) {
      return Attributes.empty();
    }
    AttributesBuilder b = Attributes.builder();
    for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
      put(b, (String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return b.build();
  }

  @SuppressWarnings("unchecked")
  private static void put(AttributesBuilder b, String key, Object value) {
    AttributeKey<Object> k = (AttributeKey<Object>) key(key, value);
    if (k != null) {
      b.put(k, value(value));
    }
  }

  /** The typed key for a value of the API, or null for a value of another type. */
  private static AttributeKey<?> key(String key, Object value) {
    if (key == null || value == null) {
      return null;
    }
    if (value instanceof String) {
      return AttributeKey.stringKey(key);
    }
    if (value instanceof Boolean) {
      return AttributeKey.booleanKey(key);
    }
    if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return AttributeKey.longKey(key);
    }
    if (value instanceof Number) {
      return AttributeKey.doubleKey(key);
    }
    if (value instanceof List && !((List<?>) value).isEmpty()) {
      Object first = ((List<?>) value).get(0);
      return first instanceof String
          ? AttributeKey.stringArrayKey(key)
          : first instanceof Boolean
              ? AttributeKey.booleanArrayKey(key)
              : first instanceof Double || first instanceof Float
                  ? AttributeKey.doubleArrayKey(key)
                  : first instanceof Number ? AttributeKey.longArrayKey(key) : null;
    }
    return null;
  }

  /** The value as its key's type holds it (longs and doubles widened, list elements too). */
  private static Object value(Object value) {
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Float) {
      return ((Float) value).doubleValue();
    }
    if (value instanceof List) {
      List<Object> out = new ArrayList<>();
      for (Object o : (List<?>) value) {
        out.add(value(o));
      }
      return out;
    }
    return value;
  }
}
