package dynamo.obs.agent.weaving;

import dynamo.obs.agent.console.AgentLog;
import dynamo.obs.agent.metrics.AgentMetrics;
import dynamo.obs.bootstrap.Dispatch;
import java.util.function.Consumer;
import java.util.function.ObjIntConsumer;

/**
 * The one error policy of every target, whichever weaver applied it: a throwable caught in a target's woven code
 * (the weavers' exception handlers) or in its handler ({@code Dispatch}) never reaches the application; it is counted
 * in {@code dynamo_obs_instrumentation_errors_total{target}}, the target's first is logged with its stack trace, and
 * a target that keeps failing — {@link #LIMIT} errors within {@link #WINDOW_NANOS} — is turned off with one WARN:
 * its woven code then does nothing until the process restarts.
 */
public final class TargetErrors implements ObjIntConsumer<Throwable> {
  /** Errors within one window that turn a target off. */
  public static final int LIMIT = 100;
  /** The window: a minute. Rare errors of a working target never add up to the limit. */
  static final long WINDOW_NANOS = 60_000_000_000L;
  /** Frames of each throwable in the logged stack trace. */
  private static final int FRAMES = 12;
  private static final AgentLog LOG = AgentLog.forTarget("dynamo_obs.instrumentation");

  private final AgentMetrics metrics;
  private final long[] windowStart = new long[Dispatch.MAX_TARGETS];
  private final int[] inWindow = new int[Dispatch.MAX_TARGETS];
  private final boolean[] logged = new boolean[Dispatch.MAX_TARGETS];

  public TargetErrors(AgentMetrics metrics) {
    this.metrics = metrics;
  }

  /** What a target's own code reports through (its handler's collaborators: recorders, listeners). */
  public Consumer<Throwable> reporterOf(String target) {
    int number = Instrumentations.number(target);
    return t -> accept(t, number);
  }

  @Override
  public void accept(Throwable error, int target) {
    String name = Instrumentations.name(target);
    metrics.instrumentationError(name);
    boolean first;
    boolean turnedOff = false;
    synchronized (this) {
      if (target < 0 || target >= Dispatch.MAX_TARGETS) {
        first = false;
      } else {
        first = !logged[target];
        logged[target] = true;
        long now = System.nanoTime();
        if (inWindow[target] == 0 || now - windowStart[target] > WINDOW_NANOS) {
          windowStart[target] = now;
          inWindow[target] = 0;
        }
        // switched off under the lock that counts: a thread preempted between the two would let the others'
        // errors run on past the limit
        turnedOff = ++inWindow[target] == LIMIT && Dispatch.turnOff(target);
      }
    }
    if (first) {
      LOG.warn("error inside the " + name + " instrumentation (the application is not affected; further errors"
          + " there are counted in dynamo_obs_instrumentation_errors_total{target=\"" + name + "\"}): "
          + stackTrace(error));
    }
    if (turnedOff) {
      metrics.instrumentationTurnedOff(name);
      LOG.warn("the " + name + " instrumentation failed " + LIMIT + " times within a minute and is turned off until"
          + " the process restarts: what it observed is no longer recorded (dynamo_obs_instrumentation_turned_off);"
          + " please report its first error above with the library versions");
    }
  }

  /** The throwable with the first frames of its stack and of its causes': where it came from, not the whole thread. */
  static String stackTrace(Throwable t) {
    StringBuilder out = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      out.append(c == t ? "" : "\nCaused by: ").append(c);
      StackTraceElement[] frames = c.getStackTrace();
      int shown = Math.min(frames.length, FRAMES);
      for (int i = 0; i < shown; i++) {
        out.append("\n\tat ").append(frames[i]);
      }
      if (frames.length > shown) {
        out.append("\n\t... ").append(frames.length - shown).append(" more");
      }
    }
    return out.toString();
  }
}
