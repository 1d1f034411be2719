package dynamo.obs.agent.targets.otelapi;

import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.agent.weaving.InstrumentationModule;
import dynamo.obs.agent.weaving.TargetId;
import dynamo.obs.bootstrap.Dispatch;
import dynamo.obs.bootstrap.Handler;
import dynamo.obs.bootstrap.otel.OpenTelemetryBridge;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * The application's OpenTelemetry API (1.x) joins the agent: {@code GlobalOpenTelemetry.get()} returns a
 * bridge whose tracers make the agent's spans, and {@code ContextStorage.get()} a storage in which the
 * agent's request span is current, so {@code Span.current()}, new spans, and the context and baggage the
 * application makes current are in the agent's trace and reach outgoing calls. The bridge's classes are
 * defined next to the API in its class loader at the first call. Nothing happens in an application without
 * the API (its classes trigger this instrumentation), while the agent makes no spans, or beside the
 * OpenTelemetry Java agent, whose bridge the API then is.
 *
 * <p>The API's names are spelled at run time, and the advice names none of its types: this module is
 * relocated with the agent's own OpenTelemetry SDK, and would otherwise be rewritten to that copy.
 */
public final class OpenTelemetryApiInstrumentation implements InstrumentationModule {
  public static final String NAME = "opentelemetry-api";
  /** {@code io.opentelemetry.} (see the class comment). */
  private static final String API = String.join(".", "io", "opentelemetry", "");
  static final String GLOBAL = API + "api.GlobalOpenTelemetry";
  static final String STORAGE = API + "context.ContextStorage";
  static final String NOOP_TRACER = API + "api.trace.DefaultTracer";

  /** replace: what {@code GlobalOpenTelemetry.get()} returned, (the woven API class). */
  static final int GLOBAL_GOT = 0;
  /** replace: the no-op tracer's span builder, (the woven API class, the span's name). */
  static final int NOOP_SPAN_BUILDER = 1;
  /** replace: what {@code ContextStorage.get()} returned, (the woven API class). */
  static final int STORAGE_GOT = 2;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "the application's OpenTelemetry API 1.x: GlobalOpenTelemetry's tracers make the agent's spans, and"
        + " Span.current(), Context and baggage see the agent's request span (not beside the OpenTelemetry agent)";
  }

  /** The agent's side of the bridge (installed once the agent makes spans). */
  @Override
  public Handler handler(AgentServices services) {
    return new Handler() {
      @Override
      public Object replace(int event, Object value, Object a, Object b) {
        OpenTelemetryBridge bridge = OpenTelemetryBridge.get();
        return switch (event) {
          case GLOBAL_GOT -> bridge.openTelemetry((Class<?>) a, value);
          case NOOP_SPAN_BUILDER -> bridge.spanBuilder((Class<?>) a, value, (String) b);
          case STORAGE_GOT -> bridge.contextStorage((Class<?>) a, value);
          default -> value;
        };
      }
    };
  }

  @Override
  public List<String> triggers() {
    return List.of(GLOBAL.replace('.', '/'), STORAGE.replace('.', '/'));
  }

  @Override
  public List<TypeAdvice> typeAdvice() {
    String self = OpenTelemetryApiInstrumentation.class.getName();
    return List.of(
        TypeAdvice.named(GLOBAL, List.of(new AdviceBinding(isStatic().and(named("get")).and(takesArguments(0)),
            self + "$GlobalAdvice"))),
        TypeAdvice.named(STORAGE, List.of(new AdviceBinding(isStatic().and(named("get")).and(takesArguments(0)),
            self + "$StorageAdvice"))),
        // a tracer the application took from the global before the weaving above was in place
        TypeAdvice.named(NOOP_TRACER, List.of(new AdviceBinding(named("spanBuilder").and(takesArguments(1)),
            self + "$NoopTracerAdvice"))));
  }

  @SuppressWarnings("unused")
  public static final class GlobalAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.Origin Class<?> api,
        @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object global) {
      global = Dispatch.replace(global, api, null, target, GLOBAL_GOT);
    }
  }

  @SuppressWarnings("unused")
  public static final class NoopTracerAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.Origin Class<?> api, @Advice.Argument(0) String name,
        @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object builder) {
      builder = Dispatch.replace(builder, api, name, target, NOOP_SPAN_BUILDER);
    }
  }

  @SuppressWarnings("unused")
  public static final class StorageAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.Origin Class<?> api,
        @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object storage) {
      storage = Dispatch.replace(storage, api, null, target, STORAGE_GOT);
    }
  }
}
