package dynamo.obs.it.frontend;

import static dynamo.obs.it.support.FrontendSeries.requests;
import static dynamo.obs.it.support.FrontendSeries.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.it.apps.JettyOpenAiApp;
import dynamo.obs.it.apps.OpenAiAnswers;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.FrontendSeries;
import dynamo.obs.it.support.LabelRules;
import dynamo.obs.it.support.SystemServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SPEC §4 frontend metrics from an OpenAI-shaped service on embedded Jetty 12 (Jakarta Servlet 6)
 * with the built agent: the same series, to the value, as {@link FrontendMetricsIT} asks of the JDK
 * HttpServer. Synchronous and asynchronous servlets, bodies read whole, by line and with a
 * {@code ReadListener}, answers through the output stream and the writer, behind filters that wrap
 * request and response. Each test uses its own model names, so the tests share one process.
 */
class ServletFrontendIT {
  private static final String CHAT = "/api/v1/chat/completions";
  private static final String COMPLETIONS = "/api/v1/completions";
  static AgentProcess app;
  static SystemServer system;
  static int appPort;
  /** The container under test: Jetty 12 here, Tomcat 11 in {@link TomcatFrontendIT}. */
  static java.util.function.Supplier<AgentProcess.Builder> container = ServletFrontendIT::jettyApp;

  static AgentProcess.Builder jettyApp() {
    Path libs = Paths.get(System.getProperty("jetty12.libs"));
    return AgentProcess.app(JettyOpenAiApp.class).classpath(libs.resolve("*"));
  }

  static int readyPort(AgentProcess p) {
    return Integer.parseInt(p.awaitStdout(Pattern.compile("READY (\\d+)")).group(1));
  }

  @BeforeAll
  static void start() {
    container = ServletFrontendIT::jettyApp;
    startContainer();
  }

  static void startContainer() {
    provoked.set(0);
    int port = FreePort.pick();
    app = container.get().env("DYN_SYSTEM_PORT", "" + port).start();
    appPort = readyPort(app);
    system = new SystemServer(app, port);
    system.awaitInstrumentationActive();
  }

  /** Advice errors the tests provoke on purpose; any other is a failure of the agent. */
  private static final AtomicInteger provoked = new AtomicInteger();

  @AfterAll
  static void stop() {
    try {
      Double errors = value(system.metrics(), ADVICE_ERRORS);
      assertEquals(provoked.get(), errors == null ? 0 : errors.intValue(), "advice errors besides the provoked ones");
    } finally {
      if (app != null) {
        app.close();
      }
    }
  }

  private static final String ADVICE_ERRORS = "dynamo_obs_instrumentation_errors_total{target=\"jakarta-servlet\"}";

  static HttpResponse<byte[]> post(String path, String scenario, String body, String... headers) {
    return FrontendMetricsIT.post(appPort, path, scenario, body, headers);
  }

  static String awaitValues(Object... seriesAndValues) {
    return FrontendSeries.await(system, app, seriesAndValues);
  }

  /** A streamed answer of 4 tokens with usage: the same series as on the JDK server. */
  private static void assertStreamWithUsage(String model, String endpoint) {
    String m = "{model=\"" + model + "\"}";
    String t = awaitValues(requests(model, endpoint, "stream", "success", ""), 1,
        "dynamo_frontend_time_to_first_token_seconds_count" + m, 1,
        "dynamo_frontend_inter_token_latency_seconds_count" + m, 3,
        "dynamo_frontend_request_duration_seconds_count" + m, 1,
        "dynamo_frontend_output_tokens_total" + m, 4,
        "dynamo_frontend_output_sequence_tokens_sum" + m, 4,
        "dynamo_frontend_input_sequence_tokens_sum" + m, 11,
        "dynamo_frontend_cached_tokens_sum" + m, 6,
        "dynamo_frontend_inflight_requests" + m, 0,
        "dynamo_frontend_active_requests" + m, 0,
        "dynamo_frontend_queued_requests" + m, 0);
    assertEquals(0.0, value(t, "dynamo_frontend_output_sequence_tokens_bucket{model=\"" + model + "\",le=\"0.0\"}"));
    assertEquals(1.0, value(t, "dynamo_frontend_output_sequence_tokens_bucket{model=\"" + model + "\",le=\"100.0\"}"));
  }

  @Test
  void syncServletStreamingThroughItsOutputStream() {
    HttpResponse<byte[]> r = post(CHAT, "stream",
        "{\"model\":\"Sync-Stream\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[]}",
        "x-request-id", "req-42");
    assertEquals(200, r.statusCode());
    assertEquals("req-42", r.headers().firstValue("x-request-id").orElse(null), "x-request-id is echoed");
    assertStreamWithUsage("Sync-Stream", "chat_completions"); // the model as the request spells it
  }

  @Test
  void syncServletStreamingThroughItsWriterWithoutUsage() {
    assertEquals(200, post(CHAT, "stream-nousage", "{\"model\":\"sync-writer\",\"stream\":true}", "x-write", "writer")
        .statusCode());
    awaitValues(requests("sync-writer", "chat_completions", "stream", "success", ""), 1,
        "dynamo_frontend_inter_token_latency_seconds_count{model=\"sync-writer\"}", 3,
        "dynamo_frontend_output_sequence_tokens_sum{model=\"sync-writer\"}", 4,
        "dynamo_frontend_output_tokens_total{model=\"sync-writer\"}", 4,
        "dynamo_frontend_input_sequence_tokens_count{model=\"sync-writer\"}", 0); // no usage: no input length
  }

  @Test
  void asyncServletStreamingThroughItsWriterFromAnotherThread() {
    HttpResponse<byte[]> r = post(COMPLETIONS, "stream", "{\"model\":\"async-writer\",\"stream\":true}",
        "x-request-id", "async-7");
    assertEquals(200, r.statusCode());
    assertEquals("async-7", r.headers().firstValue("x-request-id").orElse(null));
    assertStreamWithUsage("async-writer", "completions");
  }

  @Test
  void asyncServletStreamingThroughItsOutputStreamAfterAReadListener() {
    assertEquals(200, post(COMPLETIONS, "stream-nousage", "{\"model\":\"async-listener\",\"stream\":true}",
        "x-write", "stream", "x-read", "listener").statusCode());
    awaitValues(requests("async-listener", "completions", "stream", "success", ""), 1,
        "dynamo_frontend_inter_token_latency_seconds_count{model=\"async-listener\"}", 3,
        "dynamo_frontend_output_sequence_tokens_sum{model=\"async-listener\"}", 4);
  }

  /** Headers of the asynchronous request of {@link #unaryAnswersSyncAndAsync} (a container may want another write). */
  String[] asyncUnaryHeaders() {
    return new String[0];
  }

  @Test
  void unaryAnswersSyncAndAsync() {
    assertEquals(200, post(CHAT, "unary", "{\n\"model\":\"unary-sync\",\n\"messages\":[]\n}\n", "x-read", "lines")
        .statusCode());
    assertEquals(200, post(COMPLETIONS, "unary", "{\"model\":\"unary-async\"}", asyncUnaryHeaders()).statusCode());
    for (String[] c : new String[][]{{"unary-sync", "chat_completions"}, {"unary-async", "completions"}}) {
      String model = "{model=\"" + c[0] + "\"}";
      awaitValues(requests(c[0], c[1], "unary", "success", ""), 1,
          "dynamo_frontend_time_to_first_token_seconds_count" + model, 1,
          "dynamo_frontend_output_tokens_total" + model, 3,
          "dynamo_frontend_output_sequence_tokens_sum" + model, 3,
          "dynamo_frontend_input_sequence_tokens_sum" + model, 9,
          "dynamo_frontend_inflight_requests" + model, 0);
    }
  }

  @Test
  void bodiesReadThroughTheRequestsReaderNameTheirModel() {
    assertEquals(200, post(CHAT, "unary", "{\n\"model\":\"Reader-Lines\",\n\"messages\":[]\n}\n", "x-read", "reader")
        .statusCode());
    assertEquals(200, post(CHAT, "unary", "{\"model\":\"reader-chars\",\"messages\":[{\"content\":\"caf\u00e9\"}]}",
        "x-read", "reader-chars").statusCode());
    for (String model : new String[]{"Reader-Lines", "reader-chars"}) {
      awaitValues(requests(model, "chat_completions", "unary", "success", ""), 1,
          "dynamo_frontend_inflight_requests{model=\"" + model + "\"}", 0);
    }
  }

  @Test
  void eventsCarryingSeveralTokensInAnyWriteShape() {
    assertEquals(200, post(CHAT, "multi", "{\"model\":\"multi-sync\",\"stream\":true}").statusCode());
    assertEquals(200, post(COMPLETIONS, "multi", "{\"model\":\"multi-async\",\"stream\":true}").statusCode());
    for (String[] c : new String[][]{{"multi-sync", "chat_completions"}, {"multi-async", "completions"}}) {
      String model = "{model=\"" + c[0] + "\"}";
      // running usage 1, 5, 7: the events carry 1, 4 and 2 tokens; two events came in one write, one in two
      awaitValues(requests(c[0], c[1], "stream", "success", ""), 1,
          "dynamo_frontend_time_to_first_token_seconds_count" + model, 1,
          "dynamo_frontend_inter_token_latency_seconds_count" + model, 6,
          "dynamo_frontend_output_tokens_total" + model, 7,
          "dynamo_frontend_output_sequence_tokens_sum" + model, 7);
    }
  }

  @Test
  void httpErrorsMapToErrorTypes() {
    String[][] cases = {{"400", "validation"}, {"422", "validation"}, {"429", "overload"}, {"529", "overload"},
        {"503", "unavailable"}, {"501", "not_implemented"}, {"504", "response_timeout"}, {"500", "internal"}};
    for (String[] c : cases) {
      assertEquals(Integer.parseInt(c[0]),
          post(CHAT, "status-" + c[0], "{\"model\":\"err-" + c[0] + "\"}").statusCode());
      assertEquals(Integer.parseInt(c[0]),
          post(COMPLETIONS, "status-" + c[0], "{\"model\":\"aerr-" + c[0] + "\"}").statusCode());
    }
    for (String[] c : cases) {
      awaitValues(requests("err-" + c[0], "chat_completions", "unary", "error", c[1]), 1,
          requests("aerr-" + c[0], "completions", "unary", "error", c[1]), 1);
    }
  }

  @Test
  void throwingServletIsInternalAndLeavesNothingInFlight() {
    assertEquals(500, post(CHAT, "throw", "{\"model\":\"thrower\"}").statusCode());
    awaitValues(requests("thrower", "chat_completions", "unary", "error", "internal"), 1,
        "dynamo_frontend_inflight_requests{model=\"thrower\"}", 0);
    app.assertAlive();
  }

  @Test
  void asyncRequestsEndAtDispatchAndAtTimeout() {
    HttpResponse<byte[]> dispatched = post(COMPLETIONS, "dispatch", "{\"model\":\"dispatched\"}");
    assertEquals(200, dispatched.statusCode());
    assertEquals(OpenAiAnswers.unary(false), new String(dispatched.body(), StandardCharsets.UTF_8));
    assertEquals(500, post(COMPLETIONS, "timeout", "{\"model\":\"timed-out\"}").statusCode());
    awaitValues(requests("dispatched", "completions", "unary", "success", ""), 1,
        "dynamo_frontend_output_tokens_total{model=\"dispatched\"}", 3,
        requests("timed-out", "completions", "unary", "error", "internal"), 1,
        "dynamo_frontend_inflight_requests{model=\"timed-out\"}", 0);
  }

  @Test
  void aModelLessBodyCountsAsUnknown() {
    post(CHAT, "status-400", "{\"prompt\":\"no model here\"}");
    awaitValues(requests("unknown", "chat_completions", "unary", "error", "validation"), 1);
  }

  private static LabelRules rules() {
    return new LabelRules(system, app, (path, scenario, body) -> post(path, scenario, body).statusCode(), CHAT);
  }

  @Test
  void madeUpModelsAnswered404AreUnknownModel() {
    rules().madeUpModelsAreUnknownModel("servlet");
  }

  @Test
  void theModelKeepsTheRequestsCasing() {
    rules().theModelKeepsItsCasing("Mixed-Case/Servlet-7B");
  }

  @Test
  void statusesAreClassifiedAsUpstream() {
    rules().statusesAreClassifiedAsUpstream("servlet-status-");
  }

  @Test
  void bodiesThatAreNotJsonAreNotCounted() {
    rules().bodiesThatAreNotJsonAreNotCounted("servlet-json");
  }

  @Test
  void mediaPartsAreCounted() {
    rules().mediaPartsAreCounted("servlet-vision");
  }

  @Test
  void tenMebibyteBodyPassesUntouched() {
    String body = FrontendMetricsIT.tenMebibyteBody();
    HttpResponse<byte[]> r = post(CHAT, "echo-length", body);
    assertEquals("{\"length\":" + body.length() + "}", new String(r.body(), StandardCharsets.UTF_8));
    HttpResponse<byte[]> a = post(COMPLETIONS, "echo-length", body, "x-read", "listener");
    assertEquals("{\"length\":" + body.length() + "}", new String(a.body(), StandardCharsets.UTF_8));
    awaitValues(requests("big", "chat_completions", "unary", "success", ""), 1,
        requests("big", "completions", "unary", "success", ""), 1);
  }

  @Test
  void clientsThatGoAwayMidStreamAreCancelled() throws Exception {
    FrontendMetricsIT.leaveMidStream(appPort, CHAT, "leaver-sync", "x-write: stream\r\n");
    FrontendMetricsIT.leaveMidStream(appPort, COMPLETIONS, "leaver-async", "x-write: writer\r\n");
    awaitValues(requests("leaver-sync", "chat_completions", "stream", "error", "cancelled"), 1,
        requests("leaver-async", "completions", "stream", "error", "cancelled"), 1,
        "dynamo_frontend_model_cancellation_total{endpoint=\"chat_completions\",model=\"leaver-sync\",request_type=\"stream\"}",
        1,
        "dynamo_frontend_model_cancellation_total{endpoint=\"completions\",model=\"leaver-async\",request_type=\"stream\"}",
        1,
        "dynamo_frontend_inflight_requests{model=\"leaver-sync\"}", 0,
        "dynamo_frontend_inflight_requests{model=\"leaver-async\"}", 0);
    FrontendSeries.awaitAtLeast(system, app, "dynamo_frontend_disconnected_clients", 2);
  }

  @Test
  void anAdviceFailureIsCountedAndTheRequestProceeds() {
    provoked.incrementAndGet();
    HttpResponse<byte[]> r = post(CHAT, "hostile", "{\"model\":\"hostile\"}");
    assertEquals(200, r.statusCode());
    assertEquals(OpenAiAnswers.unary(true), new String(r.body(), StandardCharsets.UTF_8));
    String m = awaitValues(requests("hostile", "chat_completions", "unary", "success", ""), 1);
    assertTrue(value(m, ADVICE_ERRORS) >= 1.0, "counted");
    app.assertAlive();
  }

  @Test
  void responsesAreByteForByteTheSameWithoutTheAgent() {
    try (AgentProcess plain = container.get().withAgent(false).start()) {
      int plainPort = readyPort(plain);
      for (String[] c : new String[][]{{CHAT, "stream", "stream"}, {CHAT, "stream", "writer"},
          {COMPLETIONS, "stream", "writer"}, {COMPLETIONS, "stream", "stream"}, {CHAT, "unary", "stream"},
          {COMPLETIONS, "unary", "writer"}, {CHAT, "multi", "writer"}, {COMPLETIONS, "status-404", "writer"}}) {
        String body = "{\"model\":\"same\",\"stream\":" + !c[1].equals("unary") + "}";
        HttpResponse<byte[]> with = FrontendMetricsIT.post(appPort, c[0], c[1], body, "x-write", c[2]);
        HttpResponse<byte[]> without = FrontendMetricsIT.post(plainPort, c[0], c[1], body, "x-write", c[2]);
        String what = String.join(" ", c);
        assertEquals(without.statusCode(), with.statusCode(), what);
        assertArrayEquals(without.body(), with.body(), what);
        assertEquals(without.headers().firstValue("content-type"), with.headers().firstValue("content-type"), what);
      }
    }
  }

  @Test
  void servedRouteRegistersItsEndpointAndConfiguredPathsAreRespected() {
    int port = FreePort.pick();
    try (AgentProcess fresh = container.get().env("DYN_SYSTEM_PORT", "" + port)
        .env("DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS", "[\"completions\"]")
        .env("DYN_HTTP_SVC_CMP_PATH", "/custom/completions").start()) {
      int p = readyPort(fresh);
      SystemServer sys = new SystemServer(fresh, port);
      sys.awaitInstrumentationActive();
      // the servlet mapped at /custom/completions (context /api) serves the configured path: ready before any request
      sys.awaitHealth("/health", 200, Pattern.compile(".*\"completions\":\"ready\".*"));
      // the default path is no inference route here; the configured one is, within the /api context
      assertEquals(200, FrontendMetricsIT.post(p, COMPLETIONS, "unary", "{\"model\":\"default-path\"}").statusCode());
      assertEquals(200, FrontendMetricsIT.post(p, "/api/custom/completions", "unary", "{\"model\":\"custom-path\"}")
          .statusCode());
      String m = FrontendSeries.await(sys, fresh, requests("custom-path", "completions", "unary", "success", ""), 1);
      assertNull(value(m, requests("default-path", "completions", "unary", "success", "")));
    }
  }
}
