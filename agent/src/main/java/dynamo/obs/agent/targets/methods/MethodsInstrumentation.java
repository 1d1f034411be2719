package dynamo.obs.agent.targets.methods;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isDeclaredBy;
import static net.bytebuddy.matcher.ElementMatchers.isGetter;
import static net.bytebuddy.matcher.ElementMatchers.isMethod;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.isSetter;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.returns;

import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.agent.weaving.InstrumentationModule;
import dynamo.obs.agent.weaving.TargetId;
import dynamo.obs.agent.worker.WorkerRuntime;
import dynamo.obs.bootstrap.Dispatch;
import dynamo.obs.bootstrap.Handler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Methods named by the user: routing decisions ({@code DYN_OBS_ROUTER_METHODS}) and engine calls
 * ({@code DYN_OBS_WORKER_METHODS}), as {@code class → method names} (empty set: {@code [*]}). A
 * class may be an interface or a base class: its implementations are woven.
 */
public final class MethodsInstrumentation implements InstrumentationModule {
  public static final String NAME = "methods";
  /** (site "type|method|return type", arguments, whose elements may be replaced): returns the call's token. */
  static final int WORKER_STARTED = 0;
  /** replace: the result, (token, throwable): the worker method returned or threw. */
  static final int WORKER_ENDED = 1;
  /** (site, arguments): returns the routing decision's token. */
  static final int ROUTER_STARTED = 2;
  /** (token, result, throwable): the router method returned or threw. */
  static final int ROUTER_ENDED = 3;
  /** (handler, method name, descriptor, first argument or null): a token handler's method was entered. */
  static final int HANDLER_INVOKED = 4;

  private final Map<String, Set<String>> router;
  private final Map<String, Set<String>> worker;

  public MethodsInstrumentation(Map<String, Set<String>> router, Map<String, Set<String>> worker) {
    this.router = router;
    this.worker = worker;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "methods named in DYN_OBS_ROUTER_METHODS / DYN_OBS_WORKER_METHODS: routing decisions and engine calls"
        + " (worker and router metrics, streamed results)";
  }

  @Override
  public Handler handler(AgentServices services) {
    WorkerRuntime workers = services.workers();
    services.whenActive(NAME, workers::instrumentationActive);
    return new Handler() {
      @Override
      public Object on(int event, Object a, Object b, Object c, Object d) {
        switch (event) {
          case WORKER_STARTED :
            return workers.workerCallStarted((String) a, (Object[]) b);
          case ROUTER_STARTED :
            return workers.routerCallStarted((String) a, (Object[]) b);
          case ROUTER_ENDED :
            workers.routerCallEnded(a, b, (Throwable) c);
            return null;
          case HANDLER_INVOKED :
            workers.handlerInvoked(a, (String) b, (String) c, d);
            return null;
          default :
            return null;
        }
      }

      @Override
      public Object replace(int event, Object value, Object a, Object b) {
        return event == WORKER_ENDED ? workers.workerCallEnded(a, value, (Throwable) b) : value;
      }
    };
  }

  @Override
  public List<TypeAdvice> typeAdvice() {
    String self = MethodsInstrumentation.class.getName();
    List<TypeAdvice> out = new ArrayList<>();
    add(out, worker, self + "$WorkerVoidAdvice", self + "$WorkerAdvice");
    add(out, router, self + "$RouterVoidAdvice", self + "$RouterAdvice");
    return out;
  }

  private static void add(List<TypeAdvice> out, Map<String, Set<String>> targets, String voidAdvice, String advice) {
    for (Map.Entry<String, Set<String>> e : targets.entrySet()) {
      ElementMatcher.Junction<MethodDescription> m = methods(e.getValue());
      out.add(TypeAdvice.subtypesOf(Set.of(e.getKey()), List.of(
          new AdviceBinding(m.and(returns(void.class)), voidAdvice),
          new AdviceBinding(m.and(not(returns(void.class))), advice))));
    }
  }

  /** Listed names, or for {@code [*]} every public method but Object's, getters, setters and synthetic ones. */
  static ElementMatcher.Junction<MethodDescription> methods(Set<String> names) {
    ElementMatcher.Junction<MethodDescription> base = isMethod().and(not(isAbstract())).and(not(isSynthetic()));
    if (!names.isEmpty()) {
      return base.and(namedOneOf(names.toArray(new String[0])));
    }
    return base.and(isPublic()).and(not(isDeclaredBy(Object.class))).and(not(isGetter())).and(not(isSetter()))
        .and(not(namedOneOf("equals", "hashCode", "toString")));
  }

  @SuppressWarnings("unused")
  public static final class WorkerAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@TargetId int target, @Advice.Origin("#t|#m|#r") String site,
        @Advice.AllArguments(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object[] args) {
      Object[] a = args;
      Object call = Dispatch.on(site, a, null, null, target, WORKER_STARTED);
      args = a;
      return call;
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.Enter Object call,
        @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object result,
        @Advice.Thrown Throwable thrown) {
      if (call != null) {
        result = Dispatch.replace(result, call, thrown, target, WORKER_ENDED);
      }
    }
  }

  @SuppressWarnings("unused")
  public static final class WorkerVoidAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@TargetId int target, @Advice.Origin("#t|#m|#r") String site,
        @Advice.AllArguments(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object[] args) {
      Object[] a = args;
      Object call = Dispatch.on(site, a, null, null, target, WORKER_STARTED);
      args = a;
      return call;
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.Enter Object call, @Advice.Thrown Throwable thrown) {
      if (call != null) {
        Dispatch.replace(null, call, thrown, target, WORKER_ENDED);
      }
    }
  }

  @SuppressWarnings("unused")
  public static final class RouterAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@TargetId int target, @Advice.Origin("#t|#m|#r") String site,
        @Advice.AllArguments Object[] args) {
      return Dispatch.on(site, args, null, null, target, ROUTER_STARTED);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.Enter Object call,
        @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object result, @Advice.Thrown Throwable thrown) {
      if (call != null) {
        Dispatch.on(call, result, thrown, null, target, ROUTER_ENDED);
      }
    }
  }

  @SuppressWarnings("unused")
  public static final class RouterVoidAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@TargetId int target, @Advice.Origin("#t|#m|#r") String site,
        @Advice.AllArguments Object[] args) {
      return Dispatch.on(site, args, null, null, target, ROUTER_STARTED);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.Enter Object call, @Advice.Thrown Throwable thrown) {
      if (call != null) {
        Dispatch.on(call, null, thrown, null, target, ROUTER_ENDED);
      }
    }
  }
}
