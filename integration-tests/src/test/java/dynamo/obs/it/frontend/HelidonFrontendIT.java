package dynamo.obs.it.frontend;

import static dynamo.obs.it.support.FrontendSeries.requests;
import static dynamo.obs.it.support.FrontendSeries.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Helidon SE 4 (its own server, one virtual thread per connection), started as its users start it with the built
 * agent: the same requests sent to it and to the JDK-server service with the agent give the same frontend series —
 * every count, token sum and bucket, the timings' counts — for streamed and unary answers, errors, a handler that
 * throws, bodies no valid client sends, chunked and Content-Length bodies, bodies read in pieces, keep-alive and
 * pipelined connections and clients gone mid-stream; the answers are byte for byte those of Helidon without the
 * agent (with {@code x-request-id} echoed); spans and lifecycle logs leave with export on. Helidon 4 needs Java 21:
 * skipped on an older application JDK.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HelidonFrontendIT {
  private static final StackApp HELIDON = StackApp.HELIDON;
  private static final String CHAT = "/v1/chat/completions";
  private static final String COMPLETIONS = "/v1/completions";

  /** Helidon with the agent, for the tests that look at one request each (their models are their own). */
  private StackApp.Running helidon;
  private SystemServer helidonSystem;

  /** Why Helidon cannot run here, or null. */
  private static String cannotRun() {
    if (!HELIDON.runsOn(AgentProcess.appJavaHome())) {
      return "Helidon 4 needs Java " + HELIDON.minimumJava() + ": skipped on " + AgentProcess.appJavaHome();
    }
    return HELIDON.isBuilt() ? null : HELIDON.jar() + " was not built (no JDK 21+ where it was built)";
  }

  @BeforeEach
  void runsHere() {
    assumeTrue(cannotRun() == null, cannotRun());
  }

  @BeforeAll
  void start() {
    if (cannotRun() != null) {
      return;
    }
    int port = FreePort.pick();
    helidon = HELIDON.start(HELIDON.process().env("DYN_SYSTEM_PORT", "" + port));
    helidonSystem = new SystemServer(helidon.process(), port);
    helidonSystem.awaitInstrumentationActive();
  }

  @AfterAll
  void stop() {
    if (helidon != null) {
      helidon.close();
    }
  }

  /** Both servers fresh, so that every series of either comes from the requests of {@link #drive}. */
  @Test
  void everyFrontendSeriesIsTheJdkServersForTheSameRequests() throws IOException {
    int helidonSystemPort = FreePort.pick();
    int jdkSystemPort = FreePort.pick();
    String[] last = new String[2];
    try (StackApp.Running fresh = HELIDON.start(HELIDON.process().env("DYN_SYSTEM_PORT", "" + helidonSystemPort));
        AgentProcess jdk = AgentProcess.app(OpenAiStubApp.class).env("DYN_SYSTEM_PORT", "" + jdkSystemPort).start();
        StackApp.Running plain = HELIDON.startWithoutAgent()) {
      SystemServer freshSystem = new SystemServer(fresh.process(), helidonSystemPort);
      SystemServer jdkSystem = new SystemServer(jdk, jdkSystemPort);
      freshSystem.awaitInstrumentationActive();
      jdkSystem.awaitInstrumentationActive();
      drive(Integer.parseInt(jdk.awaitStdout(Pattern.compile("READY (\\d+)")).group(1)));
      drive(fresh.port());
      drive(plain.port());
      try {
        Poll.until("the same frontend series on both servers", () -> {
          last[0] = jdkSystem.metrics();
          last[1] = freshSystem.metrics();
          return last;
        }, m -> settled(m[0]) && differences(m[0], m[1]).isEmpty(), fresh.process());
      } catch (AssertionError e) {
        assertEquals(Map.of(), differences(last[0], last[1]), "the series that differ");
        throw e;
      }
      fresh.assertAlive();
      assertEquals(StackFrontendIT.exceptions(plain.stderr() + plain.stdout()),
          StackFrontendIT.exceptions(fresh.stderr() + fresh.stdout()), "the application logs what it logs alone");
    }
    // not merely the same on both: the JDK path's own figures (FrontendMetricsIT)
    String m = last[1];
    String model = "{model=\"Stream-Model\"}";
    assertEquals(1.0, value(m, requests("Stream-Model", "chat_completions", "stream", "success", "")));
    assertEquals(1.0, value(m, "dynamo_frontend_time_to_first_token_seconds_count" + model));
    assertEquals(3.0, value(m, "dynamo_frontend_inter_token_latency_seconds_count" + model));
    assertEquals(4.0, value(m, "dynamo_frontend_output_tokens_total" + model));
    assertEquals(11.0, value(m, "dynamo_frontend_input_sequence_tokens_sum" + model));
    assertEquals(6.0, value(m, "dynamo_frontend_cached_tokens_sum" + model));
    assertEquals(1.0, value(m, requests("thrower", "chat_completions", "unary", "error", "internal")));
    assertEquals(2.0, value(m, requests("rst-leaver", "chat_completions", "stream", "error", "cancelled")));
    assertEquals(2.0, value(m, "dynamo_frontend_model_cancellation_total{endpoint=\"chat_completions\","
        + "model=\"rst-leaver\",request_type=\"stream\"}"));
    assertEquals(3.0, value(m, "dynamo_frontend_disconnected_clients"));
    assertEquals(0.0, value(m, "dynamo_frontend_inflight_requests{model=\"rst-leaver\"}"));
    assertEquals(2.0, value(m, requests("ka-stream", "completions", "stream", "success", "")));
    assertNull(value(m, requests("hidden", "completions", "unary", "error", "validation")));
  }

  /** Every request the comparison sends, to one server: the same to both. */
  private static void drive(int port) throws IOException {
    String stream = "{\"model\":\"Stream-Model\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
        + "\"messages\":[]}";
    assertEquals(200, post(port, CHAT, "stream", stream, "x-request-id", "req-42").statusCode());
    assertEquals(200, post(port, COMPLETIONS, "stream-nousage", "{\"model\":\"plain\",\"stream\":true}").statusCode());
    assertEquals(200, post(port, CHAT, null, "{\"model\":\"real-client\",\"stream\": true}").statusCode());
    assertEquals(200, post(port, CHAT, "unary", "{\"model\":\"unary-m\"}").statusCode());
    assertEquals(200, post(port, COMPLETIONS, null, "{\"model\":\"unary-c\",\"prompt\":\"p\"}").statusCode());
    for (String status : new String[]{"400", "404", "422", "429", "500", "501", "503", "504"}) {
      assertEquals(Integer.parseInt(status), post(port, CHAT, "status-" + status, "{\"model\":\"err-" + status
          + "\"}").statusCode());
    }
    assertEquals(404, post(port, COMPLETIONS, "status-404", "{\"model\":\"unknown-model\"}").statusCode());
    for (String path : new String[]{CHAT, COMPLETIONS}) {
      postThrowing(port, path);
      for (String body : new String[]{"{\"model\":\"hidden\", nope", "{\"model\":\"M\",\"messages\":[{\"role\":\"u",
          "{\"prompt\":\"no model here\"}", "", "[1,2,3]"}) {
        post(port, path, "status-400", body);
        post(port, path, null, body);
      }
    }
    StringBuilder big = new StringBuilder("{\"model\":\"big\",\"prompt\":\"");
    while (big.length() < 1024 * 1024) {
      big.append("lorem ipsum dolor sit amet ");
    }
    assertEquals(200, post(port, COMPLETIONS, "echo-length", big.append("\"}").toString()).statusCode());
    chunkedInPieces(port);
    keepAliveAndPipelined(port);
    for (int i = 0; i < 2; i++) {
      FrontendMetricsIT.leaveMidStream(port, CHAT, "rst-leaver");
    }
    closeMidStream(port, COMPLETIONS, "fin-leaver");
  }

  /** A handler that throws: the JDK server drops the connection, Helidon answers 500. */
  private static void postThrowing(int port, String path) {
    try {
      post(port, path, "throw", "{\"model\":\"thrower\"}");
    } catch (UncheckedIOException dropped) {
      // the JDK server closes the connection without an answer
    }
  }

  /** A chunked body, each chunk written and flushed apart. */
  private static void chunkedInPieces(int port) throws IOException {
    String[] pieces = {"{\"model\":", "\"chunked\",\"messages\":[{\"role\":\"user\",", "\"content\":\"caf\u00e9\"}]}"};
    for (String path : new String[]{CHAT, COMPLETIONS}) {
      try (RawHttp c = new RawHttp(port)) {
        c.write(RawHttp.request("POST", path, "HTTP/1.1", "x-scenario: unary", "Content-Type: application/json",
            "Transfer-Encoding: chunked"));
        for (String piece : pieces) {
          byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
          c.write(Integer.toHexString(bytes.length) + "\r\n" + new String(bytes, StandardCharsets.ISO_8859_1) + "\r\n");
        }
        c.write("0\r\n\r\n");
        assertEquals(200, c.read(false).status());
      }
    }
  }

  private static void keepAliveAndPipelined(int port) throws IOException {
    try (RawHttp c = new RawHttp(port)) {
      for (int round = 0; round < 2; round++) {
        for (String path : new String[]{CHAT, COMPLETIONS}) {
          assertEquals(200, c.exchange(raw(path, "unary", "{\"model\":\"ka-unary\"}")).status());
          assertEquals(200, c.exchange(raw(path, "stream", "{\"model\":\"ka-stream\",\"stream\":true}")).status());
        }
      }
      c.write(raw(CHAT, "unary", "{\"model\":\"pipe\"}") + raw(COMPLETIONS, "status-404", "{\"model\":\"pipe\"}")
          + raw(COMPLETIONS, "unary", "{\"model\":\"pipe\"}"));
      assertEquals(200, c.read(false).status());
      assertEquals(404, c.read(false).status());
      assertEquals(200, c.read(false).status());
    }
  }

  /** A client that reads the start of a stream and closes its connection in order (FIN rather than RST). */
  private static void closeMidStream(int port, String path, String model) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      OutputStream out = s.getOutputStream();
      out.write(raw(path, "slow", "{\"model\":\"" + model + "\",\"stream\":true}").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      assertTrue(in.read(new byte[600]) > 0);
    }
  }

  private static String raw(String path, String scenario, String body) {
    return RawHttp.request("POST", path, "HTTP/1.1", "x-scenario: " + scenario, "Content-Type: application/json",
        "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length) + body;
  }

  static HttpResponse<byte[]> post(int port, String path, String scenario, String body, String... headers) {
    return StackAppsIT.post(port, path, scenario, body, headers);
  }

  /**
   * Each frontend series of a model whose value differs between the JDK server's exposition and Helidon's: both
   * values (as {@link StackFrontendIT#series} reads them: times by their counts, a stream its client left by its
   * outcome).
   */
  private static Map<String, String> differences(String jdkMetrics, String helidonMetrics) {
    Map<String, String> jdk = StackFrontendIT.series(jdkMetrics, "");
    Map<String, String> helidon = StackFrontendIT.series(helidonMetrics, "");
    Map<String, String> differ = new TreeMap<>();
    Set<String> names = new TreeSet<>(jdk.keySet());
    names.addAll(helidon.keySet());
    for (String name : names) {
      if (!Objects.equals(jdk.get(name), helidon.get(name))) {
        differ.put(name, "JDK server " + jdk.get(name) + ", Helidon " + helidon.get(name));
      }
    }
    return differ;
  }

  /** Every request of {@link #drive} has ended on the reference: nothing in flight, the last client counted. */
  private static boolean settled(String metrics) {
    Double last = value(metrics, requests("fin-leaver", "completions", "stream", "error", "cancelled"));
    return last != null && last == 1.0 && StackFrontendIT.series(metrics, "").entrySet().stream().noneMatch(
        e -> e.getKey().startsWith("dynamo_frontend_inflight_requests") && Double.parseDouble(e.getValue()) != 0);
  }

  @Test
  void answersAreHelidonsOwnWithXRequestIdEchoed() throws IOException {
    try (StackApp.Running plain = HELIDON.startWithoutAgent()) {
      for (String[] c : new String[][]{{CHAT, "stream"}, {COMPLETIONS, "stream"}, {CHAT, "unary"},
          {COMPLETIONS, "status-404"}, {CHAT, "throw"}, {CHAT, "multi"}}) {
        String body = "{\"model\":\"same\",\"stream\":" + !c[1].equals("unary") + "}";
        HttpResponse<byte[]> with = post(helidon.port(), c[0], c[1], body, "x-request-id", "id-" + c[1]);
        HttpResponse<byte[]> without = post(plain.port(), c[0], c[1], body, "x-request-id", "id-" + c[1]);
        String what = c[0] + " " + c[1];
        assertEquals(without.statusCode(), with.statusCode(), what);
        assertArrayEquals(without.body(), with.body(), what);
        assertEquals(withoutDateAndId(without.headers().map()), withoutDateAndId(with.headers().map()), what);
        assertEquals("id-" + c[1], with.headers().firstValue("x-request-id").orElse(null), what + ": echoed");
        assertFalse(without.headers().firstValue("x-request-id").isPresent(), what);
      }
      HttpResponse<byte[]> noId = post(helidon.port(), CHAT, "unary", "{\"model\":\"no-id\"}");
      assertFalse(noId.headers().firstValue("x-request-id").isPresent(), "none added when the client sent none");
      // answers of Helidon's own: a chunk size that is no number (read inside the handler), and framing the
      // connection refuses before any handler runs (answered by the connection itself)
      for (String framing : new String[]{"Transfer-Encoding: chunked\r\nx-scenario: unary",
          "Transfer-Encoding: chunked\r\nContent-Length: 7"}) {
        try (RawHttp with = new RawHttp(helidon.port()); RawHttp without = new RawHttp(plain.port())) {
          String refused = RawHttp.request("POST", CHAT, "HTTP/1.1", "Content-Type: application/json", framing,
              "x-request-id: refused") + "zz\r\n{}\r\n0\r\n\r\n";
          RawHttp.Response a = with.exchange(refused);
          RawHttp.Response b = without.exchange(refused);
          assertEquals(b.status(), a.status(), framing);
          assertArrayEquals(b.body(), a.body(), framing);
          assertEquals("refused", a.header("x-request-id"), framing);
        }
      }
      FrontendSeries.await(helidonSystem, helidon.process(),
          requests("unknown", "chat_completions", "unary", "error", "internal"), 1, // the chunk read in the handler
          requests("unknown", "chat_completions", "unary", "error", "validation"), 1); // the connection's 400
    }
    helidon.assertAlive();
  }

  private static Map<String, List<String>> withoutDateAndId(Map<String, List<String>> headers) {
    Map<String, List<String>> m = new TreeMap<>(headers);
    m.remove("date");
    m.remove("x-request-id");
    return m;
  }

  @Test
  void multiTokenEventsAndSplitWritesCountEveryToken() {
    assertEquals(200, post(helidon.port(), CHAT, "multi", "{\"model\":\"multi\",\"stream\":true}").statusCode());
    // three events carrying running usage 1, 5 and 7 (the last split over two writes): 7 tokens, 6 gaps
    FrontendSeries.await(helidonSystem, helidon.process(),
        requests("multi", "chat_completions", "stream", "success", ""), 1,
        "dynamo_frontend_output_tokens_total{model=\"multi\"}", 7,
        "dynamo_frontend_output_sequence_tokens_sum{model=\"multi\"}", 7,
        "dynamo_frontend_time_to_first_token_seconds_count{model=\"multi\"}", 1,
        "dynamo_frontend_inter_token_latency_seconds_count{model=\"multi\"}", 6);
  }

  @Test
  void theEndpointsAreServedAndTheAgentReportsNoError() {
    post(helidon.port(), CHAT, "unary", "{\"model\":\"health\"}");
    post(helidon.port(), COMPLETIONS, "unary", "{\"model\":\"health\"}");
    helidonSystem.awaitHealth("/health", 200, SystemServer.healthBody(
        "\"chat_completions\":\"ready\",\"completions\":\"ready\"", "ready"));
    String m = helidonSystem.metrics();
    assertNull(value(m, "dynamo_obs_instrumentation_errors_total{target=\"helidon\"}"), m);
    assertEquals(List.of(), helidon.process().agentComplaints(), "no warning");
  }

  @Test
  void spansAndLifecycleLogsLeaveWithExportOn() {
    String trace = "0af7651916cd43dd8448eb211c80319c";
    String parent = "b7ad6b7169203331";
    try (OtlpGrpcReceiver collector = new OtlpGrpcReceiver()) {
      collector.start();
      int port = FreePort.pick();
      try (StackApp.Running traced = HELIDON.start(HELIDON.process().env("DYN_SYSTEM_PORT", "" + port)
          .env("OTEL_EXPORT_ENABLED", "true").env("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint()))) {
        new SystemServer(traced.process(), port).awaitInstrumentationActive();
        assertEquals(200, post(traced.port(), CHAT, "stream", "{\"model\":\"traced\",\"stream\":true}",
            "traceparent", "00-" + trace + "-" + parent + "-01", "x-request-id", "req-7").statusCode());
        assertEquals(500, post(traced.port(), COMPLETIONS, "throw", "{\"model\":\"traced\"}").statusCode());
        List<ReceivedSpan> spans = collector.awaitSpans(l -> l.stream().filter(s -> s.name().equals("http-request"))
            .count() == 2, Duration.ofSeconds(20));
        ReceivedSpan stream = spans.stream().filter(s -> s.traceId().equals(trace)).findFirst().orElseThrow();
        assertEquals("SERVER", stream.kind());
        assertEquals(parent, stream.parentSpanId());
        assertEquals("traced", stream.attributes().get("model"));
        assertEquals(200L, stream.attributes().get("http.status_code"));
        assertEquals(4L, stream.attributes().get("output_tokens"));
        assertEquals("POST", stream.attributes().get("method"));
        assertEquals(CHAT, stream.attributes().get("uri"));
        assertEquals("req-7", stream.attributes().get("x_request_id"));
        ReceivedSpan failed = spans.stream().filter(s -> !s.traceId().equals(trace)).findFirst().orElseThrow();
        assertEquals("ERROR", failed.statusCode(), failed.toString());
        List<ReceivedLog> logs = collector.awaitLogs(l -> l.stream().filter(x -> x.body().equals("request completed"))
            .count() == 2, Duration.ofSeconds(20));
        assertTrue(logs.stream().anyMatch(x -> x.body().equals("request received") && x.traceId().equals(trace)),
            logs.toString());
        assertTrue(logs.stream().anyMatch(x -> x.body().equals("request completed") && x.traceId().equals(trace)
            && x.spanId().equals(stream.spanId())), logs.toString());
      }
    }
  }
}
