package dynamo.obs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.it.apps.IdleApp;
import dynamo.obs.it.support.AgentProcess;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** SPEC §2 / reference §4.2–4.3: the agent's own log lines in Dynamo's JSONL form. */
class JsonLogIT {
  private static final String JSON_STRING = "\"((?:[^\"\\\\]|\\\\.)*)\"";
  /**
   * Keys in Dynamo's order: time, level, (file, line when known), target, message, then any further
   * fields (reference §4.2).
   */
  static final Pattern JSON_LINE = Pattern
      .compile("^\\{\"time\":\"([^\"]+)\",\"level\":\"(ERROR|WARN|INFO|DEBUG|TRACE)\","
          + "(?:\"file\":" + JSON_STRING + ",\"line\":\\d+,)?"
          + "\"target\":" + JSON_STRING + ",\"message\":" + JSON_STRING + "(?:,\"[^\"]+\":.*)?\\}$");
  static final Pattern UTC_TIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
  static final Pattern KOLKATA_TIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\+05:30");
  /** The readable form (which must not appear once JSONL is on). */
  static final Pattern READABLE_LINE = Pattern
      .compile("^\\d{4}-\\d\\d-\\d\\dT\\S+ +(ERROR|WARN|INFO|DEBUG) dynamo_obs");

  @Test
  void jsonlLinesHaveTimeLevelTargetMessageInOrderWithUtcTime() {
    assertJsonLines(AgentProcess.app(IdleApp.class), UTC_TIME);
  }

  @Test
  void localTimeZoneGivesTheOffset() {
    assertJsonLines(AgentProcess.app(IdleApp.class)
        .env("DYN_LOG_USE_LOCAL_TZ", "true")
        .env("TZ", "Asia/Kolkata"), KOLKATA_TIME);
  }

  private static void assertJsonLines(AgentProcess.Builder builder, Pattern time) {
    try (AgentProcess app = builder
        .env("DYN_LOGGING_JSONL", "true")
        .env("DYN_SYSTEM_PORT", "0")
        .env("DYN_SYSTEM_STARTING_HEALTH_STATUS", "maybe")
        .start()) {
      app.awaitStdout(Pattern.compile("^IDLE$"));
      app.awaitStderr(Pattern.compile("^\\{.*\"level\":\"INFO\".*dynamo-obs \\S+ started: "));
      List<String> agentLines = app.stderrLines().stream().filter(l -> l.startsWith("{")).collect(Collectors.toList());
      assertTrue(agentLines.size() >= 2, app.outputs());
      boolean warnSeen = false;
      boolean startSeen = false;
      for (String line : agentLines) {
        Matcher m = JSON_LINE.matcher(line);
        assertTrue(m.matches(), "not a JSONL record with keys time, level, target, message in order: " + line);
        assertTrue(time.matcher(m.group(1)).matches(), "time " + m.group(1) + " does not match " + time);
        assertTrue(m.group(4).startsWith("dynamo_obs"), "target " + m.group(4));
        if (m.group(2).equals("WARN")) {
          assertTrue(m.group(5).contains("DYN_SYSTEM_STARTING_HEALTH_STATUS=\\\"maybe\\\""), line);
          warnSeen = true;
        }
        if (m.group(2).equals("INFO") && m.group(5).contains("system status server on")) {
          startSeen = true;
        }
      }
      assertTrue(warnSeen, "the WARN for the bad value is a JSONL record\n" + app.outputs());
      assertTrue(startSeen, "the INFO start line is a JSONL record\n" + app.outputs());
      assertEquals(1, agentLines.stream().filter(l -> l.contains("\"level\":\"WARN\"")).count(), app.outputs());
      for (String line : app.stderrLines()) {
        assertTrue(!READABLE_LINE.matcher(line).find(), "readable agent line despite JSONL: " + line);
      }
    }
  }
}
