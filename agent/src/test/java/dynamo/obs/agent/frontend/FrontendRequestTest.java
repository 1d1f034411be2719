package dynamo.obs.agent.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.agent.config.Config;
import dynamo.obs.agent.config.ConfigSource;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The recorder against a real Prometheus registry: exact series values from the exposition text. */
class FrontendRequestTest {
  // A model's series appear together on its first request (values 0 until observed), as in Dynamo.
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final AtomicInteger refused = new AtomicInteger();
  private final List<FrontendRequest> ended = new ArrayList<>();
  private FrontendMetrics metrics = metrics(Map.of());

  private FrontendMetrics metrics(Map<String, String> env) {
    Config c = Config.read(new ConfigSource(env, new Properties()), List.of());
    return new FrontendMetrics(c, registry, refused::incrementAndGet);
  }

  private FrontendRequest request(int endpoint) {
    return new FrontendRequest(metrics, endpoint, System.nanoTime(), ended::add, t -> {});
  }

  private static void feed(FrontendRequest r, String body) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    r.requestBytes(b, 0, b.length);
    r.requestBodyDone();
  }

  private static void respond(FrontendRequest r, String body, int chunk) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < b.length; i += chunk) {
      r.responseBytes(b, i, Math.min(chunk, b.length - i));
    }
  }

  private String text() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The value of one series line, or null when the series does not exist. */
  private Double value(String series) throws IOException {
    for (String line : text().split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1));
      }
    }
    return null;
  }

  private static final String CHAT = "chat_completions";

  private static String chunk(String content) {
    return "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
        + content + "\"},\"finish_reason\":null}],\"usage\":null}\n\n";
  }

  @Test
  void streamedChatWithUsage() throws IOException {
    FrontendRequest r = request(0);
    feed(r, "{\"model\":\"Qwen/Qwen3-0.6B\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true,"
        + "\"stream_options\":{\"include_usage\":true}}");
    assertEquals(1.0, value("dynamo_frontend_inflight_requests{model=\"qwen/qwen3-0.6b\"}"));
    assertEquals(1.0, value("dynamo_frontend_queued_requests{model=\"qwen/qwen3-0.6b\"}"));
    r.responseStarted(200, true);
    respond(r, "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n", 7);
    assertEquals(1.0, value("dynamo_frontend_queued_requests{model=\"qwen/qwen3-0.6b\"}"), "the role chunk is no token");
    respond(r, chunk("Hello") + chunk(" wor") + chunk("ld"), 5);
    assertEquals(0.0, value("dynamo_frontend_queued_requests{model=\"qwen/qwen3-0.6b\"}"));
    respond(r, "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
        + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,"
        + "\"prompt_tokens_details\":{\"cached_tokens\":8}}}\n\ndata: [DONE]\n\n", 11);
    r.completed();
    r.completed(); // ends once

    String m = "{model=\"qwen/qwen3-0.6b\"}";
    assertEquals(1.0, value("dynamo_frontend_requests_total{endpoint=\"chat_completions\",error_type=\"\",model=\"qwen/qwen3-0.6b\",request_type=\"stream\",status=\"success\"}"));
    assertEquals(0.0, value("dynamo_frontend_inflight_requests" + m));
    assertEquals(0.0, value("dynamo_frontend_active_requests" + m));
    assertEquals(0.0, value("dynamo_frontend_queued_requests" + m));
    assertEquals(1.0, value("dynamo_frontend_time_to_first_token_seconds_count" + m));
    assertEquals(2.0, value("dynamo_frontend_inter_token_latency_seconds_count" + m));
    assertEquals(3.0, value("dynamo_frontend_output_tokens_total" + m));
    assertEquals(1.0, value("dynamo_frontend_output_sequence_tokens_count" + m));
    assertEquals(3.0, value("dynamo_frontend_output_sequence_tokens_sum" + m));
    assertEquals(12.0, value("dynamo_frontend_input_sequence_tokens_sum" + m));
    assertEquals(8.0, value("dynamo_frontend_cached_tokens_sum" + m));
    assertEquals(1.0, value("dynamo_frontend_request_duration_seconds_count" + m));
    // bucket placement: 3 output tokens fall in (0, 100]
    assertEquals(0.0, value("dynamo_frontend_output_sequence_tokens_bucket{model=\"qwen/qwen3-0.6b\",le=\"0.0\"}"));
    assertEquals(1.0, value("dynamo_frontend_output_sequence_tokens_bucket{model=\"qwen/qwen3-0.6b\",le=\"100.0\"}"));
    assertEquals(0.0, value("dynamo_frontend_disconnected_clients"));
    assertEquals(List.of(r), ended);
  }

  @Test
  void streamWithoutUsageCountsOneTokenPerContentEvent() throws IOException {
    FrontendRequest r = request(1);
    feed(r, "{\"model\":\"m\",\"prompt\":\"x\",\"stream\":true}");
    r.responseStarted(200, true);
    for (int i = 0; i < 5; i++) {
      respond(r, "data: {\"choices\":[{\"text\":\"t" + i + "\",\"index\":0}]}\n\n", 1000);
    }
    r.completed();
    assertEquals(5.0, value("dynamo_frontend_output_sequence_tokens_sum{model=\"m\"}"));
    assertEquals(5.0, value("dynamo_frontend_output_tokens_total{model=\"m\"}"));
    assertEquals(4.0, value("dynamo_frontend_inter_token_latency_seconds_count{model=\"m\"}"));
    assertEquals(0.0, value("dynamo_frontend_input_sequence_tokens_count{model=\"m\"}"), "no usage: ISL unknown");
    assertEquals(1.0, value("dynamo_frontend_requests_total{endpoint=\"completions\",error_type=\"\",model=\"m\",request_type=\"stream\",status=\"success\"}"));
  }

  @Test
  void refusalsAndContentPartsAreContent() throws IOException {
    FrontendRequest r = request(0);
    feed(r, "{\"model\":\"m\",\"stream\":true}");
    r.responseStarted(200, true);
    // a refusal streamed in delta.refusal, then content given as parts (text, and reasoning as parts of its own)
    respond(r, "data: {\"choices\":[{\"delta\":{\"refusal\":\"I can\"}}]}\n\n", 7);
    respond(r, "data: {\"choices\":[{\"delta\":{\"content\":[{\"type\":\"text\",\"text\":\"Hi\"}]}}]}\n\n", 7);
    respond(r, "data: {\"choices\":[{\"delta\":{\"content\":[{\"type\":\"thinking\",\"thinking\":[{\"type\":"
        + "\"text\",\"text\":\"hmm\"}]}]}}]}\n\n", 7);
    // parts with empty text, and a part that is not text, carry no token
    respond(r, "data: {\"choices\":[{\"delta\":{\"content\":[{\"type\":\"text\",\"text\":\"\"},{\"type\":\"image\"}]}}]}\n\n", 7);
    r.completed();
    assertEquals(3.0, value("dynamo_frontend_output_tokens_total{model=\"m\"}"));
    assertEquals(1.0, value("dynamo_frontend_time_to_first_token_seconds_count{model=\"m\"}"));
    assertEquals(2.0, value("dynamo_frontend_inter_token_latency_seconds_count{model=\"m\"}"));
  }

  @Test
  void eventsCarryingSeveralTokensSplitTheLatency() throws IOException {
    FrontendRequest r = request(0);
    feed(r, "{\"model\":\"m\",\"stream\":true}");
    r.responseStarted(200, true);
    // running usage in every chunk (continuous usage stats): the second event carries 4 tokens
    respond(r, "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"usage\":{\"completion_tokens\":1}}\n\n", 64);
    respond(r, "data: {\"choices\":[{\"delta\":{\"content\":\"bcde\"}}],\"usage\":{\"completion_tokens\":5}}\n\n", 64);
    r.completed();
    assertEquals(4.0, value("dynamo_frontend_inter_token_latency_seconds_count{model=\"m\"}"));
    assertEquals(5.0, value("dynamo_frontend_output_tokens_total{model=\"m\"}"));
    assertEquals(5.0, value("dynamo_frontend_output_sequence_tokens_sum{model=\"m\"}"));
  }

  @Test
  void unaryWithUsage() throws IOException {
    FrontendRequest r = request(0);
    feed(r, "{\"model\":\"M\",\"messages\":[]}");
    r.responseStarted(200, false);
    respond(r, "{\"id\":\"x\",\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"hi there\"}}],"
        + "\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":2,\"total_tokens\":9}}", 3);
    r.completed();
    assertEquals(1.0, value("dynamo_frontend_requests_total{endpoint=\"chat_completions\",error_type=\"\",model=\"m\",request_type=\"unary\",status=\"success\"}"));
    assertEquals(1.0, value("dynamo_frontend_time_to_first_token_seconds_count{model=\"m\"}"));
    assertEquals(0.0, value("dynamo_frontend_inter_token_latency_seconds_count{model=\"m\"}"));
    assertEquals(2.0, value("dynamo_frontend_output_tokens_total{model=\"m\"}"));
    assertEquals(2.0, value("dynamo_frontend_output_sequence_tokens_sum{model=\"m\"}"));
    assertEquals(7.0, value("dynamo_frontend_input_sequence_tokens_sum{model=\"m\"}"));
  }

  @Test
  void errorStatusesMapToDynamoErrorTypes() throws IOException {
    int[] codes = {400, 422, 404, 429, 503, 529, 501, 504, 500, 401};
    String[] types = {"validation", "validation", "not_found", "overload", "overload", "overload", "not_implemented",
        "response_timeout", "internal", "validation"};
    for (int code : codes) {
      FrontendRequest r = request(0);
      feed(r, "{\"model\":\"e\"}");
      r.responseStarted(code, false);
      respond(r, "{\"error\":{\"message\":\"no\"}}", 100);
      r.completed();
    }
    for (String t : List.of("validation", "not_found", "overload", "not_implemented", "response_timeout", "internal")) {
      long expected = java.util.Arrays.stream(types).filter(t::equals).count();
      assertEquals((double) expected, value("dynamo_frontend_requests_total{endpoint=\"chat_completions\",error_type=\""
          + t + "\",model=\"e\",request_type=\"unary\",status=\"error\"}"), t);
    }
    assertEquals(0.0, value("dynamo_frontend_time_to_first_token_seconds_count{model=\"e\"}"), "errors produce no tokens");
    assertEquals(0.0, value("dynamo_frontend_inflight_requests{model=\"e\"}"));
  }

  @Test
  void clientGoneMidStreamIsACancellation() throws IOException {
    FrontendRequest r = request(0);
    feed(r, "{\"model\":\"c\",\"stream\":true}");
    r.responseStarted(200, true);
    respond(r, chunk("a") + chunk("b"), 100);
    r.clientGone();
    r.completed();
    assertEquals(1.0, value("dynamo_frontend_requests_total{endpoint=\"chat_completions\",error_type=\"cancelled\",model=\"c\",request_type=\"stream\",status=\"error\"}"));
    assertEquals(1.0, value("dynamo_frontend_disconnected_clients"));
    assertEquals(1.0, value("dynamo_frontend_model_cancellation_total{endpoint=\"chat_completions\",model=\"c\",request_type=\"stream\"}"));
    assertEquals(2.0, value("dynamo_frontend_output_sequence_tokens_sum{model=\"c\"}"));
  }

  @Test
  void handlerFailureBeforeAnyResponseIsInternal() throws IOException {
    FrontendRequest r = request(0);
    feed(r, "{\"model\":\"f\"}");
    r.failed();
    assertEquals(1.0, value("dynamo_frontend_requests_total{endpoint=\"chat_completions\",error_type=\"internal\",model=\"f\",request_type=\"unary\",status=\"error\"}"));
    assertEquals(0.0, value("dynamo_frontend_queued_requests{model=\"f\"}"));
  }

  @Test
  void missingOrMalformedModelIsUnknown() throws IOException {
    FrontendRequest a = request(0);
    feed(a, "{\"messages\":[]}");
    a.responseStarted(400, false);
    a.completed();
    FrontendRequest b = request(0);
    feed(b, "{\"model\":\"x\", oops");
    b.responseStarted(400, false);
    b.completed();
    assertEquals(2.0, value("dynamo_frontend_requests_total{endpoint=\"chat_completions\",error_type=\"validation\",model=\"unknown\",request_type=\"unary\",status=\"error\"}"));
    assertNull(value("dynamo_frontend_requests_total{endpoint=\"chat_completions\",error_type=\"validation\",model=\"x\",request_type=\"unary\",status=\"error\"}"));
  }

  @Test
  void modelsBeyondTheCapShareTheOverflowSeries() throws IOException {
    metrics = metrics(Map.of("DYN_OBS_MAX_MODELS", "2", "DYN_METRICS_PREFIX", "capped"));
    for (String m : List.of("a", "b", "c", "d", "a")) {
      FrontendRequest r = request(0);
      feed(r, "{\"model\":\"" + m + "\"}");
      r.responseStarted(200, false);
      r.completed();
    }
    String base = "capped_requests_total{endpoint=\"chat_completions\",error_type=\"\",model=\"";
    String tail = "\",request_type=\"unary\",status=\"success\"}";
    assertEquals(2.0, value(base + "a" + tail));
    assertEquals(1.0, value(base + "b" + tail));
    assertEquals(2.0, value(base + "__overflow__" + tail));
    assertNull(value(base + "c" + tail));
    assertEquals(2, refused.get());
  }

  @Test
  void labelledFamiliesAreAbsentUntilFirstUse() throws IOException {
    String t = text();
    assertFalse(t.contains("dynamo_frontend_requests_total"), t);
    assertFalse(t.contains("dynamo_frontend_time_to_first_token_seconds"), t);
    assertTrue(t.contains("dynamo_frontend_disconnected_clients 0"), t);
  }

  @Test
  void requestIdsFollowTheSpec() {
    FrontendRequest r = request(0);
    r.requestHeaders("abc", "123e4567-e89b-12d3-a456-426614174000", null);
    assertEquals("abc", r.xRequestId());
    assertEquals("123e4567-e89b-12d3-a456-426614174000", r.requestId());
    FrontendRequest s = request(0);
    s.requestHeaders(null, "not-a-uuid", null);
    assertTrue(FrontendRequest.isUuid(s.requestId()));
    assertEquals(s.requestId(), s.requestId(), "stable once made");
    java.util.Set<String> made = new java.util.HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      java.util.UUID id = java.util.UUID.fromString(FrontendRequest.newRequestId());
      assertEquals(4, id.version());
      assertEquals(2, id.variant());
      assertTrue(made.add(id.toString()), "unique");
    }
  }

  /**
   * A model spelled as before is found by its bytes (no String); its first occurrence still wins,
   * and a body that turns out invalid still counts under {@code unknown}.
   */
  @Test
  void aModelSeenBeforeIsFoundByItsBytesWithTheSameRules() throws IOException {
    for (int i = 0; i < 3; i++) {
      FrontendRequest r = request(0);
      feed(r, "{\"model\":\"Big-Model\",\"model\":\"other\",\"stream\":false}");
      r.responseStarted(200, false);
      respond(r, "{\"choices\":[{\"message\":{\"content\":\"x\"}}]}", 7);
      r.completed();
      assertEquals("big-model", r.modelLabel());
    }
    FrontendRequest bad = request(0);
    feed(bad, "{\"model\":\"Big-Model\" \"x\"}");
    bad.responseStarted(400, false);
    bad.completed();
    assertEquals("unknown", bad.modelLabel(), "the model of an invalid body is not trusted");
    assertEquals(3.0, value("dynamo_frontend_requests_total{endpoint=\"chat_completions\",error_type=\"\","
        + "model=\"big-model\",request_type=\"unary\",status=\"success\"}"));
    assertNull(value("dynamo_frontend_requests_total{endpoint=\"chat_completions\",error_type=\"\","
        + "model=\"other\",request_type=\"unary\",status=\"success\"}"));
  }
}
