package dynamo.obs.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class NamesTest {
  @Test
  void labelValues() {
    assertEquals("dynamo", Names.labelValue("dynamo"));
    assertEquals("my_ns", Names.labelValue("my-ns"));
    assertEquals("_1abc", Names.labelValue("1abc"));
    assertEquals("x", Names.labelValue("__x"));
    assertNull(Names.labelValue("---"));
    assertNull(Names.labelValue(""));
  }

  @Test
  void metricNames() {
    assertEquals("dynamo_frontend", Names.metricName("dynamo_frontend"));
    assertEquals("nim:frontend", Names.metricName("nim:frontend"));
    assertEquals("_9x", Names.metricName("9x"));
    assertEquals("a_b", Names.metricName("a-b"));
    assertNull(Names.metricName("__"));
  }
}
