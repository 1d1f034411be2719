package dynamo.obs.agent.targets.executors;

import dynamo.obs.agent.context.RequestContext;
import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.agent.weaving.InstrumentationModule;
import dynamo.obs.bootstrap.Handler;
import dynamo.obs.agent.weaving.JdkWeave;
import dynamo.obs.agent.weaving.JdkWeave.Kind;
import java.util.List;

/**
 * The request context follows work handed to other threads: thread pools, the fork-join pool
 * (and so {@code CompletableFuture}'s async stages), futures, and virtual threads (JDK 21+). A task
 * is wrapped only when a request context is current; futures remember their context instead of
 * being wrapped, so code that inspects them (an {@code afterExecute} looking for a Future) sees
 * what it always saw.
 */
public final class ExecutorsInstrumentation implements InstrumentationModule {
  /** replace: a task handed to an executor or a new thread, by the task or a wrapper carrying the current context. */
  static final int WRAP = 0;
  /** (future task): created on this thread, it remembers the current context. */
  static final int FUTURE_CREATED = 1;
  /** (future task): starts running; returns the token for its end. */
  static final int FUTURE_STARTED = 2;
  /** (token or null): the future task's run ended. */
  static final int FUTURE_ENDED = 3;

  private static final String RUNNABLE = "(Ljava/lang/Runnable;)";
  private static final String CALLABLE = "(Ljava/util/concurrent/Callable;)";

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
  public Handler handler(AgentServices services) {
    return new Handler() {
      @Override
      public Object on(int event, Object a, Object b, Object c, Object d) {
        switch (event) {
          case FUTURE_CREATED :
            RequestContext.futureTaskCreated(a);
            return null;
          case FUTURE_STARTED :
            return RequestContext.futureTaskStarted(a);
          case FUTURE_ENDED :
            if (a != null) {
              RequestContext.futureTaskEnded(a);
            }
            return null;
          default :
            return null;
        }
      }

      @Override
      public Object replace(int event, Object value, Object a, Object b) {
        return event == WRAP ? RequestContext.wrapTask(value) : value;
      }
    };
  }

  @Override
  public List<JdkWeave> jdkWeaves() {
    return List.of(
        wrap("java.util.concurrent.ThreadPoolExecutor", "execute", RUNNABLE),
        wrap("java.util.concurrent.ForkJoinPool", "execute", RUNNABLE),
        wrap("java.util.concurrent.ForkJoinPool", "submit", RUNNABLE),
        wrap("java.util.concurrent.ForkJoinPool", "submit", CALLABLE),
        // CompletableFuture's own fallback when the common pool has a single thread (small machines); later
        // JDKs use ForkJoinPool's async common pool instead (25 has no such class)
        wrap("java.util.concurrent.CompletableFuture$ThreadPerTaskExecutor", "execute", RUNNABLE).before(23),
        // JDK 21+: virtual threads, one per task or started directly
        wrap("java.util.concurrent.ThreadPerTaskExecutor", "start", RUNNABLE).since(21),
        wrap("java.lang.ThreadBuilders$VirtualThreadBuilder", "start", RUNNABLE).since(21),
        wrap("java.lang.ThreadBuilders$VirtualThreadBuilder", "unstarted", RUNNABLE).since(21),
        wrap("java.lang.Thread", "startVirtualThread", RUNNABLE).since(21),
        new JdkWeave("java.util.concurrent.FutureTask", "<init>", "(", Kind.EXIT, FUTURE_CREATED, "this"),
        new JdkWeave("java.util.concurrent.FutureTask", "run", "()V", Kind.ENTER_TOKEN, FUTURE_STARTED, "this"),
        new JdkWeave("java.util.concurrent.FutureTask", "run", "()V", Kind.EXIT_ALWAYS, FUTURE_ENDED, "token"));
  }

  private static JdkWeave wrap(String type, String method, String descriptor) {
    return new JdkWeave(type, method, descriptor, Kind.ENTER_WRAP_ARG0, WRAP);
  }
}
