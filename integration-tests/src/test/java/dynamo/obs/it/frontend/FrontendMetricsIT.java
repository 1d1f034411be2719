package dynamo.obs.it.frontend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.it.apps.OpenAiStubApp;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.FrontendSeries;
import dynamo.obs.it.support.LabelRules;
import dynamo.obs.it.support.Poll;
import dynamo.obs.it.support.SystemServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SPEC §4 frontend metrics from a real JDK-HttpServer application with the built agent: exact
 * series values read from the real {@code /metrics}. Each test uses its own model names, so the
 * tests share one application process.
 */
class FrontendMetricsIT {
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static AgentProcess app;
  private static SystemServer system;
  private static int appPort;

  @BeforeAll
  static void start() {
    int port = FreePort.pick();
    app = AgentProcess.app(OpenAiStubApp.class).env("DYN_SYSTEM_PORT", "" + port).start();
    appPort = Integer.parseInt(app.awaitStdout(Pattern.compile("READY (\\d+)")).group(1));
    system = new SystemServer(app, port);
    system.awaitInstrumentationActive();
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  static HttpResponse<byte[]> post(int port, String path, String scenario, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(20)).header("x-scenario", scenario)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try {
      return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The value of one exact series line in the current exposition, or null when absent. */
  static Double value(String metrics, String series) {
    return FrontendSeries.value(metrics, series);
  }

  static String requests(String model, String endpoint, String type, String status, String errorType) {
    return FrontendSeries.requests(model, endpoint, type, status, errorType);
  }

  /** Polls until the series has the value (requests are counted when their response ends). */
  static String awaitValue(String series, double expected) {
    return awaitValues(series, expected);
  }

  /** Polls until every series has its value. */
  static String awaitValues(Object... seriesAndValues) {
    return FrontendSeries.await(system, app, seriesAndValues);
  }

  @Test
  void streamedChatCompletionWithUsage() {
    HttpResponse<byte[]> r = post(appPort, "/v1/chat/completions", "stream",
        "{\"model\":\"Stream-Model\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[]}",
        "x-request-id", "req-42");
    assertEquals(200, r.statusCode());
    assertEquals("req-42", r.headers().firstValue("x-request-id").orElse(null), "x-request-id is echoed");
    String model = "{model=\"Stream-Model\"}";
    // all at once: a scrape may read a family before the request's end and the next one after it
    String m = awaitValues(requests("Stream-Model", "chat_completions", "stream", "success", ""), 1,
        "dynamo_frontend_time_to_first_token_seconds_count" + model, 1,
        "dynamo_frontend_inter_token_latency_seconds_count" + model, 3, // 4 tokens, 3 gaps
        "dynamo_frontend_output_tokens_total" + model, 4,
        "dynamo_frontend_output_sequence_tokens_sum" + model, 4,
        "dynamo_frontend_input_sequence_tokens_sum" + model, 11,
        "dynamo_frontend_cached_tokens_sum" + model, 6,
        "dynamo_frontend_request_duration_seconds_count" + model, 1,
        "dynamo_frontend_inflight_requests" + model, 0,
        "dynamo_frontend_queued_requests" + model, 0,
        "dynamo_frontend_requests_started_total{endpoint=\"chat_completions\",model=\"Stream-Model\","
            + "request_type=\"stream\"}",
        1,
        "dynamo_frontend_images_per_request_count" + model, 1, // text only: 0 images, observed once
        "dynamo_frontend_images_per_request_sum" + model, 0);
    // 4 output tokens: in the (0, 100] bucket of Dynamo's OSL layout
    assertEquals(0.0, value(m, "dynamo_frontend_output_sequence_tokens_bucket{model=\"Stream-Model\",le=\"0.0\"}"));
    assertEquals(1.0, value(m, "dynamo_frontend_output_sequence_tokens_bucket{model=\"Stream-Model\",le=\"100.0\"}"));
  }

  /**
   * With export off (the default) every counted request still writes upstream's two lifecycle lines to the console
   * (InflightGuard: "request received" at INFO, "request completed" at INFO, at ERROR for a failure), under the
   * inbound request id.
   */
  @Test
  void lifecycleLinesAreWrittenWithExportOff() {
    String ok = "0b6a3f2e-9c4d-4e1f-8a7b-5c6d7e8f9a01";
    String failed = "0b6a3f2e-9c4d-4e1f-8a7b-5c6d7e8f9a02";
    assertEquals(200, post(appPort, "/v1/chat/completions", "stream",
        "{\"model\":\"lifecycle-m\",\"stream\":true,\"messages\":[]}", "request-id", ok).statusCode());
    assertEquals(500, post(appPort, "/v1/completions", "status-500", "{\"model\":\"lifecycle-m\"}", "request-id",
        failed).statusCode());
    String received = " INFO dynamo_obs.request: request received endpoint=chat_completions model=lifecycle-m request_id="
        + ok + " request_type=stream";
    app.awaitStderr(Pattern.compile(Pattern.quote(received)));
    app.awaitStderr(Pattern.compile(" INFO dynamo_obs\\.request: request completed elapsed_ms=\\d+ "
        + "endpoint=chat_completions model=lifecycle-m request_id=" + ok + " request_type=stream status=success"));
    app.awaitStderr(Pattern.compile(Pattern.quote(" INFO dynamo_obs.request: request received endpoint=completions "
        + "model=lifecycle-m request_id=" + failed + " request_type=unary")));
    app.awaitStderr(Pattern.compile(" ERROR dynamo_obs\\.request: request completed elapsed_ms=\\d+ "
        + "endpoint=completions error_detail=internal server error during processing error_type=internal "
        + "model=lifecycle-m request_id=" + failed + " request_type=unary status=error"));
    assertEquals(1, app.stderrLinesContaining(received).size(), "one line per event:\n" + app.stderr());
  }

  @Test
  void streamedCompletionWithoutUsageCountsContentEvents() {
    assertEquals(200,
        post(appPort, "/v1/completions", "stream-nousage", "{\"model\":\"plain\",\"stream\":true}").statusCode());
    awaitValues(requests("plain", "completions", "stream", "success", ""), 1,
        "dynamo_frontend_output_sequence_tokens_sum{model=\"plain\"}", 4,
        "dynamo_frontend_input_sequence_tokens_count{model=\"plain\"}", 0);
  }

  @Test
  void unaryWithUsage() {
    assertEquals(200, post(appPort, "/v1/chat/completions", "unary", "{\"model\":\"unary-m\"}").statusCode());
    awaitValues(requests("unary-m", "chat_completions", "unary", "success", ""), 1,
        "dynamo_frontend_time_to_first_token_seconds_count{model=\"unary-m\"}", 1,
        "dynamo_frontend_output_tokens_total{model=\"unary-m\"}", 3,
        "dynamo_frontend_input_sequence_tokens_sum{model=\"unary-m\"}", 9);
  }

  @Test
  void httpErrorsMapToErrorTypes() {
    String[][] cases = {{"400", "validation"}, {"422", "validation"}, {"429", "overload"}, {"529", "overload"},
        {"503", "unavailable"}, {"501", "not_implemented"}, {"504", "response_timeout"}, {"500", "internal"}};
    for (String[] c : cases) {
      assertEquals(Integer.parseInt(c[0]),
          post(appPort, "/v1/chat/completions", "status-" + c[0], "{\"model\":\"err-" + c[0] + "\"}").statusCode());
    }
    for (String[] c : cases) {
      awaitValue(requests("err-" + c[0], "chat_completions", "unary", "error", c[1]), 1);
    }
  }

  @Test
  void handlerExceptionIsInternalAndLeavesNothingInFlight() {
    try {
      post(appPort, "/v1/chat/completions", "throw", "{\"model\":\"thrower\"}");
    } catch (RuntimeException expected) {
      // the server drops the connection without an answer
    }
    awaitValues(requests("thrower", "chat_completions", "unary", "error", "internal"), 1,
        "dynamo_frontend_inflight_requests{model=\"thrower\"}", 0);
    app.assertAlive();
  }

  @Test
  void aModelLessBodyCountsAsUnknown() {
    post(appPort, "/v1/completions", "status-400", "{\"prompt\":\"no model here\"}");
    awaitValue(requests("unknown", "completions", "unary", "error", "validation"), 1);
  }

  private static LabelRules rules() {
    return new LabelRules(system, app, (path, scenario, body) -> post(appPort, path, scenario, body).statusCode(),
        "/v1/chat/completions");
  }

  @Test
  void madeUpModelsAnswered404AreUnknownModel() {
    rules().madeUpModelsAreUnknownModel("jdk");
  }

  @Test
  void theModelKeepsTheRequestsCasing() {
    rules().theModelKeepsItsCasing("Mixed-Case/Model-7B");
  }

  @Test
  void statusesAreClassifiedAsUpstream() {
    rules().statusesAreClassifiedAsUpstream("jdk-status-");
  }

  @Test
  void bodiesThatAreNotJsonAreNotCounted() {
    rules().bodiesThatAreNotJsonAreNotCounted("jdk-json");
  }

  @Test
  void mediaPartsAreCounted() {
    rules().mediaPartsAreCounted("jdk-vision");
  }

  /** A JSON request body of 10 MiB for model {@code big}. */
  static String tenMebibyteBody() {
    StringBuilder sb = new StringBuilder(10 * 1024 * 1024 + 64).append("{\"model\":\"big\",\"prompt\":\"");
    while (sb.length() < 10 * 1024 * 1024) {
      sb.append("lorem ipsum dolor sit amet ");
    }
    return sb.append("\"}").toString();
  }

  @Test
  void tenMebibyteBodyPassesUntouched() {
    String body = tenMebibyteBody();
    HttpResponse<byte[]> r = post(appPort, "/v1/completions", "echo-length", body);
    assertEquals("{\"length\":" + body.length() + "}", new String(r.body(), StandardCharsets.UTF_8));
    awaitValue(requests("big", "completions", "unary", "success", ""), 1);
  }

  /**
   * Asks for the slow stream over a raw connection, reads its head and a few events, then resets
   * the connection, as a client that crashed.
   */
  static void leaveMidStream(int port, String path, String model, String... headerLines) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      String body = "{\"model\":\"" + model + "\",\"stream\":true}";
      OutputStream out = s.getOutputStream();
      out.write(("POST " + path + " HTTP/1.1\r\nHost: x\r\nx-scenario: slow\r\n" + String.join("", headerLines)
          + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
          .getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      int total = 0;
      while (total < 600) { // headers and a few events
        int n = in.read(buf);
        assertTrue(n > 0);
        total += n;
      }
      s.setSoLinger(true, 0);
    }
  }

  @Test
  void clientThatGoesAwayMidStreamIsCancelled() throws Exception {
    leaveMidStream(appPort, "/v1/chat/completions", "leaver");
    awaitValues(requests("leaver", "chat_completions", "stream", "error", "cancelled"), 1,
        "dynamo_frontend_model_cancellation_total{endpoint=\"chat_completions\",model=\"leaver\",request_type=\"stream\"}",
        1,
        "dynamo_frontend_inflight_requests{model=\"leaver\"}", 0);
    FrontendSeries.awaitAtLeast(system, app, "dynamo_frontend_disconnected_clients", 1);
  }

  @Test
  void responsesAreByteForByteTheSameWithoutTheAgent() {
    try (AgentProcess plain = AgentProcess.app(OpenAiStubApp.class).withAgent(false).start()) {
      int plainPort = Integer.parseInt(plain.awaitStdout(Pattern.compile("READY (\\d+)")).group(1));
      for (String[] c : new String[][]{{"/v1/chat/completions", "stream"}, {"/v1/completions", "stream"},
          {"/v1/chat/completions", "unary"}, {"/v1/completions", "status-404"}}) {
        String body = "{\"model\":\"same\",\"stream\":" + c[1].equals("stream") + "}";
        HttpResponse<byte[]> with = post(appPort, c[0], c[1], body);
        HttpResponse<byte[]> without = post(plainPort, c[0], c[1], body);
        assertEquals(without.statusCode(), with.statusCode(), c[0] + " " + c[1]);
        assertArrayEquals(without.body(), with.body(), c[0] + " " + c[1]);
        assertEquals(without.headers().firstValue("content-type"), with.headers().firstValue("content-type"));
      }
    }
  }

  @Test
  void modelsBeyondTheCapShareTheOverflowSeries() {
    int port = FreePort.pick();
    try (AgentProcess capped = AgentProcess.app(OpenAiStubApp.class).env("DYN_SYSTEM_PORT", "" + port)
        .env("DYN_OBS_MAX_MODELS", "100").start()) {
      int p = Integer.parseInt(capped.awaitStdout(Pattern.compile("READY (\\d+)")).group(1));
      SystemServer sys = new SystemServer(capped, port);
      sys.awaitInstrumentationActive();
      // made-up models the application does not serve (404) take none of the 100 places
      for (int i = 0; i < 300; i++) {
        post(p, "/v1/chat/completions", "status-404", "{\"model\":\"made-up-" + i + "\"}");
      }
      for (int i = 0; i < 1000; i++) {
        post(p, "/v1/chat/completions", "unary", "{\"model\":\"model-" + i + "\"}");
      }
      String m = Poll.until("1000 requests counted", sys::metrics, t -> {
        Double overflow = value(t, requests("__overflow__", "chat_completions", "unary", "success", ""));
        return overflow != null && overflow == 900.0;
      }, capped);
      long modelSeries = Arrays.stream(m.split("\n"))
          .filter(l -> l.startsWith("dynamo_frontend_requests_total{") && !l.contains("__overflow__")
              && !l.contains("unknown_model"))
          .count();
      assertEquals(100, modelSeries);
      assertEquals(300.0, value(m, requests("unknown_model", "chat_completions", "unary", "error", "not_found")));
      assertEquals(900.0, value(m, "dynamo_obs_series_refused_total"));
      assertEquals(1, capped.stderrLinesContaining("DYN_OBS_MAX_MODELS").size(), "one WARN about the cap");
    }
  }

  @Test
  void familiesOfAFreshFrontendAreLazy() {
    int port = FreePort.pick();
    try (AgentProcess fresh = AgentProcess.app(OpenAiStubApp.class).env("DYN_SYSTEM_PORT", "" + port).start()) {
      SystemServer sys = new SystemServer(fresh, port);
      String m = Poll.until("the frontend families", sys::metrics,
          t -> t.contains("dynamo_frontend_disconnected_clients"), fresh);
      assertEquals(0.0, value(m, "dynamo_frontend_disconnected_clients"));
      assertFalse(m.contains("dynamo_frontend_requests_total"), "no HELP/TYPE before the first request");
      assertFalse(m.contains("dynamo_frontend_time_to_first_token_seconds"));
    }
  }
}
