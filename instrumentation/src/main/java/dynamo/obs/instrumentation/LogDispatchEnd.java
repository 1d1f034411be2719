package dynamo.obs.instrumentation;

import dynamo.obs.bootstrap.Hooks;
import net.bytebuddy.asm.Advice;

/**
 * The exit advice every logging framework's capture shares: the framework has dispatched the event
 * the enter advice reported (returned or threw), so its console lines are behind it.
 */
public final class LogDispatchEnd {
  private LogDispatchEnd() {}

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  static void exit(@Advice.Enter Object dispatch) {
    if (dispatch != null) {
      Hooks.get().logEventEnded(dispatch);
    }
  }
}
