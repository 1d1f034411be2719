package dynamo.obs.agent.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.agent.config.LogFilter;
import dynamo.obs.agent.trace.ActiveSpan;
import dynamo.obs.agent.trace.FakeSpan;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AgentLogTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  private String configure(boolean jsonl, String directives) {
    AgentLog.configure(jsonl, false, LogFilter.DEFAULT.withDirectives(directives, bad -> {
    }));
    AgentLog.redirect(new PrintStream(out, true, StandardCharsets.UTF_8));
    return directives;
  }

  private String output() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @AfterEach
  void reset() {
    AgentLog.configure(false, false, LogFilter.DEFAULT);
    AgentLog.redirect(System.err);
    ActiveSpan.source(null);
  }

  @Test
  void readableLineIsOneLineWithRightAlignedLevel() {
    configure(false, "info");
    AgentLog.forTarget("dynamo_obs").info("a\nb");
    assertTrue(output().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z  INFO dynamo_obs: a\\\\nb\n"),
        output());
  }

  @Test
  void jsonLineHasDynamoKeyOrderAndEscapes() {
    configure(true, "info");
    AgentLog.forTarget("dynamo_obs.config").warn("x=\"1\"\n\u0001");
    assertTrue(output().matches("\\{\"time\":\"[^\"]+Z\",\"level\":\"WARN\",\"target\":\"dynamo_obs.config\","
        + "\"message\":\"x=\\\\\"1\\\\\"\\\\n\\\\u0001\"\\}\n"), output());
  }

  @Test
  void eachTargetHasItsOwnLevelFromDynLog() {
    configure(false, "warn,dynamo_obs.chatty=debug");
    AgentLog.forTarget("dynamo_obs").info("hidden");
    AgentLog.forTarget("dynamo_obs.chatty.inner").debug("shown");
    AgentLog.forTarget("dynamo_obs").warn("also shown");
    assertEquals(2, output().lines().count(), output());
    assertTrue(output().contains("DEBUG dynamo_obs.chatty.inner: shown"), output());
  }

  @Test
  void jsonLinesInsideARequestCarryTheSpan() {
    configure(true, "info");
    ActiveSpan.source(FakeSpan::request);
    AgentLog.forTarget("dynamo_obs.advice").warn("inside");
    assertTrue(output().contains("\"message\":\"inside\",\"parent_id\":\"f7e487a9d2a6bf38\","), output());
    assertTrue(output().contains("\"span_id\":\"1234567890123456\""), output());
  }
}
