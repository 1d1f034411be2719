package dynamo.obs.agent.weaving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.agent.config.LogFilter;
import dynamo.obs.agent.console.AgentLog;
import dynamo.obs.bootstrap.Handler;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a target's library code does when it cannot be had (its definition in an application's loader runs in the
 * integration tests: {@code WeavingIT}, and every Netty and Logback test).
 */
class LibraryHandlersTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  @AfterEach
  void reset() {
    AgentLog.configure(false, false, LogFilter.DEFAULT);
    AgentLog.redirect(System.err);
  }

  @Test
  void anObjectWhoseLoaderDoesNotSeeTheLibraryReachesNothing() throws Throwable {
    LibraryHandlers code = new LibraryHandlers("com.example.absent.Codec", "com.example.absent.Events", 0);
    Handler h = code.of(new Object());
    assertNull(h.on(1, "a", null, null, null));
    assertSame(h, code.of(new Object()), "found once per class");
  }

  @Test
  void codeThatCannotBeDefinedIsSaidOnceAndItsEventsArePassedOver() throws Throwable {
    AgentLog.configure(false, false, LogFilter.DEFAULT);
    AgentLog.redirect(new PrintStream(out, true, StandardCharsets.UTF_8));
    // the anchor is seen (the JDK's own class), but the agent has no such code to define beside it
    LibraryHandlers code = new LibraryHandlers("java.lang.String", "dynamo.obs.agent.NoSuchCode", 0);
    assertNull(code.of("text").on(1, "text", null, null, null));
    assertNull(code.of(new StringBuilder()).on(1, null, null, null, null));
    String log = out.toString(StandardCharsets.UTF_8);
    assertEquals(1, log.lines().count(), log);
    assertTrue(log.contains("WARN dynamo_obs.instrumentation: could not define dynamo.obs.agent.NoSuchCode beside"
        + " java.lang.String"), log);
  }
}
