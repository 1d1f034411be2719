package dynamo.obs.agent.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.agent.config.Config;
import dynamo.obs.agent.config.ConfigSource;
import dynamo.obs.agent.config.LogFilter;
import dynamo.obs.agent.console.AgentLog;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The recorder against a real Prometheus registry: exact series values from the exposition text. */
class FrontendRequestTest {
  // A model's series appear together on its first request (values 0 until observed), as in Dynamo.
  private PrometheusRegistry registry;
  private final AtomicInteger refused = new AtomicInteger();
  private final List<FrontendRequest> ended = new ArrayList<>();
  private FrontendMetrics metrics = metrics(Map.of());

  /** Metrics of a configuration, in a registry of their own. */
  private FrontendMetrics metrics(Map<String, String> env) {
    registry = new PrometheusRegistry();
    Config c = Config.read(new ConfigSource(env, new Properties()), List.of());
    return new FrontendMetrics(c, registry, refused::incrementAndGet);
  }

  /** The agent's console: the lifecycle lines every counted request writes. */
  private final ByteArrayOutputStream console = new ByteArrayOutputStream();

  @BeforeEach
  void captureConsole() {
    AgentLog.redirect(new PrintStream(console, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreConsole() {
    AgentLog.flushLater();
    AgentLog.configure(false, false, LogFilter.DEFAULT);
    AgentLog.redirect(System.err);
  }

  private List<String> consoleLines() {
    AgentLog.flushLater(); // the lifecycle lines are written by the agent's console thread
    return console.toString(StandardCharsets.UTF_8).lines().toList();
  }

  private FrontendRequest request(int endpoint) {
    return new FrontendRequest(metrics, endpoint, System.nanoTime(), ended::add, t -> {
    });
  }

  /** A unary request with this body, answered with this status and no body. */
  private void answered(int endpoint, String body, int status) {
    FrontendRequest r = request(endpoint);
    feed(r, body);
    r.responseStarted(status, false);
    r.completed();
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

  private static String requests(String model, String endpoint, String type, String status, String errorType) {
    return "dynamo_frontend_requests_total{endpoint=\"" + endpoint + "\",error_type=\"" + errorType + "\",model=\""
        + model + "\",request_type=\"" + type + "\",status=\"" + status + "\"}";
  }

  private static String started(String model, String endpoint, String type) {
    return "dynamo_frontend_requests_started_total{endpoint=\"" + endpoint + "\",model=\"" + model
        + "\",request_type=\"" + type + "\"}";
  }

  private static String chunk(String content) {
    return "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
        + content + "\"},\"finish_reason\":null}],\"usage\":null}\n\n";
  }

  private static final String QWEN = "{model=\"Qwen/Qwen3-0.6B\"}";

  @Test
  void streamedChatWithUsage() throws IOException {
    FrontendRequest r = request(0);
    feed(r, "{\"model\":\"Qwen/Qwen3-0.6B\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true,"
        + "\"stream_options\":{\"include_usage\":true}}");
    // a model not yet seen served waits for the answer's status: a made-up name gets no series
    assertNull(value("dynamo_frontend_inflight_requests" + QWEN));
    r.responseStarted(200, true);
    assertEquals(1.0, value("dynamo_frontend_inflight_requests" + QWEN));
    assertEquals(1.0, value("dynamo_frontend_queued_requests" + QWEN));
    assertEquals(1.0, value(started("Qwen/Qwen3-0.6B", CHAT, "stream")));
    respond(r, "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n", 7);
    assertEquals(1.0, value("dynamo_frontend_queued_requests" + QWEN), "the role chunk is no token");
    respond(r, chunk("Hello") + chunk(" wor") + chunk("ld"), 5);
    assertEquals(0.0, value("dynamo_frontend_queued_requests" + QWEN));
    respond(r, "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
        + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,"
        + "\"prompt_tokens_details\":{\"cached_tokens\":8}}}\n\ndata: [DONE]\n\n", 11);
    r.completed();
    r.completed(); // ends once

    String m = QWEN;
    assertEquals(1.0, value(requests("Qwen/Qwen3-0.6B", CHAT, "stream", "success", "")));
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
    assertEquals(0.0, value("dynamo_frontend_output_sequence_tokens_bucket{model=\"Qwen/Qwen3-0.6B\",le=\"0.0\"}"));
    assertEquals(1.0, value("dynamo_frontend_output_sequence_tokens_bucket{model=\"Qwen/Qwen3-0.6B\",le=\"100.0\"}"));
    assertEquals(0.0, value("dynamo_frontend_disconnected_clients"));
    assertEquals(List.of(r), ended);

    // the model is now one the application serves: its next request is in flight from the body's end
    FrontendRequest next = request(0);
    feed(next, "{\"model\":\"Qwen/Qwen3-0.6B\",\"stream\":true}");
    assertEquals(1.0, value("dynamo_frontend_inflight_requests" + m));
    assertEquals(1.0, value("dynamo_frontend_queued_requests" + m));
    assertEquals(2.0, value(started("Qwen/Qwen3-0.6B", CHAT, "stream")));
    next.responseStarted(200, true);
    assertEquals(1.0, value("dynamo_frontend_inflight_requests" + m), "counted once");
    next.completed();
    assertEquals(0.0, value("dynamo_frontend_inflight_requests" + m));
  }

  /**
   * A running stream's tokens and inter-token latencies are added to its model's series once a second, not at every
   * token, and all of them at its end, before it is counted; a client gone mid-stream keeps what it was sent counted.
   */
  @Test
  void aRunningStreamsTokensReachTheSeriesOnceASecondAndAllAtItsEnd() throws IOException {
    FrontendRequest served = request(0);
    feed(served, "{\"model\":\"m\",\"stream\":true}");
    served.responseStarted(200, true);
    served.completed(); // the model is served: the next requests are counted from their bodies' end

    String m = "{model=\"m\"}";
    FrontendRequest r = request(0);
    feed(r, "{\"model\":\"m\",\"stream\":true}");
    r.responseStarted(200, true);
    respond(r, chunk("a") + chunk("b") + chunk("c"), 64);
    assertEquals(1.0, value("dynamo_frontend_time_to_first_token_seconds_count" + m), "the first token at once");
    assertEquals(0.0, value("dynamo_frontend_output_tokens_total" + m), "not yet a second into the stream");
    assertEquals(0.0, value("dynamo_frontend_inter_token_latency_seconds_count" + m));
    respond(r, chunk("d"), 64);
    r.completed();
    assertEquals(2.0, value(requests("m", CHAT, "stream", "success", "")));
    assertEquals(4.0, value("dynamo_frontend_output_tokens_total" + m));
    assertEquals(3.0, value("dynamo_frontend_inter_token_latency_seconds_count" + m));

    // a stream that began over a second ago: its first token adds what it holds at once, the next ones are held
    FrontendRequest old = new FrontendRequest(metrics, 0, System.nanoTime() - 1_500_000_000L, ended::add, t -> {
    });
    feed(old, "{\"model\":\"m\",\"stream\":true}");
    old.responseStarted(200, true);
    respond(old, chunk("a"), 64);
    assertEquals(5.0, value("dynamo_frontend_output_tokens_total" + m));
    respond(old, chunk("b") + chunk("c"), 64);
    assertEquals(5.0, value("dynamo_frontend_output_tokens_total" + m));
    assertEquals(3.0, value("dynamo_frontend_inter_token_latency_seconds_count" + m));
    old.clientGone();
    assertEquals(7.0, value("dynamo_frontend_output_tokens_total" + m), "a cancelled stream's tokens count too");
    assertEquals(5.0, value("dynamo_frontend_inter_token_latency_seconds_count" + m));
    assertEquals(1.0, value("dynamo_frontend_model_cancellation_total{endpoint=\"chat_completions\",model=\"m\","
        + "request_type=\"stream\"}"));
  }

  /**
   * Upstream's InflightGuard writes "request received" and "request completed" at INFO (a failure at ERROR) for every
   * request it counts, whether or not traces are exported: so does a request without a span.
   */
  @Test
  void everyCountedRequestWritesItsLifecycleLinesWithoutASpan() {
    AgentLog.flushLater();
    console.reset();
    FrontendRequest r = request(0);
    feed(r, "{\"model\":\"m\",\"stream\":true}");
    r.responseStarted(200, true);
    respond(r, "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n", 64);
    r.completed();
    answered(1, "{\"model\":\"nobody-serves-this\",\"prompt\":\"x\"}", 404);
    answered(0, "{\"model\":", 400);
    List<String> lines = consoleLines();
    assertEquals(4, lines.size(), "two lines for each counted request, none for a body that is not JSON:\n" + lines);
    String id = "request_id=[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";
    assertTrue(
        lines.get(0).matches("\\S+Z  INFO dynamo_obs.request: request received endpoint=chat_completions model=m "
            + id + " request_type=stream"),
        lines.get(0));
    assertTrue(lines.get(1).matches("\\S+Z  INFO dynamo_obs.request: request completed elapsed_ms=\\d+ "
        + "endpoint=chat_completions model=m " + id + " request_type=stream status=success"), lines.get(1));
    assertEquals(lines.get(0).replaceAll(".*request_id=(\\S+).*", "$1"),
        lines.get(1).replaceAll(".*request_id=(\\S+).*", "$1"), "one request id for both lines");
    assertTrue(lines.get(2).matches("\\S+Z  INFO dynamo_obs.request: request received endpoint=completions "
        + "model=unknown_model " + id + " request_type=unary"), lines.get(2));
    assertTrue(lines.get(3).matches("\\S+Z ERROR dynamo_obs.request: request completed elapsed_ms=\\d+ "
        + "endpoint=completions error_detail=model or resource not found error_type=not_found model=unknown_model "
        + id + " request_type=unary status=error"), lines.get(3));
  }

  /** {@code DYN_LOG} filters the lifecycle lines by their target: a filtered level writes nothing. */
  @Test
  void dynLogFiltersTheLifecycleLines() {
    AgentLog.configure(false, false, LogFilter.DEFAULT.withDirectives("info,dynamo_obs.request=error", bad -> {
    }));
    AgentLog.flushLater();
    console.reset();
    answered(0, "{\"model\":\"m\"}", 200);
    answered(0, "{\"model\":\"m\"}", 500);
    List<String> lines = consoleLines();
    assertEquals(1, lines.size(), lines.toString());
    assertTrue(lines.get(0).contains(" ERROR dynamo_obs.request: request completed ") && lines.get(0).contains(
        "error_type=internal"), lines.get(0));
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
    assertEquals(1.0, value(
        "dynamo_frontend_requests_total{endpoint=\"completions\",error_type=\"\",model=\"m\",request_type=\"stream\",status=\"success\"}"));
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
    respond(r,
        "data: {\"choices\":[{\"delta\":{\"content\":[{\"type\":\"text\",\"text\":\"\"},{\"type\":\"image\"}]}}]}\n\n",
        7);
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
    // the model keeps the request's casing (upstream since May 2026)
    assertEquals(1.0, value(requests("M", CHAT, "unary", "success", "")));
    assertEquals(1.0, value("dynamo_frontend_time_to_first_token_seconds_count{model=\"M\"}"));
    assertEquals(0.0, value("dynamo_frontend_inter_token_latency_seconds_count{model=\"M\"}"));
    assertEquals(2.0, value("dynamo_frontend_output_tokens_total{model=\"M\"}"));
    assertEquals(2.0, value("dynamo_frontend_output_sequence_tokens_sum{model=\"M\"}"));
    assertEquals(7.0, value("dynamo_frontend_input_sequence_tokens_sum{model=\"M\"}"));
    assertNull(value(requests("m", CHAT, "unary", "success", "")));
  }

  @Test
  void modelsThatDifferInCaseAreTwoModels() throws IOException {
    for (String m : List.of("Qwen/Qwen3-0.6B", "qwen/qwen3-0.6b", "Qwen/Qwen3-0.6B")) {
      FrontendRequest r = request(0);
      feed(r, "{\"model\":\"" + m + "\"}");
      r.responseStarted(200, false);
      r.completed();
    }
    String base = "dynamo_frontend_requests_total{endpoint=\"chat_completions\",error_type=\"\",model=\"";
    String tail = "\",request_type=\"unary\",status=\"success\"}";
    assertEquals(2.0, value(base + "Qwen/Qwen3-0.6B" + tail));
    assertEquals(1.0, value(base + "qwen/qwen3-0.6b" + tail));
  }

  @Test
  void errorStatusesMapToDynamoErrorTypes() throws IOException {
    // 404 is left out: a model the application answers 404 for is unknown_model (its own test)
    int[] codes = {400, 422, 429, 503, 529, 501, 504, 500, 401, 499};
    String[] types = {"validation", "validation", "overload", "unavailable", "overload", "not_implemented",
        "response_timeout", "internal", "validation", "cancelled"};
    for (int code : codes) {
      FrontendRequest r = request(0);
      feed(r, "{\"model\":\"e\"}");
      r.responseStarted(code, false);
      respond(r, "{\"error\":{\"message\":\"no\"}}", 100);
      r.completed();
    }
    for (String t : List.of("validation", "overload", "unavailable", "not_implemented", "response_timeout", "internal",
        "cancelled")) {
      long expected = java.util.Arrays.stream(types).filter(t::equals).count();
      assertEquals((double) expected, value("dynamo_frontend_requests_total{endpoint=\"chat_completions\",error_type=\""
          + t + "\",model=\"e\",request_type=\"unary\",status=\"error\"}"), t);
    }
    assertEquals(0.0, value("dynamo_frontend_time_to_first_token_seconds_count{model=\"e\"}"),
        "errors produce no tokens");
    assertEquals(0.0, value("dynamo_frontend_inflight_requests{model=\"e\"}"));
    assertEquals(0.0, value("dynamo_frontend_disconnected_clients"), "a 499 answer is no disconnect seen");
    // only the overload answer (529) is a rejection for want of capacity, as upstream's model_rejection_total
    assertEquals(1.0, value("dynamo_frontend_model_rejection_total{endpoint=\"chat_completions\",model=\"e\"}"));
    assertEquals(10.0, value("dynamo_frontend_requests_started_total{endpoint=\"chat_completions\",model=\"e\","
        + "request_type=\"unary\"}"));
  }

  /** Upstream labels a model it does not serve {@code unknown_model}: made-up names take no cap slot. */
  @Test
  void aModelAnswered404IsUnknownModelAndTakesNoSlotOfTheCap() throws IOException {
    metrics = metrics(Map.of("DYN_OBS_MAX_MODELS", "2"));
    for (int i = 0; i < 50; i++) {
      FrontendRequest r = request(0);
      feed(r, "{\"model\":\"made-up-" + i + "\",\"stream\":true}");
      r.responseStarted(404, false);
      respond(r, "{\"error\":{\"message\":\"The model does not exist.\"}}", 100);
      r.completed();
    }
    for (String m : List.of("a", "b")) {
      FrontendRequest r = request(0);
      feed(r, "{\"model\":\"" + m + "\"}");
      r.responseStarted(200, false);
      r.completed();
    }
    assertEquals(50.0, value("dynamo_frontend_requests_total{endpoint=\"chat_completions\",error_type=\"not_found\","
        + "model=\"unknown_model\",request_type=\"stream\",status=\"error\"}"));
    assertEquals(50.0, value(started("unknown_model", CHAT, "stream")));
    assertEquals(0.0, value("dynamo_frontend_inflight_requests{model=\"unknown_model\"}"));
    assertEquals(50.0, value("dynamo_frontend_request_duration_seconds_count{model=\"unknown_model\"}"));
    assertEquals(1.0, value("dynamo_frontend_requests_total{endpoint=\"chat_completions\",error_type=\"\",model=\"b\","
        + "request_type=\"unary\",status=\"success\"}"), "the real models keep their own series");
    assertEquals(0, refused.get(), "no model was refused by the cap");
    String t = text();
    assertFalse(t.contains("made-up"), t);
    // nothing was generated for it: no token histograms (as upstream, whose answer collector is never made)
    assertFalse(t.contains("dynamo_frontend_time_to_first_token_seconds_count{model=\"unknown_model\"}"), t);
  }

  /**
   * A model the application served before keeps its name on a 404 (upstream: a registered model asked for on an
   * endpoint it does not serve is not_found under its own name); it was in flight from its body's end.
   */
  @Test
  void aServedModelAnswered404KeepsItsName() throws IOException {
    FrontendRequest first = request(0);
    feed(first, "{\"model\":\"chat-only\"}");
    first.responseStarted(200, false);
    first.completed();
    FrontendRequest r = request(2);
    feed(r, "{\"model\":\"chat-only\",\"input\":\"x\"}");
    assertEquals(1.0, value("dynamo_frontend_inflight_requests{model=\"chat-only\"}"));
    r.responseStarted(404, false);
    r.completed();
    assertEquals(0.0, value("dynamo_frontend_inflight_requests{model=\"chat-only\"}"));
    assertEquals(1.0, value("dynamo_frontend_requests_total{endpoint=\"embeddings\",error_type=\"not_found\","
        + "model=\"chat-only\",request_type=\"unary\",status=\"error\"}"));
    assertNull(value("dynamo_frontend_inflight_requests{model=\"unknown_model\"}"));
  }

  @Test
  void aMissingModelIsUnknown() throws IOException {
    FrontendRequest a = request(0);
    feed(a, "{\"messages\":[]}");
    a.responseStarted(400, false);
    a.completed();
    assertEquals(1.0, value(requests("unknown", CHAT, "unary", "error", "validation")));
  }

  /**
   * Upstream parses the body before it counts anything (openai.rs handler_chat_completions: a body that is
   * not JSON is answered 400 with no metric): malformed, cut short and empty bodies are not counted at all,
   * under no model; the request's span is still made.
   */
  @Test
  void aBodyThatIsNotJsonIsNotCounted() throws IOException {
    for (String body : List.of("{\"model\":\"x\", oops}", "{\"model\":\"M\",\"messages\":[{\"role\":\"user\","
        + "\"content\":\"hi", "{\"model\":\"M\",\"messages\":[", "")) {
      for (int status : new int[]{400, 404, 422, 500}) {
        FrontendRequest r = request(0);
        feed(r, body);
        r.responseStarted(status, false);
        respond(r, "{\"error\":{\"message\":\"Failed to parse the request body as JSON\"}}", 100);
        r.completed();
        assertNull(r.modelLabel(), body);
      }
      FrontendRequest gone = request(0);
      feed(gone, body);
      gone.clientGone();
    }
    String t = text();
    assertFalse(t.contains("dynamo_frontend_requests_total"), t);
    assertFalse(t.contains("dynamo_frontend_requests_started_total"), t);
    assertFalse(t.contains("dynamo_frontend_inflight_requests"), t);
    assertTrue(t.contains("dynamo_frontend_disconnected_clients 0"), t);
  }

  /**
   * A body the scanner calls invalid that the application still answers 2xx (a lenient parser; upstream too
   * accepts raw control characters in strings) is counted, under the model it named.
   */
  @Test
  void aBodyThatIsNotJsonButIsServedIsCounted() throws IOException {
    FrontendRequest r = request(0);
    feed(r, "{\"model\":\"M\",\"messages\":[{\"role\":\"user\",\"content\":\"line\nbreak\"}]}");
    r.responseStarted(200, false);
    respond(r, "{\"choices\":[{\"message\":{\"content\":\"x\"}}]}", 100);
    r.completed();
    assertEquals("M", r.modelLabel());
    assertEquals(1.0, value("dynamo_frontend_requests_total{endpoint=\"chat_completions\",error_type=\"\",model=\"M\","
        + "request_type=\"unary\",status=\"success\"}"));
  }

  /** A body the application closed before its end may be whole: only a failure to scan says it is not JSON. */
  @Test
  void aBodyClosedBeforeItsEndIsCounted() throws IOException {
    FrontendRequest r = request(0);
    byte[] b = "{\"model\":\"part\",\"messages\":[".getBytes(StandardCharsets.UTF_8);
    r.requestBytes(b, 0, b.length);
    r.requestBodyClosed();
    r.responseStarted(413, false);
    r.completed();
    assertEquals(1.0, value("dynamo_frontend_requests_total{endpoint=\"chat_completions\",error_type=\"validation\","
        + "model=\"part\",request_type=\"unary\",status=\"error\"}"));
  }

  /**
   * Upstream's per-request media counts: a chat request's image_url, video_url and audio_url parts (not
   * input_audio, which upstream does not count), Anthropic's image blocks (also inside a tool result) and the
   * Responses API's input_image parts; observed once with the answer, 0 for text only and completions.
   */
  @Test
  void mediaPartsAreCountedPerRequest() throws IOException {
    String chat = "{\"model\":\"vl\",\"stream\":true,\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
        + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"what is in these?\"},"
        + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/a.png\"}},"
        + "{\"image_url\":{\"url\":\"data:image/png;base64,aGVsbG8=\"},\"type\":\"image_url\"},"
        + "{\"type\":\"video_url\",\"video_url\":{\"url\":\"https://example.com/c.mp4\"}},"
        + "{\"type\":\"audio_url\",\"audio_url\":{\"url\":\"https://example.com/d.wav\"}},"
        + "{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"UklGRg==\",\"format\":\"wav\"}}]}]}";
    FrontendRequest r = request(0);
    feed(r, chat);
    r.responseStarted(200, true);
    respond(r, chunk("two images"), 3);
    respond(r, chunk(" and more"), 3);
    r.completed();
    assertEquals(1.0, value("dynamo_frontend_images_per_request_count{model=\"vl\"}"), "observed once");
    assertEquals(2.0, value("dynamo_frontend_images_per_request_sum{model=\"vl\"}"));
    assertEquals(1.0, value("dynamo_frontend_videos_per_request_sum{model=\"vl\"}"));
    assertEquals(1.0, value("dynamo_frontend_audio_per_request_sum{model=\"vl\"}"));
    assertEquals(0.0, value("dynamo_frontend_images_per_request_bucket{model=\"vl\",le=\"1.0\"}"));
    assertEquals(1.0, value("dynamo_frontend_images_per_request_bucket{model=\"vl\",le=\"2.0\"}"));

    FrontendRequest anthropic = request(4);
    feed(anthropic, "{\"model\":\"vl\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":["
        + "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"aGVsbG8=\"}},"
        + "{\"type\":\"tool_result\",\"tool_use_id\":\"t1\",\"content\":[{\"type\":\"image\",\"source\":{}}]}]}]}");
    anthropic.responseStarted(200, false);
    respond(anthropic, "{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}", 100);
    anthropic.completed();
    FrontendRequest responses = request(3);
    feed(responses, "{\"model\":\"vl\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\","
        + "\"text\":\"x\"},{\"type\":\"input_image\",\"image_url\":\"https://example.com/e.png\"}]}]}");
    responses.responseStarted(200, false);
    respond(responses, "{\"output\":[]}", 100);
    responses.completed();
    assertEquals(3.0, value("dynamo_frontend_images_per_request_count{model=\"vl\"}"));
    assertEquals(5.0, value("dynamo_frontend_images_per_request_sum{model=\"vl\"}"));

    FrontendRequest completion = request(1);
    feed(completion, "{\"model\":\"vl\",\"prompt\":\"image_url\"}");
    completion.responseStarted(200, false);
    respond(completion, "{\"choices\":[{\"text\":\"x\"}]}", 100);
    completion.completed();
    assertEquals(4.0, value("dynamo_frontend_images_per_request_count{model=\"vl\"}"), "completions observe 0");
    assertEquals(5.0, value("dynamo_frontend_images_per_request_sum{model=\"vl\"}"));

    FrontendRequest failed = request(0);
    feed(failed, chat);
    failed.responseStarted(400, false);
    respond(failed, "{\"error\":{}}", 100);
    failed.completed();
    assertEquals(4.0, value("dynamo_frontend_images_per_request_count{model=\"vl\"}"), "an error answer observes none");
  }

  /** Upstream's embedding latency: end to end, for successful /v1/embeddings requests only. */
  @Test
  void embeddingsHaveTheirOwnLatency() throws IOException {
    for (int status : new int[]{200, 200, 400}) {
      FrontendRequest r = request(2);
      feed(r, "{\"model\":\"emb\",\"input\":\"hello\"}");
      r.responseStarted(status, false);
      respond(r, "{\"data\":[{\"embedding\":[0.1,0.2]}],\"usage\":{\"prompt_tokens\":1}}", 100);
      r.completed();
    }
    assertEquals(2.0, value("dynamo_frontend_embedding_latency_seconds_count{model=\"emb\"}"));
    assertEquals(0.0, value("dynamo_frontend_embedding_latency_seconds_bucket{model=\"emb\",le=\"0.0\"}"));
    assertEquals(0.0, value("dynamo_frontend_images_per_request_count{model=\"emb\"}"), "embeddings observe no media");
    String t = text();
    assertTrue(t.contains("le=\"10.0\""), "buckets up to upstream's 10 s");
    assertFalse(t.contains("dynamo_frontend_embedding_latency_seconds_count{model=\"vl\"}"), t);
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
   * and a body that turns out invalid is still not counted.
   */
  @Test
  void aModelSeenBeforeIsFoundByItsBytesWithTheSameRules() throws IOException {
    for (int i = 0; i < 3; i++) {
      FrontendRequest r = request(0);
      feed(r, "{\"model\":\"Big-Model\",\"model\":\"other\",\"stream\":false}");
      r.responseStarted(200, false);
      respond(r, "{\"choices\":[{\"message\":{\"content\":\"x\"}}]}", 7);
      r.completed();
      assertEquals("Big-Model", r.modelLabel());
    }
    FrontendRequest bad = request(0);
    feed(bad, "{\"model\":\"Big-Model\" \"x\"}");
    bad.responseStarted(400, false);
    bad.completed();
    assertNull(bad.modelLabel(), "a body that is not JSON is not counted");
    assertEquals(3.0, value("dynamo_frontend_requests_total{endpoint=\"chat_completions\",error_type=\"\","
        + "model=\"Big-Model\",request_type=\"unary\",status=\"success\"}"));
    assertNull(value("dynamo_frontend_requests_total{endpoint=\"chat_completions\",error_type=\"\","
        + "model=\"other\",request_type=\"unary\",status=\"success\"}"));
  }
}
