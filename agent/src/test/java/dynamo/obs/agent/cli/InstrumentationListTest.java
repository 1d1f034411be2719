package dynamo.obs.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/instrumentations.md is generated; rerun with -Ddocs.update=true after changing an instrumentation. */
class InstrumentationListTest {
  @Test
  void docsListMatchesTheCode() throws Exception {
    Path doc = Path.of("..", "docs", "instrumentations.md");
    String expected = InstrumentationList.markdown();
    if (Boolean.getBoolean("docs.update")) {
      Files.writeString(doc, expected, StandardCharsets.UTF_8);
    }
    assertEquals(expected, Files.readString(doc, StandardCharsets.UTF_8),
        "docs/instrumentations.md is stale: run mvn -pl agent test -Ddocs.update=true");
  }
}
