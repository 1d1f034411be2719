package dynamo.obs.it.frontend;

import static dynamo.obs.it.support.FrontendSeries.requests;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.it.apps.OpenAiStubApp;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.FrontendSeries;
import dynamo.obs.it.support.OtlpGrpcReceiver;
import dynamo.obs.it.support.Poll;
import dynamo.obs.it.support.RawHttp;
import dynamo.obs.it.support.ReceivedLog;
import dynamo.obs.it.support.ReceivedSpan;
import dynamo.obs.it.support.StackApp;
import dynamo.obs.it.support.SystemServer;
import dynamo.obs.testapps.OpenAiAnswers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Undertow 2.3 and 2.4 core handlers ({@code test-apps/undertow}: a blocking {@code BlockingHandler} on
 * {@code /v1/chat/completions}, a non-blocking {@code Receiver}/{@code Sender} handler on {@code /v1/completions})
 * with the built agent give every frontend series the JDK {@code HttpServer} reference service gives for the same
 * requests, to the value: both get one workload — streams with and without usage, unary answers, every error
 * status, a handler that throws, malformed, truncated, model-less and empty bodies, a 1 MiB Content-Length body,
 * chunked and Content-Length bodies sent in several pieces, a keep-alive connection, clients that go away
 * mid-stream — and their {@code dynamo_frontend_*} series are compared (all but the wall-clock sums and buckets of
 * durations, TTFT and ITL, whose counts are compared, and the tokens of the clients that went away, which depend on
 * when each server notices). Answers are those of the application without the agent;
 * with export on, each request is one {@code http-request} span with its lifecycle events.
 */
class UndertowFrontendIT {
  private static final String CHAT = "/v1/chat/completions";
  private static final String COMPLETIONS = "/v1/completions";
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern READY = Pattern.compile("READY (\\d+)");

  static Stream<StackApp> undertows() {
    return Stream.of(StackApp.UNDERTOW, StackApp.UNDERTOW_24);
  }

  static HttpResponse<byte[]> post(int port, String path, String scenario, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(20)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (scenario != null) {
      b.header("x-scenario", scenario);
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try {
      return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(path + " " + scenario + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A request with a Content-Length body, as raw text. */
  private static String raw(String path, String scenario, String body) {
    return RawHttp.request("POST", path, "HTTP/1.1", "x-scenario: " + scenario, "Content-Type: application/json",
        "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length) + body;
  }

  /**
   * The one workload, sent to a service on {@code port}; every model name carries {@code tag} (the endpoint's), so
   * the two endpoints' series stay apart. Returns how many inference requests it made.
   */
  static int drive(int port, String path, String tag) throws Exception {
    int n = 0;
    String streamBody = "{\"model\":\"stream-" + tag
        + "\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[]}";
    HttpResponse<byte[]> r = post(port, path, "stream", streamBody, "x-request-id", "req-" + tag);
    assertEquals(200, r.statusCode());
    assertEquals("req-" + tag, r.headers().firstValue("x-request-id").orElse(null), "x-request-id is echoed");
    n++;
    assertEquals(200, post(port, path, "stream-nousage", "{\"model\":\"plain-" + tag + "\",\"stream\":true}")
        .statusCode());
    n++;
    assertEquals(200, post(port, path, null, "{\"model\":\"client-" + tag + "\",\"stream\": true}").statusCode());
    n++;
    assertEquals(200, post(port, path, "unary", "{\"model\":\"unary-" + tag + "\",\"messages\":[]}").statusCode());
    n++;
    assertEquals(200, post(port, path, null, "{\"model\":\"unary-" + tag + "\"}").statusCode());
    n++;
    for (String status : new String[] {"400", "404", "422", "429", "500", "501", "503", "504"}) {
      assertEquals(Integer.parseInt(status),
          post(port, path, "status-" + status, "{\"model\":\"err-" + status + "-" + tag + "\"}").statusCode());
      n++;
    }
    try {
      post(port, path, "throw", "{\"model\":\"thrower-" + tag + "\"}"); // a 500, or no answer at all (JDK)
    } catch (UncheckedIOException expected) {
      // the JDK server drops the connection of a handler that threw
    }
    n++;
    for (String body : new String[] {"{\"model\":\"hidden-" + tag + "\", nope",
        "{\"model\":\"trunc-" + tag + "\",\"messages\":[{\"role\":\"u", "{\"prompt\":\"no model here\"}", "",
        "[1,2,3]"}) {
      post(port, path, null, body);
      post(port, path, "status-400", body);
      n += 2;
    }
    StringBuilder big = new StringBuilder("{\"model\":\"big-" + tag + "\",\"prompt\":\"");
    while (big.length() < 1024 * 1024) {
      big.append("lorem ipsum dolor sit amet ");
    }
    String bigBody = big.append("\"}").toString();
    assertEquals("{\"length\":" + bigBody.length() + "}",
        new String(post(port, path, "echo-length", bigBody).body(), StandardCharsets.UTF_8));
    n++;
    try (RawHttp c = new RawHttp(port)) {
      // chunked, each chunk written and flushed apart
      c.write(RawHttp.request("POST", path, "HTTP/1.1", "x-scenario: stream", "Content-Type: application/json",
          "Transfer-Encoding: chunked"));
      for (String piece : new String[] {"{\"model\":", "\"chunked-" + tag + "\",\"stream\":true,", "\"n\":1}"}) {
        c.write(Integer.toHexString(piece.length()) + "\r\n" + piece + "\r\n");
        Thread.sleep(30);
      }
      c.write("0\r\n\r\n");
      assertEquals(200, c.read(false).status());
      n++;
      // a Content-Length body in pieces, on the same connection
      String body = "{\"model\":\"pieces-" + tag + "\",\"messages\":[{\"role\":\"user\",\"content\":\"caf\u00e9\"}]}";
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      c.write(RawHttp.request("POST", path, "HTTP/1.1", "x-scenario: unary", "Content-Type: application/json",
          "Content-Length: " + bytes.length));
      String latin = new String(bytes, StandardCharsets.ISO_8859_1);
      for (int at = 0; at < latin.length(); at += 16) {
        c.write(latin.substring(at, Math.min(latin.length(), at + 16)));
        Thread.sleep(20);
      }
      assertEquals(OpenAiAnswers.unary(path.equals(CHAT)), c.read(false).bodyText());
      n++;
      // keep-alive: more requests on the same connection
      for (int i = 0; i < 2; i++) {
        assertEquals(200, c.exchange(raw(path, "unary", "{\"model\":\"keepalive-" + tag + "\"}")).status());
        assertEquals(200, c.exchange(raw(path, "stream", "{\"model\":\"keepalive-" + tag + "\",\"stream\":true}"))
            .status());
        n += 2;
      }
    }
    for (int i = 0; i < 2; i++) {
      FrontendMetricsIT.leaveMidStream(port, path, "leaver-" + tag);
      n++;
    }
    return n;
  }

  /** The frontend series of an exposition, without the values that are wall-clock times. */
  static Map<String, Double> comparable(String metrics) {
    Map<String, Double> series = new TreeMap<>();
    for (String line : metrics.split("\n")) {
      if (!line.startsWith("dynamo_frontend_")) {
        continue;
      }
      String name = line.substring(0, line.indexOf(line.contains("{") ? '{' : ' '));
      boolean timed = name.startsWith("dynamo_frontend_request_duration_seconds")
          || name.startsWith("dynamo_frontend_time_to_first_token_seconds")
          || name.startsWith("dynamo_frontend_inter_token_latency_seconds");
      if (timed && !name.endsWith("_count")) {
        continue;
      }
      // how many tokens a client that went away got depends on when the server noticed: the JDK's at its next
      // write, Undertow's as soon as its I/O thread sees the reset (the write in flight then not counted)
      boolean tokens = name.startsWith("dynamo_frontend_output_") || name.startsWith(
          "dynamo_frontend_inter_token_latency_seconds");
      if (tokens && line.contains("model=\"leaver-")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
    return series;
  }

  /** The series whose values differ, or that one side lacks: series → "reference / measured". */
  static Map<String, String> differences(Map<String, Double> reference, Map<String, Double> measured) {
    Map<String, String> differ = new TreeMap<>();
    for (String series : reference.keySet()) {
      if (!reference.get(series).equals(measured.get(series))) {
        differ.put(series, reference.get(series) + " / " + measured.get(series));
      }
    }
    for (String series : measured.keySet()) {
      if (!reference.containsKey(series)) {
        differ.put(series, "null / " + measured.get(series));
      }
    }
    return differ;
  }

  /** Every request of the workload counted (the request counter is the last series a request records). */
  static Map<String, Double> counted(SystemServer system, AgentProcess app, int n) {
    Poll.until(n + " requests counted", system::metrics, t -> {
      double sum = 0;
      for (Map.Entry<String, Double> e : comparable(t).entrySet()) {
        if (e.getKey().startsWith("dynamo_frontend_requests_total{")) {
          sum += e.getValue();
        }
      }
      return sum == n;
    }, app);
    return comparable(system.metrics());
  }

  /** The agent's WARN and ERROR lines in an application's output. */
  static List<String> complaints(AgentProcess app) {
    return app.stderrLines().stream().filter(l -> l.contains(" WARN dynamo_obs") || l.contains(" ERROR dynamo_obs"))
        .toList();
  }

  private static AgentProcess.Builder withSystemPort(AgentProcess.Builder b, int port) {
    return b.env("DYN_SYSTEM_PORT", "" + port).env("DYN_SYSTEM_HOST", "127.0.0.1");
  }

  @ParameterizedTest
  @MethodSource("undertows")
  void everyFrontendSeriesIsTheJdkServersForTheSameRequests(StackApp stack) throws Exception {
    int jdkSystem = FreePort.pick();
    int undertowSystem = FreePort.pick();
    try (AgentProcess jdk = withSystemPort(AgentProcess.app(OpenAiStubApp.class), jdkSystem).start();
         StackApp.Running undertow = stack.start(withSystemPort(stack.process(), undertowSystem))) {
      int jdkPort = Integer.parseInt(jdk.awaitStdout(READY).group(1));
      SystemServer jdkStatus = new SystemServer(jdk, jdkSystem);
      SystemServer undertowStatus = new SystemServer(undertow.process(), undertowSystem);
      jdkStatus.awaitInstrumentationActive();
      undertowStatus.awaitInstrumentationActive();
      int n = 0;
      for (String[] p : new String[][] {{CHAT, "blocking"}, {COMPLETIONS, "nonblocking"}}) {
        n = drive(jdkPort, p[0], p[1]);
        assertEquals(n, drive(undertow.port(), p[0], p[1]));
      }
      Map<String, Double> reference = counted(jdkStatus, jdk, 2 * n);
      Map<String, Double> measured = counted(undertowStatus, undertow.process(), 2 * n);
      assertEquals(Map.of(), differences(reference, measured), stack + " counts as the JDK server does");
      // and what the reference counts is what the workload is
      for (String tag : new String[] {"blocking", "nonblocking"}) {
        String endpoint = tag.equals("blocking") ? "chat_completions" : "completions";
        String model = "{model=\"stream-" + tag + "\"}";
        assertEquals(1.0, measured.get(requests("stream-" + tag, endpoint, "stream", "success", "")));
        assertEquals(3.0, measured.get("dynamo_frontend_inter_token_latency_seconds_count" + model));
        assertEquals(4.0, measured.get("dynamo_frontend_output_tokens_total" + model));
        assertEquals(11.0, measured.get("dynamo_frontend_input_sequence_tokens_sum" + model));
        assertEquals(6.0, measured.get("dynamo_frontend_cached_tokens_sum" + model));
        assertEquals(1.0, measured.get(requests("thrower-" + tag, endpoint, "unary", "error", "internal")));
        assertEquals(2.0, measured.get(requests("leaver-" + tag, endpoint, "stream", "error", "cancelled")));
        assertEquals(4.0, measured.get(requests("keepalive-" + tag, endpoint, "stream", "success", ""))
            + measured.get(requests("keepalive-" + tag, endpoint, "unary", "success", "")));
        assertEquals(1.0, measured.get(requests("pieces-" + tag, endpoint, "unary", "success", "")));
        assertEquals(1.0, measured.get(requests("chunked-" + tag, endpoint, "stream", "success", "")));
        assertEquals(1.0, measured.get(requests("big-" + tag, endpoint, "unary", "success", "")));
      }
      assertEquals(4.0, measured.get("dynamo_frontend_disconnected_clients"));
      assertTrue(measured.entrySet().stream().filter(e -> e.getKey().startsWith("dynamo_frontend_inflight_requests"))
          .allMatch(e -> e.getValue() == 0.0), "nothing left in flight: " + measured);
      assertEquals(List.of(), complaints(undertow.process()), "the agent warned of nothing");
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
      for (String[] c : new String[][] {{"multi-sync", "chat_completions"}, {"multi-async", "completions"}}) {
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
      for (String path : new String[] {CHAT, COMPLETIONS}) {
        for (String scenario : new String[] {"stream", "stream-nousage", "multi", "unary", "status-404", "throw"}) {
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
      // the handler's failure is logged as without the agent, and nothing else is
      assertEquals(without.stderr().lines().filter(l -> l.contains("UT005071")).count(),
          with.stderr().lines().filter(l -> l.contains("UT005071")).count());
      assertEquals(List.of(), complaints(with.process()), "the agent warned of nothing");
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
