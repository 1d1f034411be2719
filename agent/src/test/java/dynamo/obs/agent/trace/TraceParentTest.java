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
    assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", p.spanContext().getTraceId());
    assertEquals("00f067aa0ba902b7", p.spanContext().getSpanId());
    assertTrue(p.spanContext().isRemote());
    assertEquals("abc", p.spanContext().getTraceState().get("vendor"));
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
    for (String bad : new String[]{null, "", "garbage", VALID.substring(1), VALID + "-extra",
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
    assertEquals("00f067aa0ba902b7", p.spanContext().getSpanId());
  }

  @Test
  void invalidTraceStateMembersAreLeftOutOfTheSpanButTheHeaderTravelsAsReceived() {
    TraceParent p = TraceParent.parse(VALID, "b=2,UPPER=x,a=1");
    assertEquals("2", p.spanContext().getTraceState().get("b"));
    assertEquals("1", p.spanContext().getTraceState().get("a"));
    assertEquals(2, p.spanContext().getTraceState().size());
    assertEquals("b=2,UPPER=x,a=1", p.traceState());
  }
}
