package dynamo.obs.agent.applog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.agent.config.LogFilter;
import dynamo.obs.agent.config.LogFilter.Level;
import dynamo.obs.agent.trace.ActiveSpan;
import dynamo.obs.agent.trace.FakeSpan;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.ListResourceBundle;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LogCaptureTest {
  private static final int LOGBACK_DEBUG = 10000;
  private static final int LOGBACK_INFO = 20000;
  private static final int LOGBACK_WARN = 30000;

  private final List<LogEvent> exported = new CopyOnWriteArrayList<>();
  private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
  private PrintStream savedOut;
  private PrintStream savedErr;

  @BeforeEach
  void capture() {
    LogExport.install(exported::add);
    savedOut = System.out;
    savedErr = System.err;
    System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    LogExport.install(null);
    ActiveSpan.source(null);
    System.setOut(savedOut);
    System.setErr(savedErr);
  }

  private static LogCapture capture(String directives, boolean jsonl) {
    return new LogCapture(LogFilter.DEFAULT.withDirectives(directives, bad -> {
    }), jsonl, false);
  }

  private static Object logback(LogCapture c, int level, String logger, String message) {
    return c.started(LogFramework.LOGBACK, level, logger, message, null, null, null, null, null, null);
  }

  /** One whole event: started, the console appenders, ended. */
  private static void dispatch(LogCapture c, int level, String logger, String message, Runnable appenders) {
    Object token = logback(c, level, logger, message);
    appenders.run();
    if (token != null) {
      c.ended(token);
    }
  }

  @Test
  void dynLogFiltersByLoggerNameAndLevel() {
    LogCapture c = capture("warn,com.acme=debug", false);
    dispatch(c, LOGBACK_DEBUG, "com.acme.app", "kept", () -> {
    });
    dispatch(c, LOGBACK_INFO, "org.other", "filtered", () -> {
    });
    dispatch(c, LOGBACK_WARN, "org.other", "kept too", () -> {
    });
    assertEquals(List.of("kept", "kept too"), exported.stream().map(e -> e.message).toList());
    assertEquals(Level.DEBUG, exported.get(0).level);
    assertEquals("com.acme.app", exported.get(0).target);
    assertEquals(Thread.currentThread().getName(), exported.get(0).threadName);
  }

  @Test
  void theEventCarriesTheSpanItsTimeLocationAndACopyOfItsFields() {
    LogCapture c = capture("info", false);
    ActiveSpan span = FakeSpan.request();
    ActiveSpan.source(() -> span);
    Map<String, String> mdc = new HashMap<>(Map.of("user", "alice", "zone", "eu"));
    mdc.put("gone", null);
    Instant time = Instant.parse("2025-09-02T15:53:31.943377123Z");
    RuntimeException thrown = new RuntimeException("x");
    c.ended(c.started(LogFramework.LOG4J, 400, "com.acme.app", "m", null, null, thrown, time,
        new StackTraceElement("com.acme.App", "run", "App.java", 17), mdc));
    mdc.put("user", "bob");
    LogEvent e = exported.get(0);
    assertSame(span, e.span);
    assertSame(thrown, e.thrown);
    assertEquals(LogEvent.epochNanos(time), e.epochNanos);
    assertEquals("App.java", e.file);
    assertEquals(17, e.line);
    assertEquals(Map.of("user", "alice", "zone", "eu"), e.fields);
  }

  @Test
  void withoutATimeTheEventHappensNowAndWithoutAMessageItIsEmpty() {
    LogCapture c = capture("info", false);
    long before = LogEvent.epochNanos(Instant.now());
    dispatch(c, LOGBACK_INFO, null, null, () -> {
    });
    LogEvent e = exported.get(0);
    assertTrue(e.epochNanos >= before, "now");
    assertEquals("", e.message);
    assertEquals("", e.target);
    assertEquals(Map.of(), e.fields);
    assertNull(e.file);
  }

  @Test
  void julMessagesAreFormattedLikeJulsFormatter() {
    assertEquals("a 1 b x", LogCapture.message("a {0} b {1}", new Object[]{1, "x"}, null));
    assertEquals("no braces", LogCapture.message("no braces", new Object[]{1}, null));
    assertEquals("{not a pattern", LogCapture.message("{not a pattern", new Object[]{1}, null));
    assertEquals("{0", LogCapture.message("{0", new Object[]{1}, null), "a bad pattern is the text");
    assertEquals("Hallo 7", LogCapture.message("greeting", new Object[]{7}, new ListResourceBundle() {
      @Override
      protected Object[][] getContents() {
        return new Object[][]{{"greeting", "Hallo {0}"}};
      }
    }));
    Object broken = new Object() {
      @Override
      public String toString() {
        throw new IllegalStateException("app bug");
      }
    };
    assertEquals("v {0}", LogCapture.message("v {0}", new Object[]{broken}, null));
  }

  @Test
  void aBridgeHandingTheSameEventToAnotherFrameworkIsCapturedOnce() {
    LogCapture c = capture("info", false);
    Object outer = c.started(LogFramework.JUL, 800, "com.acme.app", "once", null, null, null, null, null, null);
    Object inner = logback(c, LOGBACK_INFO, "com.acme.app", "once");
    assertNotNull(inner);
    Object other = logback(c, LOGBACK_INFO, "com.acme.audit", "an appender logs something else");
    c.ended(other);
    c.ended(inner);
    c.ended(outer);
    assertEquals(List.of("once", "an appender logs something else"), exported.stream().map(e -> e.message).toList());
  }

  @Test
  void whatTheExportLogsWhileCapturingIsNotCaptured() {
    LogCapture c = capture("info", false);
    AtomicReference<Object> nested = new AtomicReference<>("not called");
    LogExport.install(e -> {
      nested.set(logback(c, LOGBACK_WARN, "dynamo.export", "export failed"));
      exported.add(e);
    });
    dispatch(c, LOGBACK_INFO, "com.acme.app", "outer", () -> {
    });
    assertNull(nested.get());
    assertEquals(1, exported.size());
  }

  @Test
  void theAgentsLibrariesAndThreadsAreNeverExported() throws Exception {
    LogCapture c = capture("info", false);
    dispatch(c, LOGBACK_WARN, "dynamo.obs.shaded.io.opentelemetry.sdk.Batch", "failed to export", () -> {
    });
    Thread agentThread = new Thread(() -> dispatch(c, LOGBACK_WARN, "com.acme.app", "on our thread", () -> {
    }),
        "dynamo-obs-export");
    agentThread.start();
    agentThread.join();
    assertEquals(List.of(), exported);
    dispatch(c, LOGBACK_WARN, "dynamo.obs.it.App", "an application may live in a dynamo.obs package", () -> {
    });
    assertEquals(1, exported.size());
  }

  @Test
  void withoutExportAndWithoutJsonlNothingIsCaptured() {
    LogExport.install(null);
    assertNull(logback(capture("info", false), LOGBACK_WARN, "com.acme.app", "m"));
  }

  @Test
  void withJsonlTheConsolePrintsTheEventOnTheAppendersStreamOnce() {
    LogCapture c = capture("info", true);
    dispatch(c, LOGBACK_WARN, "com.acme.app", "two\nlines", () -> {
      assertTrue(c.consoleLine(false));
      assertTrue(c.consoleLine(true));
    });
    String out = stdout.toString(StandardCharsets.UTF_8);
    assertTrue(out.matches("\\{\"time\":\"[^\"]+Z\",\"level\":\"WARN\",\"target\":\"com.acme.app\","
        + "\"message\":\"two\\\\nlines\"\\}" + System.lineSeparator()), out);
    assertEquals(out, stderr.toString(StandardCharsets.UTF_8));
  }

  @Test
  void withJsonlAFilteredEventIsPrintedNowhere() {
    LogCapture c = capture("warn", true);
    dispatch(c, LOGBACK_INFO, "com.acme.app", "filtered", () -> assertTrue(c.consoleLine(false)));
    assertEquals("", stdout.toString(StandardCharsets.UTF_8));
  }

  @Test
  void withJsonlTheAgentsOwnLibrariesStillPrintAsJsonl() {
    LogCapture c = capture("info", true);
    dispatch(c, LOGBACK_WARN, "dynamo.obs.shaded.io.opentelemetry.sdk.Batch", "failed", () -> c.consoleLine(true));
    assertTrue(stderr.toString(StandardCharsets.UTF_8).contains("\"target\":\"dynamo.obs.shaded.io.opentelemetry"));
    assertEquals(List.of(), exported);
  }

  @Test
  void theFrameworkPrintsItselfWithoutJsonlOrOutsideADispatch() {
    assertFalse(capture("info", true).consoleLine(false), "no event being dispatched (an asynchronous appender)");
    LogCapture readable = capture("info", false);
    dispatch(readable, LOGBACK_WARN, "com.acme.app", "m", () -> assertFalse(readable.consoleLine(false)));
    assertEquals("", stdout.toString(StandardCharsets.UTF_8));
  }

  @Test
  void anUnbalancedDispatchIsRepairedByTheOuterEnd() {
    LogCapture c = capture("info", true);
    Object outer = logback(c, LOGBACK_INFO, "com.acme.a", "outer");
    logback(c, LOGBACK_INFO, "com.acme.b", "inner whose end is lost");
    c.ended(outer);
    assertFalse(c.consoleLine(false), "nothing is open any more");
  }

  @Test
  void nestingIsBounded() {
    LogCapture c = capture("info", false);
    int opened = 0;
    for (int i = 0; i < 20; i++) {
      if (logback(c, LOGBACK_INFO, "com.acme.n" + i, "deep") != null) {
        opened++;
      }
    }
    assertEquals(8, opened);
    assertEquals(8, exported.size());
  }
}
