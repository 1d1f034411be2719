package dynamo.obs.agent.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.agent.http.HttpStacks.Found;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpStacksTest {
  @Test
  void versionsAreComparedByTheirLeadingNumbers() {
    assertTrue(HttpStacks.within("4.1.137.Final", "4.1", "4.3"));
    assertTrue(HttpStacks.within("4.2.18.Final", "4.1", "4.3"));
    assertFalse(HttpStacks.within("4.0.56.Final", "4.1", "4.3"));
    assertFalse(HttpStacks.within("4.3.0.Alpha1", "4.1", "4.3"));
    assertTrue(HttpStacks.within("5.0.7", "4.0", "6"));
    assertFalse(HttpStacks.within("3.9.16", "4.0", "6"));
    assertTrue(HttpStacks.within("12.1.14", "9.4", "13"));
    assertTrue(HttpStacks.within("2.3.27.Final", "2.0", null));
  }

  @Test
  void aFrontendWithASupportedServerAndSupportedVersionsHasNoProblem() {
    assertNull(HttpStacks.problem(List.of(new Found("Vert.x", "5.0.7", "vertx-core-5.0.7.jar", true)), true, true,
        "so far"));
    assertNull(HttpStacks.problem(List.of(), false, false, "so far"), "a worker needs no server");
  }

  @Test
  void oneMessageSaysWhatWasFoundAndWhatIsSupported() {
    String none = HttpStacks.problem(List.of(), false, true, "in the 10 s since start");
    assertTrue(none.startsWith("no HTTP server the agent supports has started listening in the 10 s since start;"
        + " found: no HTTP server classes. Supported: JDK HttpServer JDK 17+; "), none);
    String old = HttpStacks.problem(List.of(new Found("Vert.x", "3.9.16", "vertx-core-3.9.16.jar", false)), true,
        true, "so far");
    assertTrue(old.startsWith("found Vert.x 3.9.16 (vertx-core-3.9.16.jar), which the agent does not support."
        + " Supported: "), old);
    assertTrue(old.contains("Vert.x 4–5"), old);
    assertEquals(1, old.split("Supported: ").length - 1);
  }
}
