package dynamo.obs.agent.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TracingTest {
  private final List<TraceSpan> exported = new ArrayList<>();
  private final List<TraceSpan> closed = new ArrayList<>();

  @Test
  void aChildContinuesItsParentsTraceAndEndsOnce() {
    Tracing t = new Tracing(1.0, exported::add, null, closed::add);
    TraceParent remote = TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "k=v");
    TraceSpan server = t.start("http-request", TraceSpan.Kind.SERVER, remote, "x-1", "r-1");
    TraceSpan child = t.start("router.route_request", TraceSpan.Kind.INTERNAL, server, "x-1", "r-1");
    assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", server.traceId());
    assertEquals(server.traceId(), child.traceId());
    assertEquals("00f067aa0ba902b7", server.parentId());
    assertTrue(server.parentIsRemote());
    assertEquals(server.spanId(), child.parentId());
    assertFalse(child.parentIsRemote());
    assertEquals("k=v", child.traceState(), "tracestate travels with the trace");
    assertTrue(server.spanId().matches("[0-9a-f]{16}"));
    child.end();
    child.end();
    assertEquals(List.of(child), exported);
    assertEquals(List.of(child), closed);
    assertTrue(child.endEpochNanos() >= child.startEpochNanos());
  }

  @Test
  void attributesAreReplacedAndNullIsIgnored() {
    TraceSpan s = new Tracing(1.0, null, null, null).start("x", TraceSpan.Kind.INTERNAL, null, null, null);
    s.set("model", "a").set("model", "b").set("tokens", 3L).set("none", null);
    assertEquals(2, s.attributeCount());
    assertEquals("b", s.attribute("model"));
    assertEquals(3L, s.attribute("tokens"));
    assertNull(s.attribute("none"));
    assertNull(s.parentId(), "a root span");
  }

  @Test
  void ratioSamplesNewTracesAndFollowsTheParentsDecision() {
    Tracing none = new Tracing(0.0, exported::add, null, null);
    Tracing all = new Tracing(1.0, exported::add, null, null);
    Tracing half = new Tracing(0.5, exported::add, null, null);
    int sampled = 0;
    for (int i = 0; i < 2000; i++) {
      assertFalse(none.start("x", TraceSpan.Kind.INTERNAL, null, null, null).sampled());
      assertTrue(all.start("x", TraceSpan.Kind.INTERNAL, null, null, null).sampled());
      sampled += half.start("x", TraceSpan.Kind.INTERNAL, null, null, null).sampled() ? 1 : 0;
    }
    assertTrue(sampled > 800 && sampled < 1200, "about half: " + sampled);
    TraceParent yes = TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", null);
    TraceParent no = TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", null);
    assertTrue(none.start("x", TraceSpan.Kind.SERVER, yes, null, null).sampled(), "parent-based");
    assertFalse(all.start("x", TraceSpan.Kind.SERVER, no, null, null).sampled(), "parent-based");
    TraceSpan unsampled = all.start("x", TraceSpan.Kind.SERVER, no, null, null);
    exported.clear();
    unsampled.end();
    assertTrue(exported.isEmpty(), "not exported, though it has ids");
    assertEquals("00-4bf92f3577b34da6a3ce929d0e0e4736-" + unsampled.spanId() + "-00", TraceParent.format(unsampled));
  }

  @Test
  void millisecondsWithTwoDecimalsAsDynamoRecordsThem() {
    assertEquals("0.00", SpanValues.millis(0));
    assertEquals("0.00", SpanValues.millis(-5));
    assertEquals("1.23", SpanValues.millis(1_234_567));
    assertEquals("1.24", SpanValues.millis(1_235_000));
    assertEquals("20.05", SpanValues.millis(20_050_000));
    assertEquals("1500.00", SpanValues.millis(1_500_000_000L));
  }
}
