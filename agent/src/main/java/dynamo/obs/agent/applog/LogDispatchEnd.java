package dynamo.obs.agent.applog;

import dynamo.obs.agent.weaving.TargetId;
import dynamo.obs.bootstrap.Dispatch;
import net.bytebuddy.asm.Advice;

/**
 * The exit advice every logging framework's capture shares: the framework has dispatched the event the enter advice
 * reported (returned or threw), so its console lines are behind it.
 */
public final class LogDispatchEnd {
  private LogDispatchEnd() {
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  static void exit(@TargetId int target, @Advice.Enter Object dispatch) {
    if (dispatch != null) {
      Dispatch.on(dispatch, null, null, null, target, LogEvents.ENDED);
    }
  }
}
