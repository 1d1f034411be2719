package dynamo.obs.it.ecosystem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.it.support.Http;
import dynamo.obs.it.support.OtlpGrpcReceiver;
import dynamo.obs.it.support.OtlpHttpReceiver;
import dynamo.obs.it.support.OtlpReceiver;
import dynamo.obs.it.support.ReceivedSpan;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * SPEC §5 across the demo's JVMs, every one with the agent and export on: one request is one trace,
 * frontend {@code http-request} → router {@code router.route_request} → worker {@code handle_payload}
 * → {@code engine.generate}, received by a real OTLP receiver over gRPC (and over http/protobuf).
 */
class DemoTracesIT {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CLIENT_SPAN = "00f067aa0ba902b7";

  @Test
  void oneRequestIsOneTraceAcrossFrontendRouterAndWorkerOverGrpc() {
    try (OtlpGrpcReceiver receiver = new OtlpGrpcReceiver()) {
      receiver.start();
      oneTrace(receiver, Map.of("OTEL_EXPORT_ENABLED", "true", "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(),
          "OTEL_EXPORTER_OTLP_HEADERS", "x-tenant=acme", "OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=it"));
      assertEquals("acme", receiver.lastHeaders().get("x-tenant"), "OTEL_EXPORTER_OTLP_HEADERS reach the collector");
    }
  }

  @Test
  void oneRequestIsOneTraceOverHttpProtobuf() {
    try (OtlpHttpReceiver receiver = new OtlpHttpReceiver()) {
      receiver.start();
      oneTrace(receiver, Map.of("OTEL_EXPORT_ENABLED", "true", "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(),
          "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf", "OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=it"));
    }
  }

  private static void oneTrace(OtlpReceiver<?> receiver, Map<String, String> env) {
    try (DemoDeployment demo = DemoDeployment.start(env)) {
      demo.awaitReady();
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + demo.frontendPort
          + "/v1/chat/completions"))
          .timeout(Duration.ofSeconds(20))
          .header("content-type", "application/json")
          .header("traceparent", "00-" + TRACE + "-" + CLIENT_SPAN + "-01")
          .header("tracestate", "vendor=abc")
          .header("x-request-id", "trace-it-1")
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"Qwen/Qwen3-0.6B\",\"stream\":true,"
              + "\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}"))
          .build();
      HttpResponse<String> r = Http.send(request);
      assertEquals(200, r.statusCode(), Http.describe(r));
      assertEquals("trace-it-1", r.headers().firstValue("x-request-id").orElse(null), "x-request-id echoed");

      List<ReceivedSpan> spans = receiver.awaitSpans(s -> has(s, "http-request") && has(s, "router.route_request")
          && has(s, "handle_payload") && has(s, "engine.generate"), Duration.ofSeconds(30));
      ReceivedSpan http = only(spans, "http-request");
      ReceivedSpan route = only(spans, "router.route_request");
      ReceivedSpan payload = only(spans, "handle_payload");
      ReceivedSpan engine = only(spans, "engine.generate");
      String all = spans.toString();

      for (ReceivedSpan s : List.of(http, route, payload, engine)) {
        assertEquals(TRACE, s.traceId(), "one trace, continued from the client's traceparent: " + all);
        assertEquals("vendor=abc", s.traceState(), "tracestate travels with the trace: " + s);
        assertEquals("it", s.resourceAttributes().get("deployment.environment"), "OTEL_RESOURCE_ATTRIBUTES: " + s);
      }
      assertEquals(CLIENT_SPAN, http.parentSpanId(), "http-request is the client's child");
      assertEquals(http.spanId(), route.parentSpanId(), "the router's decision is the frontend request's child");
      assertEquals(route.spanId(), payload.parentSpanId(), "the worker's request is the routing decision's child");
      assertEquals(payload.spanId(), engine.parentSpanId(), "the engine call is the worker request's child");

      assertEquals("dynamo-frontend", http.serviceName());
      assertEquals("dynamo-router", route.serviceName());
      assertEquals("dynamo-backend", payload.serviceName());
      assertEquals("dynamo-backend", engine.serviceName());
      assertEquals("SERVER", http.kind());
      assertEquals("INTERNAL", route.kind());
      assertEquals("SERVER", payload.kind());
      assertEquals("INTERNAL", engine.kind());

      Map<String, Object> h = http.attributes();
      assertEquals("POST", h.get("method"));
      assertEquals("/v1/chat/completions", h.get("uri"));
      assertEquals("HTTP/1.1", h.get("version"));
      assertEquals("trace-it-1", h.get("x_request_id"));
      String requestId = (String) h.get("request_id");
      assertTrue(requestId.matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"), all);
      assertEquals("Qwen/Qwen3-0.6B", h.get("model"), "the model label, as the request spells it");
      long output = (Long) h.get("output_tokens");
      assertTrue(output > 0, "tokens counted: " + h);
      assertTrue(((String) h.get("ttft_ms")).matches("\\d+\\.\\d\\d"), "ttft_ms as %.2f: " + h);
      assertTrue(((String) h.get("avg_itl_ms")).matches("\\d+\\.\\d\\d"), "avg_itl_ms as %.2f: " + h);
      assertEquals("UNSET", http.statusCode());

      assertEquals(requestId, route.attributes().get("request_id"), "the request id reaches the router span");
      assertEquals("custom", route.attributes().get("router_mode"));
      assertTrue(String.valueOf(route.attributes().get("worker_id")).matches("worker-[12]"),
          "the chosen worker, from its id accessor: " + route.attributes());

      Map<String, Object> p = payload.attributes();
      assertEquals("backend", p.get("component"));
      assertEquals("generate", p.get("endpoint"));
      assertEquals("dynamo", p.get("namespace"));
      assertEquals("trace-it-1", p.get("x_request_id"));
      assertEquals(requestId, p.get("request_id"));
      assertTrue(String.valueOf(p.get("instance_id")).matches("\\d+"), "instance_id: " + p);

      Map<String, Object> e = engine.attributes();
      assertEquals("Qwen/Qwen3-0.6B", e.get("model"));
      assertEquals(output, e.get("output_tokens"), "the worker streamed what the frontend counted");
      assertTrue(((String) e.get("ttft_ms")).matches("\\d+\\.\\d\\d"), "engine ttft_ms: " + e);

      assertTrue(http.startEpochNanos() <= route.startEpochNanos() && route.endEpochNanos() <= http.endEpochNanos(),
          "the routing decision lies inside the frontend request: " + all);
      assertTrue(payload.startEpochNanos() <= engine.startEpochNanos(), all);
    }
  }

  private static boolean has(List<ReceivedSpan> spans, String name) {
    return spans.stream().anyMatch(s -> s.name().equals(name));
  }

  private static ReceivedSpan only(List<ReceivedSpan> spans, String name) {
    List<ReceivedSpan> named = spans.stream().filter(s -> s.name().equals(name)).toList();
    assertEquals(1, named.size(), "one " + name + " span: " + spans);
    return named.get(0);
  }

  static Optional<ReceivedSpan> named(List<ReceivedSpan> spans, String name) {
    return spans.stream().filter(s -> s.name().equals(name)).findFirst();
  }
}
