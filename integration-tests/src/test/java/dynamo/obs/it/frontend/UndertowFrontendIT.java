package dynamo.obs.it.frontend;

import static dynamo.obs.it.support.FrontendSeries.requests;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.FrontendSeries;
import dynamo.obs.it.support.OtlpGrpcReceiver;
import dynamo.obs.it.support.Poll;
import dynamo.obs.it.support.ReceivedLog;
import dynamo.obs.it.support.ReceivedSpan;
import dynamo.obs.it.support.StackApp;
import dynamo.obs.it.support.SystemServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Undertow 2.3 and 2.4 core handlers ({@code test-apps/undertow}: a blocking {@code BlockingHandler} on
 * {@code /v1/chat/completions}, a non-blocking {@code Receiver}/{@code Sender} handler on {@code /v1/completions})
 * with the built agent, beyond what {@link StackFrontendIT} compares with the JDK server for every stack: the
 * non-blocking endpoint's clients gone mid-stream and handlers that throw, events carrying several tokens, answers
 * and headers byte for byte the application's own, and with export on, one {@code http-request} span per request
 * with its lifecycle events.
 */
class UndertowFrontendIT {
  private static final String CHAT = "/v1/chat/completions";
  private static final String COMPLETIONS = "/v1/completions";

  static Stream<StackApp> undertows() {
    return Stream.of(StackApp.UNDERTOW, StackApp.UNDERTOW_24);
  }

  static HttpResponse<byte[]> post(int port, String path, String scenario, String body, String... headers) {
    return StackAppsIT.post(port, path, scenario, body, headers);
  }

  private static AgentProcess.Builder withSystemPort(AgentProcess.Builder b, int port) {
    return b.env("DYN_SYSTEM_PORT", "" + port).env("DYN_SYSTEM_HOST", "127.0.0.1");
  }

  /**
   * The non-blocking endpoint's way out (StackFrontendIT's leaver and thrower take the blocking one): a client gone
   * mid-stream is noticed by the response sender's failed write, a throw in the receiver's callback is the root
   * handler's.
   */
  @ParameterizedTest
  @MethodSource("undertows")
  void nonBlockingClientsGoneAndHandlersThatThrow(StackApp stack) throws Exception {
    int system = FreePort.pick();
    try (StackApp.Running app = stack.start(withSystemPort(stack.process(), system))) {
      SystemServer status = new SystemServer(app.process(), system);
      status.awaitInstrumentationActive();
      FrontendMetricsIT.leaveMidStream(app.port(), COMPLETIONS, "leaver-async");
      assertEquals(500, post(app.port(), COMPLETIONS, "throw", "{\"model\":\"thrower-async\"}").statusCode());
      FrontendSeries.await(status, app.process(),
          requests("leaver-async", "completions", "stream", "error", "cancelled"), 1,
          "dynamo_frontend_model_cancellation_total{endpoint=\"completions\",model=\"leaver-async\","
              + "request_type=\"stream\"}",
          1,
          "dynamo_frontend_inflight_requests{model=\"leaver-async\"}", 0,
          "dynamo_frontend_disconnected_clients", 1,
          requests("thrower-async", "completions", "unary", "error", "internal"), 1,
          "dynamo_frontend_inflight_requests{model=\"thrower-async\"}", 0);
      app.assertAlive();
      assertEquals(List.of(), app.process().agentComplaints(), "the agent warned of nothing");
    }
  }

  /** Events of several tokens, two events in one write, one split over two writes (not a scenario of the JDK's). */
  @ParameterizedTest
  @MethodSource("undertows")
  void eventsCarryingSeveralTokensInAnyWriteShape(StackApp stack) {
    int system = FreePort.pick();
    try (StackApp.Running app = stack.start(withSystemPort(stack.process(), system))) {
      SystemServer status = new SystemServer(app.process(), system);
      status.awaitInstrumentationActive();
      assertEquals(200, post(app.port(), CHAT, "multi", "{\"model\":\"multi-sync\",\"stream\":true}").statusCode());
      assertEquals(200, post(app.port(), COMPLETIONS, "multi", "{\"model\":\"multi-async\",\"stream\":true}")
          .statusCode());
      for (String[] c : new String[][]{{"multi-sync", "chat_completions"}, {"multi-async", "completions"}}) {
        String model = "{model=\"" + c[0] + "\"}";
        // running usage 1, 5, 7: the events carry 1, 4 and 2 tokens
        FrontendSeries.await(status, app.process(), requests(c[0], c[1], "stream", "success", ""), 1,
            "dynamo_frontend_time_to_first_token_seconds_count" + model, 1,
            "dynamo_frontend_inter_token_latency_seconds_count" + model, 6,
            "dynamo_frontend_output_tokens_total" + model, 7,
            "dynamo_frontend_output_sequence_tokens_sum" + model, 7);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("undertows")
  void answersAreTheApplicationsOwnWithoutTheAgent(StackApp stack) throws Exception {
    try (StackApp.Running with = stack.start(stack.process());
        StackApp.Running without = stack.startWithoutAgent()) {
      for (String path : new String[]{CHAT, COMPLETIONS}) {
        for (String scenario : new String[]{"stream", "stream-nousage", "multi", "unary", "status-404", "throw"}) {
          String body = "{\"model\":\"same\",\"stream\":" + scenario.startsWith("stream") + "}";
          HttpResponse<byte[]> a = post(with.port(), path, scenario, body);
          HttpResponse<byte[]> b = post(without.port(), path, scenario, body);
          String what = stack + " " + path + " " + scenario;
          assertEquals(b.statusCode(), a.statusCode(), what);
          assertArrayEquals(b.body(), a.body(), what);
          Map<String, List<String>> headersWith = new TreeMap<>(a.headers().map());
          Map<String, List<String>> headersWithout = new TreeMap<>(b.headers().map());
          headersWith.remove("date");
          headersWithout.remove("date");
          assertEquals(headersWithout, headersWith, what + ": the same headers (no x-request-id was sent)");
        }
      }
      with.assertAlive();
      // each handler's failure is logged once (UT005071), as without the agent (the output is read as it comes)
      for (StackApp.Running app : List.of(with, without)) {
        Poll.until("one UT005071 per handler that threw", app::stderr,
            t -> t.lines().filter(l -> l.contains("UT005071")).count() == 2, app.process());
      }
      assertEquals(List.of(), with.process().agentComplaints(), "the agent warned of nothing");
    }
  }

  @ParameterizedTest
  @MethodSource("undertows")
  void eachRequestIsOneSpanWithItsLifecycleEvents(StackApp stack) {
    try (OtlpGrpcReceiver collector = new OtlpGrpcReceiver()) {
      collector.start();
      int system = FreePort.pick();
      try (StackApp.Running app = stack.start(withSystemPort(stack.process(), system)
          .env("OTEL_EXPORT_ENABLED", "true").env("OTEL_SERVICE_NAME", "undertow-svc")
          .env("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint()))) {
        new SystemServer(app.process(), system).awaitInstrumentationActive();
        String trace = "0af7651916cd43dd8448eb211c80319c";
        assertEquals(200, post(app.port(), CHAT, "stream", "{\"model\":\"spanned\",\"stream\":true}",
            "traceparent", "00-" + trace + "-b7ad6b7169203331-01", "x-request-id", "span-req").statusCode());
        assertEquals(503, post(app.port(), COMPLETIONS, "status-503", "{\"model\":\"spanned\"}").statusCode());
        List<ReceivedSpan> spans = collector.awaitSpans(l -> l.stream()
            .filter(s -> s.name().equals("http-request")).count() == 2, Duration.ofSeconds(20));
        ReceivedSpan stream = spans.stream().filter(s -> trace.equals(s.traceId())).findFirst().orElseThrow();
        assertEquals("SERVER", stream.kind());
        assertEquals("b7ad6b7169203331", stream.parentSpanId(), "the caller's span is the parent");
        assertEquals("POST", stream.attributes().get("method"));
        assertEquals(CHAT, stream.attributes().get("uri"));
        assertEquals("HTTP/1.1", stream.attributes().get("version"));
        assertEquals("span-req", stream.attributes().get("x_request_id"));
        assertEquals("spanned", stream.attributes().get("model"));
        assertEquals(200L, stream.attributes().get("http.status_code"));
        assertEquals(4L, stream.attributes().get("output_tokens"));
        assertNotNull(stream.attributes().get("ttft_ms"));
        ReceivedSpan failed = spans.stream().filter(s -> !trace.equals(s.traceId())).findFirst().orElseThrow();
        assertEquals(503L, failed.attributes().get("http.status_code"));
        assertEquals("ERROR", failed.statusCode());
        List<ReceivedLog> logs = collector.awaitLogs(l -> l.stream().filter(x -> x.body().equals("request completed"))
            .count() == 2, Duration.ofSeconds(20));
        assertTrue(logs.stream().anyMatch(x -> x.body().equals("request completed") && x.traceId().equals(trace)
            && x.severityText().equals("INFO")), "the stream's end, in its trace: " + logs);
        assertTrue(logs.stream().anyMatch(x -> x.body().equals("request completed") && !x.traceId().equals(trace)
            && x.severityText().equals("ERROR")), "the 503's end: " + logs);
        assertTrue(logs.stream().anyMatch(x -> x.body().equals("request received") && x.traceId().equals(trace)),
            "the request's lifecycle, in its trace: " + logs);
        assertEquals(1, spans.stream().filter(s -> s.name().equals("http-request") && trace.equals(s.traceId()))
            .count(), "one span per request: " + spans);
      }
    }
  }
}
