package dynamo.obs.agent.worker;

import java.lang.reflect.Method;
import java.util.function.Consumer;

/**
 * A result declared as a concrete publisher type — Reactor's {@code Flux} or {@code Mono} — that the
 * caller keeps composing: a proxy of the Reactive Streams interface would break its code, so the
 * call is observed with the type's own operators instead ({@code doOnNext}, {@code doOnError},
 * {@code doOnCancel}, {@code doOnTerminate}), found by name, no dependency. The result is used only
 * when it is still of the declared type; otherwise the original is returned untouched. Whether a
 * class is such a publisher is worked out once per class.
 */
final class ReactorChains {
  private static final ClassValue<Method[]> OPERATORS = new ClassValue<>() {
    @Override
    protected Method[] computeValue(Class<?> type) {
      try {
        return new Method[]{type.getMethod("doOnNext", Consumer.class), type.getMethod("doOnError", Consumer.class),
            type.getMethod("doOnCancel", Runnable.class), type.getMethod("doOnTerminate", Runnable.class)};
      } catch (NoSuchMethodException | RuntimeException e) {
        return null;
      }
    }
  };

  /** Whether a class is a Reactive Streams publisher with the four operators. */
  private static final ClassValue<Boolean> CHAINABLE = new ClassValue<>() {
    @Override
    protected Boolean computeValue(Class<?> type) {
      return ReactiveStreamsPublisher.find(type, ReactiveStreamsPublisher.PUBLISHER) != null
          && OPERATORS.get(type) != null;
    }
  };

  private ReactorChains() {
  }

  /** Whether results of this class can be observed with their own operators. */
  static boolean chainable(Class<?> type) {
    return CHAINABLE.get(type);
  }

  /**
   * {@code result} (of a {@link #chainable} class) with the call's observers chained on, or
   * {@code result} itself when that cannot be done or would not be of the {@code declared} type.
   */
  static Object observe(Object result, Class<?> declared, WorkerCall call) {
    try {
      Method[] ops = OPERATORS.get(result.getClass());
      Object chained = ops[0].invoke(result, (Consumer<Object>) item -> call.token());
      chained = operators(chained)[1].invoke(chained, (Consumer<Object>) error -> call.end(WorkerCall.End.ERROR));
      chained = operators(chained)[2].invoke(chained, (Runnable) () -> call.end(WorkerCall.End.CANCELLED));
      chained = operators(chained)[3].invoke(chained, (Runnable) () -> call.end(WorkerCall.End.OK));
      return declared.isInstance(chained) ? chained : result;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return result;
    }
  }

  private static Method[] operators(Object o) {
    Method[] ops = OPERATORS.get(o.getClass());
    if (ops == null) {
      throw new IllegalStateException("no operators on " + o.getClass().getName());
    }
    return ops;
  }
}
