package dynamo.obs.agent.weaving;

import dynamo.obs.bootstrap.Handler;
import java.util.Set;

/**
 * A diagnostic switch for proving the error policy on a real application: with the system property
 * {@code dynamo.obs.failTarget=<name>[,<name>…]}, the named targets' handlers throw at every event, as a handler with
 * a bug would. The application must run on unchanged while the errors are counted, the first is logged, and the
 * target turns itself off ({@link TargetErrors}).
 */
public final class InjectedFailure extends Handler {
  public static final String PROPERTY = "dynamo.obs.failTarget";
  private final String target;

  private InjectedFailure(String target) {
    this.target = target;
  }

  /** {@code handler}, or a failing one in its place when the switch names {@code target}. */
  public static Handler around(String target, Handler handler) {
    String names = System.getProperty(PROPERTY);
    return names != null && Set.of(names.split(",")).contains(target) ? new InjectedFailure(target) : handler;
  }

  private IllegalStateException failure() {
    return new IllegalStateException("failure injected into " + target + " (" + PROPERTY + ")");
  }

  @Override
  public Object on(int event, Object a, Object b, Object c, Object d) {
    throw failure();
  }

  @Override
  public void onData(int event, Object a, Object data, int i, int j, Object b) {
    throw failure();
  }

  @Override
  public Object replace(int event, Object value, Object a, Object b) {
    throw failure();
  }
}
