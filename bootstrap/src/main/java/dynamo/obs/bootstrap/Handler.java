package dynamo.obs.bootstrap;

/**
 * The runtime side of one instrumented target: what its woven code's events do. Each target (the JDK's HTTP server,
 * servlet containers, a logging framework …) has one handler, installed into {@link Dispatch} under the target's
 * number when the agent is ready; until then, and after the target has been turned off, its events land on a handler
 * of this base class, which does nothing. {@code event} is the target's own event number: the target defines both
 * the numbers and what the arguments of each event are.
 *
 * <p>A handler may throw anything: {@link Dispatch} catches everything, counts it against the target and hands the woven code
 * back what it gave (or nothing).
 */
public class Handler {

  /** An event with up to four references; returns a token, a flag (non-null) or nothing (null). */
  public Object on(int event, Object a, Object b, Object c, Object d) throws Throwable {
    return null;
  }

  /** An event that carries numbers: bytes passing ({@code data} from {@code i}, {@code j} of them), a status … */
  public void onData(int event, Object a, Object data, int i, int j, Object b) throws Throwable {
  }

  /** An event that may replace {@code value} (a stream, a task, a returned result): returns it or its replacement. */
  public Object replace(int event, Object value, Object a, Object b) throws Throwable {
    return value;
  }

  /**
   * The target has been turned off (it kept failing): its events no longer arrive here. A handler that keeps state
   * between events (open requests) lets go of it.
   */
  public void turnedOff() {
  }
}
