package dynamo.obs.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.agent.config.LogFilter.Level;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogFilterTest {
  private static LogFilter filter(String directives) {
    List<String> invalid = new ArrayList<>();
    LogFilter f = LogFilter.DEFAULT.withDirectives(directives, invalid::add);
    assertEquals(List.of(), invalid);
    return f;
  }

  @Test
  void eachLoggerNameIsResolvedOnceAndRemembered() {
    LogFilter f = filter("warn,com.acme=debug");
    assertEquals(Level.DEBUG, f.levelFor("com.acme.router.Picker"));
    assertEquals(1, f.cachedTargets());
    assertEquals(Level.DEBUG, f.levelFor("com.acme.router.Picker"));
    assertEquals(Level.WARN, f.levelFor("org.other"));
    assertEquals(2, f.cachedTargets());
  }

  @Test
  void theCacheIsBoundedAndAnswersStayRightPastTheBound() {
    LogFilter f = filter("warn,com.acme=debug");
    for (int i = 0; i < LogFilter.CACHED_TARGETS + 100; i++) {
      assertEquals(i % 2 == 0 ? Level.DEBUG : Level.WARN, f.levelFor((i % 2 == 0 ? "com.acme.n" : "gen.n") + i));
    }
    assertEquals(LogFilter.CACHED_TARGETS, f.cachedTargets());
    assertEquals(Level.DEBUG, f.levelFor("com.acme.late"), "resolved without the cache");
  }

  @Test
  void aLevelAdmitsItselfAndEverythingMoreSevereButOffAdmitsNothing() {
    assertTrue(Level.INFO.admits(Level.INFO));
    assertTrue(Level.INFO.admits(Level.ERROR));
    assertFalse(Level.INFO.admits(Level.DEBUG));
    assertFalse(Level.OFF.admits(Level.ERROR));
    assertFalse(Level.TRACE.admits(Level.OFF));
    LogFilter f = filter("info,noisy=off");
    assertFalse(f.enabled("noisy.Thing", Level.ERROR));
    assertTrue(f.enabled("quiet.Thing", Level.WARN));
  }
}
