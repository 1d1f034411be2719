package dynamo.obs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dynamo.obs.it.apps.CoexistApp;
import dynamo.obs.it.apps.HopApp;
import dynamo.obs.it.apps.TomcatOpenAiApp;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.Http;
import dynamo.obs.it.support.OtlpGrpcReceiver;
import dynamo.obs.it.support.Poll;
import dynamo.obs.it.support.ReceivedSpan;
import dynamo.obs.it.support.SystemServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SPEC §7, the build gate: an application that bundles its own (older) Byte Buddy, Prometheus
 * client_java and OpenTelemetry SDK runs unchanged beside the agent and sees none of its classes. And
 * the OpenTelemetry Java agent (from Maven Central) beside it, in either order on the command line:
 * the agent's metrics stay exact, without a warning, and each request is one trace, across the outgoing
 * call too.
 */
class CoexistenceIT {
  /** Which agent comes first on the command line. */
  enum Order {
    OPENTELEMETRY_FIRST, DYNAMO_OBS_FIRST
  }

  private static AgentProcess.Builder besideOpenTelemetryAgent(AgentProcess.Builder app, Order order,
      OtlpGrpcReceiver collector) {
    String otel = "-javaagent:" + Paths.get(System.getProperty("otel.javaagent.jar"));
    String ours = "-javaagent:" + AgentProcess.agentJar();
    app.withAgent(false).jvmArg(order == Order.OPENTELEMETRY_FIRST ? otel : ours)
        .jvmArg(order == Order.OPENTELEMETRY_FIRST ? ours : otel);
    // the OpenTelemetry agent exports its spans to the same receiver; both agents read these two
    return app.sysProp("otel.exporter.otlp.protocol", "grpc")
        .sysProp("otel.exporter.otlp.endpoint", collector.endpoint())
        .sysProp("otel.traces.exporter", "otlp").sysProp("otel.metrics.exporter", "none")
        .sysProp("otel.logs.exporter", "none").sysProp("otel.bsp.schedule.delay", "200")
        .env("OTEL_EXPORT_ENABLED", "true").env("OTEL_EXPORT_LOGS_ENABLED", "false");
  }

  /** The trace ids of the OpenTelemetry agent's server spans. */
  private static Set<String> otelServerTraces(List<ReceivedSpan> spans) {
    Set<String> t = new TreeSet<>();
    for (ReceivedSpan s : spans) {
      if (s.kind().equals("SERVER") && s.scopeName().startsWith("io.opentelemetry.")) {
        t.add(s.traceId());
      }
    }
    return t;
  }

  private static Set<String> ourRequestTraces(List<ReceivedSpan> spans) {
    Set<String> t = new TreeSet<>();
    for (ReceivedSpan s : spans) {
      if (s.name().equals("http-request")) {
        t.add(s.traceId());
      }
    }
    return t;
  }

  /**
   * Streamed chats on Tomcat (Spring Boot's container) with both agents: exact metrics (the OpenTelemetry agent
   * woven first used to leave classes unwoven: "Cannot resolve type description for …VirtualFieldAccessor…"),
   * no WARN from the agent, and the two agents' server spans of a request in one trace.
   */
  @ParameterizedTest
  @EnumSource(Order.class)
  void besideTheOpenTelemetryAgentMetricsStayExactAndEachRequestIsOneTrace(Order order) {
    int port = FreePort.pick();
    try (OtlpGrpcReceiver collector = new OtlpGrpcReceiver()) {
      collector.start();
      AgentProcess.Builder b = AgentProcess.app(TomcatOpenAiApp.class)
          .classpath(Paths.get(System.getProperty("tomcat.libs")).resolve("*"))
          .env("DYN_SYSTEM_PORT", "" + port).env("DYN_SYSTEM_HOST", "127.0.0.1");
      try (AgentProcess app = besideOpenTelemetryAgent(b, order, collector).start()) {
        SystemServer sys = new SystemServer(app, port);
        sys.awaitInstrumentationActive();
        int appPort = Integer.parseInt(app.awaitStdout(Pattern.compile("READY (\\d+)")).group(1));
        for (int i = 0; i < 3; i++) {
          HttpResponse<String> r = Http.send(HttpRequest.newBuilder(Http.uri(appPort, "/api/v1/chat/completions"))
              .timeout(Duration.ofSeconds(20)).header("x-scenario", "stream")
              .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"stream\":true}")).build());
          assertEquals(200, r.statusCode(), Http.describe(r));
        }
        String metrics = Poll.until("the three requests counted", sys::metrics,
            m -> m.contains("dynamo_frontend_requests_total{endpoint=\"chat_completions\",error_type=\"\",model=\"m\","
                + "request_type=\"stream\",status=\"success\"} 3.0"),
            app);
        assertTrue(metrics.contains("dynamo_frontend_output_tokens_total{model=\"m\"} 12.0"), metrics);
        assertTrue(metrics.contains("dynamo_frontend_time_to_first_token_seconds_count{model=\"m\"} 3\n"), metrics);
        assertTrue(metrics.contains("dynamo_frontend_inter_token_latency_seconds_count{model=\"m\"} 9\n"), metrics);
        assertTrue(metrics.contains("dynamo_frontend_input_sequence_tokens_sum{model=\"m\"} 33.0"), metrics);

        List<ReceivedSpan> spans = collector.awaitSpans(l -> ourRequestTraces(l).size() == 3
            && otelServerTraces(l).size() == 3, Duration.ofSeconds(30));
        assertEquals(ourRequestTraces(spans), otelServerTraces(spans), "each request is one trace: " + spans);
        assertTrue(warnings(app, " WARN dynamo_obs").isEmpty(), app.stderr());
        assertEquals(1, app.stderrLinesContaining("the OpenTelemetry Java agent runs in this JVM too").size(),
            app.stderr());
      }
    }
  }

  /**
   * The outgoing call of a request (java.net.http.HttpClient) with both agents: the next hop receives one
   * traceparent, in the trace of the agent's http-request span.
   */
  @ParameterizedTest
  @EnumSource(Order.class)
  void besideTheOpenTelemetryAgentTheNextHopIsInTheSameTrace(Order order) throws Exception {
    List<List<String>> received = new CopyOnWriteArrayList<>();
    HttpServer next = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    next.createContext("/next", ex -> {
      received.add(ex.getRequestHeaders().getOrDefault("traceparent", List.of()));
      ex.getRequestBody().readAllBytes();
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    next.start();
    try (OtlpGrpcReceiver collector = new OtlpGrpcReceiver()) {
      collector.start();
      int port = FreePort.pick();
      AgentProcess.Builder b = AgentProcess.app(HopApp.class)
          .args("/v1/chat/completions", "http://127.0.0.1:" + next.getAddress().getPort() + "/next")
          .env("DYN_SYSTEM_PORT", "" + port).env("DYN_SYSTEM_HOST", "127.0.0.1");
      try (AgentProcess app = besideOpenTelemetryAgent(b, order, collector).start()) {
        new SystemServer(app, port).awaitInstrumentationActive();
        int appPort = Integer.parseInt(app.awaitStdout(Pattern.compile("READY (\\d+)")).group(1));
        HttpResponse<String> r = Http.send(HttpRequest.newBuilder(Http.uri(appPort, "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\"}")).build());
        assertEquals(200, r.statusCode(), Http.describe(r));
        List<ReceivedSpan> spans = collector.awaitSpans(l -> ourRequestTraces(l).size() == 1, Duration.ofSeconds(30));
        String trace = ourRequestTraces(spans).iterator().next();
        assertEquals(1, received.size(), received.toString());
        assertEquals(1, received.get(0).size(), "one traceparent: " + received.get(0));
        assertEquals(trace, received.get(0).get(0).split("-")[1], "the next hop is in the request's trace");
        Poll.until("the OpenTelemetry agent's client span", collector::spans,
            l -> l.stream().anyMatch(s -> s.kind().equals("CLIENT")), app);
        for (ReceivedSpan s : collector.spans()) {
          assertEquals(trace, s.traceId(), "every span of the request in one trace: " + collector.spans());
        }
        assertTrue(warnings(app, " WARN dynamo_obs").isEmpty(), app.stderr());
      }
    } finally {
      next.stop(0);
    }
  }

  static final Pattern RESULT = Pattern.compile("^COEXIST (OK|FAILED)(.*)$");
  static final Pattern APP_METRICS_PORT = Pattern.compile("appMetricsPort=(\\d+)");

  private static AgentProcess.Builder coexistApp() {
    return AgentProcess.app(CoexistApp.class).classpath(AgentProcess.appLibs().resolve("*"));
  }

  @Test
  void applicationWithItsOwnByteBuddyPrometheusAndOpenTelemetryRunsBesideTheAgent() {
    int port = FreePort.pick();
    try (AgentProcess app = coexistApp().env("DYN_SYSTEM_PORT", "" + port).start()) {
      Matcher result = app.awaitStdout(RESULT);
      assertEquals("OK", result.group(1), app.outputs());
      String details = result.group(2);
      assertTrue(details.contains("bytebuddy=byte-buddy-1.14.19.jar"), details);
      assertTrue(details.contains("prometheus=prometheus-metrics-core-1.3.10.jar"), details);
      assertTrue(details.contains("otel=opentelemetry-sdk-trace-1.40.0.jar"), details);

      // the application's own exporter, read from outside too
      Matcher m = APP_METRICS_PORT.matcher(details);
      assertTrue(m.find(), details);
      String own = Http.get(Integer.parseInt(m.group(1)), "/metrics").body();
      assertTrue(own.contains("coexist_app_requests_total{path=\"/hello\"} 3.0"), own);
      assertFalse(own.contains("dynamo_"), own);

      // and the agent's system status server in the same JVM
      SystemServer sys = new SystemServer(app, port);
      String metrics = sys.awaitInstrumentationActive();
      assertTrue(MetricsIT.UPTIME.matcher(metrics).find(), metrics);
      assertFalse(metrics.contains("coexist_app_requests_total"), "the agent's registry is its own");
      MetricsIT.assertValidExposition(metrics, false);
      HttpResponse<String> health = Http.get(port, "/health");
      SystemServer.parseHealth(health);
      assertEquals(503, health.statusCode(), "no inference route in this application: " + health.body());

      assertTrue(app.stderrLinesContaining(" ERROR ").isEmpty(), app.outputs());
      assertTrue(warnings(app, " WARN ").isEmpty(), app.outputs());
      assertTrue(app.stderrLinesContaining("Exception").isEmpty(), app.outputs());
      app.assertAlive();
    }
  }

  @Test
  void sameApplicationWithoutTheAgentAlsoRuns() {
    try (AgentProcess app = coexistApp().withAgent(false).start()) {
      Matcher result = app.awaitStdout(RESULT);
      assertEquals("OK", result.group(1), app.outputs());
    }
  }

  /**
   * The WARN lines ({@code marker}), less the agent's that says no supported server listened 10 s after start: beside the
   * OpenTelemetry agent on a busy machine the application may not have loaded its server by then (true, and said).
   */
  private static java.util.List<String> warnings(AgentProcess app, String marker) {
    return app.stderrLinesContaining(marker).stream()
        .filter(l -> !l.contains("no HTTP server the agent supports has started listening")).toList();
  }
}
