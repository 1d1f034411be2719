package dynamo.obs.agent.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TraceParentTest {
  private static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  void parsesW3cTraceparentAndFormatsItBack() {
    TraceParent p = TraceParent.parse(VALID, " vendor=abc ");
    assertEquals(0x4bf92f3577b34da6L, p.traceIdHigh());
    assertEquals(0xa3ce929d0e0e4736L, p.traceIdLow());
    assertEquals(0x00f067aa0ba902b7L, p.spanIdValue());
    assertTrue(p.sampled());
    assertTrue(p.remote());
    assertEquals("vendor=abc", p.traceState());
    assertEquals(VALID, TraceParent.format(p));
  }

  @Test
  void upperCaseHexIsAcceptedAndUnsampledFlagsKept() {
    TraceParent p = TraceParent.parse(VALID.toUpperCase().replace("-01", "-00"), null);
    assertFalse(p.sampled());
    assertNull(p.traceState());
    assertEquals(VALID.replace("-01", "-00"), TraceParent.format(p));
  }

  @Test
  void malformedOrZeroIdsStartANewTrace() {
    for (String bad : new String[] {null, "", "garbage", VALID.substring(1), VALID + "-extra",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}) {
      assertNull(TraceParent.parse(bad, null), String.valueOf(bad));
    }
  }

  @Test
  void aLaterVersionMayAppendFields() {
    TraceParent p = TraceParent.parse("01" + VALID.substring(2) + "-what-comes-next", null);
    assertEquals(0x00f067aa0ba902b7L, p.spanIdValue());
  }
}
