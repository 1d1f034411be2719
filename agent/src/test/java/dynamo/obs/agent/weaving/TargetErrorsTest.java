package dynamo.obs.agent.weaving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.agent.config.LogFilter;
import dynamo.obs.agent.console.AgentLog;
import dynamo.obs.agent.metrics.AgentMetrics;
import dynamo.obs.bootstrap.Dispatch;
import dynamo.obs.bootstrap.Handler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The one error policy through the one dispatch: a handler that throws never reaches its caller, which gets back
 * what it gave; the error is counted against the target, its first logged with its stack trace, and a target that
 * keeps failing is turned off once, with one WARN, after which its events reach nothing.
 */
class TargetErrorsTest {
  private static final String NAME = "jdk-httpclient";
  private static final int TARGET = Instrumentations.number(NAME);
  private final ByteArrayOutputStream log = new ByteArrayOutputStream();
  private AgentMetrics metrics;

  /** Throws at every event, and counts what reached it. */
  static final class Failing extends Handler {
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger turnedOff = new AtomicInteger();

    @Override
    public Object on(int event, Object a, Object b, Object c, Object d) {
      calls.incrementAndGet();
      throw new IllegalStateException("broken handler");
    }

    @Override
    public void onData(int event, Object a, Object data, int i, int j, Object b) throws IOException {
      calls.incrementAndGet();
      throw new IOException("broken handler");
    }

    @Override
    public Object replace(int event, Object value, Object a, Object b) {
      calls.incrementAndGet();
      throw new AssertionError("broken handler");
    }

    @Override
    public void turnedOff() {
      turnedOff.incrementAndGet();
    }
  }

  @BeforeEach
  void policy() {
    AgentLog.configure(false, false, LogFilter.DEFAULT);
    AgentLog.redirect(new PrintStream(log, true, StandardCharsets.UTF_8));
    metrics = new AgentMetrics("1f", "test", () -> 0L);
    Dispatch.failures(new TargetErrors(metrics));
  }

  @AfterEach
  void reset() {
    Dispatch.install(TARGET, null);
    Dispatch.failures(null);
    AgentLog.redirect(System.err);
  }

  private String scrape() throws IOException {
    return new String(metrics.scrape(false), StandardCharsets.UTF_8);
  }

  private String logged() {
    return log.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theCallerGetsBackWhatItGaveAndTheErrorIsCountedAndLoggedOnce() throws IOException {
    Failing handler = new Failing();
    Dispatch.install(TARGET, handler);
    Object value = new Object();
    assertNull(Dispatch.on("a", null, null, null, TARGET, 0));
    assertSame(value, Dispatch.replace(value, "a", null, TARGET, 1), "a value to replace is handed back");
    Dispatch.onData("a", new byte[1], 0, 1, null, TARGET, 2);
    assertEquals(3, handler.calls.get());
    assertTrue(scrape().contains("dynamo_obs_instrumentation_errors_total{target=\"" + NAME + "\"} 3.0"), scrape());
    String lines = logged();
    assertEquals(1, lines.lines().count(), "one line for the first error, nothing for the others: " + lines);
    assertTrue(lines.contains("WARN dynamo_obs.instrumentation: error inside the " + NAME + " instrumentation"), lines);
    assertTrue(lines.contains(
        "java.lang.IllegalStateException: broken handler\\n\tat dynamo.obs.agent.weaving.TargetErrorsTest$Failing.on("),
        "with its stack trace: " + lines);
    assertTrue(Dispatch.installed(TARGET));
  }

  @Test
  void aTargetThatKeepsFailingIsTurnedOffOnceWithOneWarn() throws IOException {
    Failing handler = new Failing();
    Dispatch.install(TARGET, handler);
    for (int i = 0; i < TargetErrors.LIMIT + 50; i++) {
      Dispatch.on("a", null, null, null, TARGET, 0);
    }
    assertEquals(TargetErrors.LIMIT, handler.calls.get(), "nothing reaches the handler once it is off");
    assertEquals(1, handler.turnedOff.get(), "told once, to let go of what it holds");
    assertFalse(Dispatch.installed(TARGET));
    String text = scrape();
    assertTrue(text.contains("dynamo_obs_instrumentation_errors_total{target=\"" + NAME + "\"} " + TargetErrors.LIMIT
        + ".0"), text);
    assertTrue(text.contains("dynamo_obs_instrumentation_turned_off{target=\"" + NAME + "\"} 1.0"), text);
    long warns = logged().lines().filter(l -> l.contains("is turned off")).count();
    assertEquals(1, warns, logged());
  }

  @Test
  void theWovenCodesOwnFailureCountsAgainstItsTarget() throws IOException {
    // what the weavers' exception handlers call with the throwable caught in inlined advice
    Dispatch.failed(new NullPointerException("advice"), TARGET);
    assertTrue(scrape().contains("dynamo_obs_instrumentation_errors_total{target=\"" + NAME + "\"} 1.0"), scrape());
    assertTrue(logged().contains("java.lang.NullPointerException: advice"), logged());
  }
}
