package dynamo.obs.agent.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class AgentLogTest {
  @Test
  void timestampsHaveSixFractionDigitsAndZ() {
    assertEquals("2025-09-02T15:53:31.943377Z",
        AgentLog.Timestamps.format(Instant.parse("2025-09-02T15:53:31.943377123Z"), false));
    assertEquals("2025-01-01T00:00:00.000000Z", AgentLog.Timestamps.format(Instant.parse("2025-01-01T00:00:00Z"), false));
  }

  @Test
  void readableLineIsOneLineWithRightAlignedLevel() {
    String line = AgentLog.forTarget("dynamo_obs").readableLine(AgentLog.Level.INFO, "a\nb");
    assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z  INFO dynamo_obs: a\\\\nb"), line);
  }

  @Test
  void jsonLineHasDynamoKeyOrderAndEscapes() {
    String line = AgentLog.forTarget("dynamo_obs.config").jsonLine(AgentLog.Level.WARN, "x=\"1\"\n\u0001");
    assertTrue(line.matches("\\{\"time\":\"[^\"]+Z\",\"level\":\"WARN\",\"target\":\"dynamo_obs.config\","
        + "\"message\":\"x=\\\\\"1\\\\\"\\\\n\\\\u0001\"\\}"), line);
  }
}
