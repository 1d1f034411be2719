package dynamo.obs.agent.applog;

import static org.junit.jupiter.api.Assertions.assertNull;

import dynamo.obs.agent.config.LogFilter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class LogEventsTest {

  /**
   * With neither export nor JSONL nothing is opened at an event's start, and JUL's exit, woven whatever the start
   * returned, ends nothing (a Vert.x application logging through JUL once made every such end an error).
   */
  @Test
  void anEndOfNothingOpenedIsNothing() throws Throwable {
    LogEvents jul = new LogEvents(LogFramework.JUL, new LogCapture(LogFilter.DEFAULT, false, false));
    Object token = jul.on(LogEvents.JUL_LOG, Logger.getLogger("com.acme"), new LogRecord(Level.SEVERE, "m"), null,
        null);
    assertNull(token);
    assertNull(jul.on(LogEvents.ENDED, token, null, null, null));
  }
}
