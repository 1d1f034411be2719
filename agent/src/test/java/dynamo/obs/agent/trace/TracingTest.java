package dynamo.obs.agent.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.agent.config.Config;
import dynamo.obs.agent.config.ConfigSource;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class TracingTest {
  private final List<SpanData> exported = new ArrayList<>();
  private final List<TraceSpan> closed = new ArrayList<>();

  /** Tracing as the agent builds it from these variables, its sampled ended spans collected. */
  private Tracing tracing(String... env) {
    Map<String, String> vars = new HashMap<>();
    for (int i = 0; i + 1 < env.length; i += 2) {
      vars.put(env[i], env[i + 1]);
    }
    Config config = Config.read(new ConfigSource(vars, new Properties()), List.of());
    SpanProcessor collect = Tracing.sampledSpans(s -> exported.add(s.toSpanData()));
    return Tracing.of(Tracing.provider(config, Tracing.resource(config), collect), config, null, closed::add);
  }

  @Test
  void aChildContinuesItsParentsTraceAndEndsOnce() {
    Tracing t = tracing();
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
    assertEquals(1, exported.size());
    SpanData d = exported.get(0);
    assertEquals("router.route_request", d.getName());
    assertEquals(server.spanId(), d.getParentSpanId());
    assertEquals("v", d.getSpanContext().getTraceState().get("k"), "the SDK span carries the tracestate");
    assertEquals(child.startEpochNanos(), d.getStartEpochNanos());
    assertEquals(child.endEpochNanos(), d.getEndEpochNanos());
    assertEquals(List.of(child), closed);
    assertTrue(child.endEpochNanos() >= child.startEpochNanos());
  }

  @Test
  void attributesAreReplacedNullIsIgnoredAndTheStatusSet() {
    TraceSpan s = tracing().start("x", TraceSpan.Kind.INTERNAL, null, null, null);
    s.set("model", "a").set("model", "b").set("tokens", 3L).set("ratio", 0.5).set("none", null);
    assertEquals("b", s.attribute("model"));
    assertEquals(3L, s.attribute("tokens"));
    assertEquals(0.5, s.attribute("ratio"));
    assertNull(s.attribute("none"));
    assertNull(s.parentId(), "a root span");
    s.error("cancelled");
    s.end();
    SpanData d = exported.get(0);
    assertEquals(3, d.getAttributes().size());
    assertEquals(StatusCode.ERROR, d.getStatus().getStatusCode());
    assertEquals("cancelled", d.getStatus().getDescription());
  }

  @Test
  void attributesBeyondTheLimitAreDroppedAndCounted() {
    TraceSpan s = tracing("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "2", "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "3")
        .start("x", TraceSpan.Kind.INTERNAL, null, null, null);
    s.set("a", "abcdef").set("b", 1L).set("c", 2L);
    s.end();
    SpanData d = exported.get(0);
    assertEquals(2, d.getAttributes().size());
    assertEquals(3, d.getTotalAttributeCount(), "one dropped: dropped_attributes_count 1");
    assertEquals("abc", d.getAttributes().get(AttributeKey.stringKey("a")), "values cut to the length limit");
  }

  @Test
  void ratioSamplesNewTracesAndFollowsTheParentsDecision() {
    Tracing none = tracing("OTEL_TRACES_SAMPLE_RATIO", "0");
    Tracing all = tracing();
    Tracing half = tracing("OTEL_TRACES_SAMPLER", "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG", "0.5");
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
    assertFalse(tracing("OTEL_TRACES_SAMPLER", "always_off").start("x", TraceSpan.Kind.SERVER, yes, null, null)
        .sampled(), "always_off ignores the parent");
    TraceSpan unsampled = all.start("x", TraceSpan.Kind.SERVER, no, null, null);
    exported.clear();
    unsampled.end();
    assertTrue(exported.isEmpty(), "not exported, though it has ids");
    assertEquals("00-4bf92f3577b34da6a3ce929d0e0e4736-" + unsampled.spanId() + "-00", TraceParent.format(unsampled));
  }

  @Test
  void theResourceIsTheServiceAndOtelResourceAttributes() {
    Config c = Config.read(new ConfigSource(Map.of("OTEL_SERVICE_NAME", "chat",
        "OTEL_RESOURCE_ATTRIBUTES", "service.name=ignored,deployment.environment=prod"), new Properties()), List.of());
    var attributes = Tracing.resource(c).getAttributes();
    assertEquals("chat", attributes.get(AttributeKey.stringKey("service.name")));
    assertEquals("prod", attributes.get(AttributeKey.stringKey("deployment.environment")));
    assertEquals("java", attributes.get(AttributeKey.stringKey("telemetry.sdk.language")));
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
