package dynamo.obs.instrumentation.methods;

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

import dynamo.obs.bootstrap.Hooks;
import dynamo.obs.instrumentation.InstrumentationModule;
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
    static Object enter(@Advice.Origin("#t|#m|#r") String site,
        @Advice.AllArguments(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object[] args) {
      Object[] a = args;
      Object call = Hooks.get().workerCallStarted(site, a);
      args = a;
      return call;
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter Object call,
        @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object result,
        @Advice.Thrown Throwable thrown) {
      if (call != null) {
        result = Hooks.get().workerCallEnded(call, result, thrown);
      }
    }
  }

  @SuppressWarnings("unused")
  public static final class WorkerVoidAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@Advice.Origin("#t|#m|#r") String site,
        @Advice.AllArguments(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object[] args) {
      Object[] a = args;
      Object call = Hooks.get().workerCallStarted(site, a);
      args = a;
      return call;
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter Object call, @Advice.Thrown Throwable thrown) {
      if (call != null) {
        Hooks.get().workerCallEnded(call, null, thrown);
      }
    }
  }

  @SuppressWarnings("unused")
  public static final class RouterAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@Advice.Origin("#t|#m|#r") String site, @Advice.AllArguments Object[] args) {
      return Hooks.get().routerCallStarted(site, args);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter Object call, @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object result,
        @Advice.Thrown Throwable thrown) {
      if (call != null) {
        Hooks.get().routerCallEnded(call, result, thrown);
      }
    }
  }

  @SuppressWarnings("unused")
  public static final class RouterVoidAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@Advice.Origin("#t|#m|#r") String site, @Advice.AllArguments Object[] args) {
      return Hooks.get().routerCallStarted(site, args);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter Object call, @Advice.Thrown Throwable thrown) {
      if (call != null) {
        Hooks.get().routerCallEnded(call, null, thrown);
      }
    }
  }
}
