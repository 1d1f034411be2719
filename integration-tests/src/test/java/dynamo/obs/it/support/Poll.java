package dynamo.obs.it.support;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polling with a timeout: returns as soon as the condition holds, never sleeps as the only synchronisation. */
public final class Poll {
  private static final long INTERVAL_MS = 50;

  private Poll() {
  }

  /**
   * Calls {@code probe} until its result satisfies {@code done}; exceptions of the probe count as
   * "not yet". On timeout fails with the last result (or exception) and {@code context}.
   */
  public static <T> T until(String what, Supplier<T> probe, Predicate<? super T> done, Duration timeout,
      Supplier<String> context) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = null;
    Throwable lastError = null;
    while (true) {
      try {
        last = probe.get();
        lastError = null;
        if (done.test(last)) {
          return last;
        }
      } catch (RuntimeException | AssertionError e) {
        lastError = e;
      }
      if (System.nanoTime() > deadline) {
        AssertionError err = new AssertionError("timed out after " + timeout + " waiting for " + what
            + "; last result: " + last + (lastError == null ? "" : "; last error: " + lastError)
            + (context == null ? "" : "\n" + context.get()));
        if (lastError != null) {
          err.initCause(lastError);
        }
        throw err;
      }
      try {
        Thread.sleep(INTERVAL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  public static <T> T until(String what, Supplier<T> probe, Predicate<? super T> done, AgentProcess app) {
    return until(what, () -> {
      app.assertAlive();
      return probe.get();
    }, done, AgentProcess.TIMEOUT, app::outputs);
  }
}
