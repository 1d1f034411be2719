package dynamo.obs.instrumentation.executors;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dynamo.obs.bootstrap.Hooks;
import dynamo.obs.instrumentation.InstrumentationModule;
import java.util.List;
import java.util.concurrent.Callable;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * The request context follows work handed to other threads: thread pools, the fork-join pool
 * (and so {@code CompletableFuture}'s async stages), futures, and virtual threads (JDK 21+). A task
 * is wrapped only when a request context is current; futures remember their context instead of
 * being wrapped, so code that inspects them (an {@code afterExecute} looking for a Future) sees
 * what it always saw.
 */
public final class ExecutorsInstrumentation implements InstrumentationModule {
  @Override
  public String name() {
    return "executors";
  }

  @Override
  public String description() {
    return "thread pools, ForkJoinPool, CompletableFuture async stages, FutureTask and virtual threads: the request"
        + " context (propagation headers) follows the work";
  }

  @Override
  public List<TypeAdvice> typeAdvice() {
    String self = ExecutorsInstrumentation.class.getName();
    return List.of(
        TypeAdvice.named("java.util.concurrent.ThreadPoolExecutor", List.of(
            new AdviceBinding(named("execute").and(takesArguments(Runnable.class)), self + "$WrapFirstArgument"))),
        TypeAdvice.named("java.util.concurrent.ForkJoinPool", List.of(
            new AdviceBinding(namedOneOf("execute", "submit").and(takesArguments(Runnable.class)),
                self + "$WrapFirstArgument"),
            new AdviceBinding(named("submit").and(takesArguments(Callable.class)), self + "$WrapFirstArgument"))),
        // CompletableFuture's own fallback when the common pool has a single thread (small machines)
        TypeAdvice.named("java.util.concurrent.CompletableFuture$ThreadPerTaskExecutor", List.of(
            new AdviceBinding(named("execute").and(takesArguments(Runnable.class)), self + "$WrapFirstArgument"))),
        // JDK 21+: virtual threads, one per task or started directly
        TypeAdvice.named("java.util.concurrent.ThreadPerTaskExecutor", List.of(
            new AdviceBinding(named("start").and(takesArguments(Runnable.class)), self + "$WrapFirstArgument"))),
        TypeAdvice.named("java.lang.ThreadBuilders$VirtualThreadBuilder", List.of(
            new AdviceBinding(namedOneOf("start", "unstarted").and(takesArguments(Runnable.class)),
                self + "$WrapFirstArgument"))),
        TypeAdvice.named("java.lang.Thread", List.of(
            new AdviceBinding(named("startVirtualThread").and(takesArguments(Runnable.class)),
                self + "$WrapFirstArgument"))),
        TypeAdvice.named("java.util.concurrent.FutureTask", List.of(
            new AdviceBinding(isConstructor(), self + "$FutureCreated"),
            new AdviceBinding(named("run").and(takesArguments(0)), self + "$FutureRun"))));
  }

  @SuppressWarnings("unused")
  public static final class WrapFirstArgument {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.Argument(value = 0, readOnly = false, typing = Assigner.Typing.DYNAMIC) Object task) {
      task = Hooks.get().wrapTask(task);
    }
  }

  @SuppressWarnings("unused")
  public static final class FutureCreated {
    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@Advice.This Object task) {
      Hooks.get().futureTaskCreated(task);
    }
  }

  @SuppressWarnings("unused")
  public static final class FutureRun {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@Advice.This Object task) {
      return Hooks.get().futureTaskStarted(task);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter Object token) {
      if (token != null) {
        Hooks.get().futureTaskEnded(token);
      }
    }
  }
}
