package dynamo.obs.it;

import static dynamo.obs.it.support.SystemServer.healthBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.it.apps.IdleApp;
import dynamo.obs.it.apps.InferenceServerApp;
import dynamo.obs.it.apps.OpenAiStubApp;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.Http;
import dynamo.obs.it.support.Poll;
import dynamo.obs.it.support.SystemServer;
import dynamo.obs.it.support.SystemServer.Health;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SPEC §3: health and live probes, their exact bodies and Dynamo's readiness state machine. */
class HealthIT {
  static final String TEXT_UTF8 = "text/plain; charset=utf-8";
  static final Pattern NOT_READY_NO_ENDPOINTS = healthBody("", "notready");
  static final Pattern READY_CHAT_ROUTES = healthBody("\"chat_completions\":\"ready\",\"completions\":\"ready\"",
      "ready");
  static final Pattern NOT_READY_CHAT_ROUTES = healthBody(
      "\"chat_completions\":\"notready\",\"completions\":\"notready\"", "notready");
  static final Pattern READY_LINE = Pattern.compile("^READY (\\d+)$");

  private static AgentProcess.Builder inferenceApp(int systemPort) {
    return AgentProcess.app(InferenceServerApp.class).env("DYN_SYSTEM_PORT", Integer.toString(systemPort));
  }

  @Test
  void withoutEndpointsHealthIsNotReadyWithAnEmptyEndpointMap() {
    int port = FreePort.pick();
    try (AgentProcess app = AgentProcess.app(IdleApp.class).env("DYN_SYSTEM_PORT", "" + port).start()) {
      SystemServer sys = new SystemServer(app, port);
      sys.awaitInstrumentationActive();
      for (String path : List.of("/health", "/live")) {
        HttpResponse<String> r = Http.get(port, path);
        assertEquals(503, r.statusCode(), Http.describe(r));
        assertEquals(TEXT_UTF8, r.headers().firstValue("content-type").orElse(null));
        assertTrue(NOT_READY_NO_ENDPOINTS.matcher(r.body()).matches(), r.body());
        assertEquals(r.body().length(), Integer.parseInt(r.headers().firstValue("content-length").orElseThrow()));
      }
    }
  }

  @Test
  void everyAnswerBeforeTheRoutesAreServedIsNotReadyThenBothRoutesAreReady() {
    int port = FreePort.pick();
    try (AgentProcess app = inferenceApp(port).start()) {
      SystemServer sys = new SystemServer(app, port);
      List<Health> before = new ArrayList<>();
      Health ready = Poll.until("/health 200", () -> {
        Health h = sys.health();
        if (h.status() != 200) {
          before.add(h);
        }
        return h;
      }, h -> h.status() == 200, app);
      for (Health h : before) {
        assertEquals(503, h.status(), h.toString());
        assertTrue(NOT_READY_NO_ENDPOINTS.matcher(h.body()).matches(), "before the routes are served: " + h);
      }
      assertTrue(READY_CHAT_ROUTES.matcher(ready.body()).matches(), ready.body());
      assertEquals(TEXT_UTF8, ready.contentType());
      assertTrue(ready.nanos() < 1_000_000_000L, ready.body());
      // the application itself is untouched
      int appPort = Integer.parseInt(app.awaitStdout(READY_LINE).group(1));
      assertEquals("pong", Http.get(appPort, "/ping").body());
      assertEquals(200, Http.post(appPort, "/v1/chat/completions", "{\"model\":\"m\"}").statusCode());
      assertEquals(200, Http.post(appPort, "/v1/completions", "{\"model\":\"m\"}").statusCode());
    }
  }

  /**
   * DYN_HEALTH_CHECK_ENABLED: the served routes are canary targets, notready until the canary's own request, sent
   * after DYN_CANARY_WAIT_TIME of idleness with no request from anyone else, is answered; the canary is not counted as
   * traffic.
   */
  @Test
  void aCanaryThatIsAnsweredMakesTheRoutesReadyWithoutAnyTraffic() {
    int port = FreePort.pick();
    try (AgentProcess app = AgentProcess.app(OpenAiStubApp.class).env("DYN_SYSTEM_PORT", "" + port)
        .env("DYN_HEALTH_CHECK_ENABLED", "true").env("DYN_CANARY_WAIT_TIME", "1").start()) {
      SystemServer sys = new SystemServer(app, port);
      sys.awaitInstrumentationActive();
      Health first = sys.health();
      assertEquals(503, first.status(), "the canary has not answered yet: " + first);
      Health ready = Poll.until("/health 200", sys::health, h -> h.status() == 200, app);
      assertTrue(READY_CHAT_ROUTES.matcher(ready.body()).matches(), ready.body());
      app.awaitStderr(Pattern.compile("health check task started for: chat_completions"));
      String metrics = sys.metrics();
      assertFalse(metrics.contains("dynamo_frontend_requests_total{"), "the canary is not traffic:\n" + metrics);
    }
  }

  @Test
  void aCanaryThatFailsKeepsTheRoutesNotReady() {
    int port = FreePort.pick();
    try (AgentProcess app = AgentProcess.app(OpenAiStubApp.class).env("DYN_SYSTEM_PORT", "" + port)
        .env("DYN_HEALTH_CHECK_ENABLED", "true").env("DYN_CANARY_WAIT_TIME", "1")
        .env("DYN_HEALTH_CHECK_PAYLOAD", "{\"model\":\"m\",\"scenario\":\"status-503\"}").start()) {
      SystemServer sys = new SystemServer(app, port);
      sys.awaitInstrumentationActive();
      app.awaitStderr(Pattern.compile("health check failed for chat_completions: HTTP 503"));
      app.awaitStderr(Pattern.compile("health check failed for completions: HTTP 503"));
      Health h = sys.health();
      assertEquals(503, h.status(), h.toString());
      assertTrue(NOT_READY_CHAT_ROUTES.matcher(h.body()).matches(), h.body());
    }
  }

  @Test
  void liveGivesTheSameStatusAndBodyAsHealth() {
    int port = FreePort.pick();
    try (AgentProcess app = inferenceApp(port).start()) {
      SystemServer sys = new SystemServer(app, port);
      sys.awaitHealth("/health", 200, READY_CHAT_ROUTES);
      Health health = sys.health("/health");
      Health live = sys.health("/live");
      assertEquals(health.status(), live.status());
      assertEquals(health.contentType(), live.contentType());
      assertEquals(health.withoutUptime(), live.withoutUptime());
      assertTrue(READY_CHAT_ROUTES.matcher(live.body()).matches(), live.body());
      assertTrue(live.nanos() < 1_000_000_000L, live.body());
    }
  }

  @Test
  void uptimeGrowsBetweenTwoCalls() {
    int port = FreePort.pick();
    try (AgentProcess app = AgentProcess.app(IdleApp.class).env("DYN_SYSTEM_PORT", "" + port).start()) {
      SystemServer sys = new SystemServer(app, port);
      sys.awaitUp();
      Health first = sys.health();
      Health later = Poll.until("a later uptime", sys::health, h -> h.uptimeNanos() > first.uptimeNanos(), app);
      assertTrue(first.nanos() < 1_000_000_000L && later.nanos() < 1_000_000_000L, first + " / " + later);
      assertTrue(later.secs() >= first.secs());
    }
  }

  @Test
  void stoppingTheApplicationServerMakesItsEndpointsNotReady() {
    int port = FreePort.pick();
    try (AgentProcess app = inferenceApp(port).start()) {
      SystemServer sys = new SystemServer(app, port);
      sys.awaitHealth("/health", 200, READY_CHAT_ROUTES);
      app.send("stop");
      app.awaitStdout(Pattern.compile("^STOPPED$"));
      sys.awaitHealth("/health", 503, NOT_READY_CHAT_ROUTES);
      Health live = sys.health("/live");
      assertEquals(503, live.status());
      assertTrue(NOT_READY_CHAT_ROUTES.matcher(live.body()).matches(), live.body());
      // served again once a new server is started
      app.send("start");
      sys.awaitHealth("/health", 200, READY_CHAT_ROUTES);
    }
  }

  @Test
  void aServerCreatedLaterIsNotReadyUntilItIsServed() {
    int port = FreePort.pick();
    try (AgentProcess app = inferenceApp(port).args("--defer").start()) {
      SystemServer sys = new SystemServer(app, port);
      app.awaitStdout(Pattern.compile("^WAITING"));
      sys.awaitInstrumentationActive();
      Health h = sys.health();
      assertEquals(503, h.status(), h.toString());
      assertTrue(NOT_READY_NO_ENDPOINTS.matcher(h.body()).matches(), h.body());
      app.send("start");
      app.awaitStdout(READY_LINE);
      sys.awaitHealth("/health", 200, READY_CHAT_ROUTES);
    }
  }

  /** SPEC §2: with no endpoint registered, health is the starting status (once the agent is active). */
  @ParameterizedTest(name = "DYN_SYSTEM_STARTING_HEALTH_STATUS={0} → {1}")
  @CsvSource({"ready, 200, ready", "'', 503, notready", "NotReady, 503, notready"})
  void startingHealthStatusDecidesWithoutEndpoints(String starting, int status, String state) {
    int port = FreePort.pick();
    AgentProcess.Builder b = AgentProcess.app(IdleApp.class).env("DYN_SYSTEM_PORT", "" + port);
    if (!starting.isEmpty()) {
      b.env("DYN_SYSTEM_STARTING_HEALTH_STATUS", starting);
    }
    Pattern expected = healthBody("", state);
    try (AgentProcess app = b.start()) {
      SystemServer sys = new SystemServer(app, port);
      // from the first answer on: until the agent is active, health is held notready
      List<Health> before = new ArrayList<>();
      Poll.until("/health " + status, () -> {
        Health h = sys.health();
        if (h.status() != status || !expected.matcher(h.body()).matches()) {
          before.add(h);
        }
        return h;
      }, h -> h.status() == status && expected.matcher(h.body()).matches(), app);
      for (Health h : before) {
        assertEquals(503, h.status(), h.toString());
        assertTrue(NOT_READY_NO_ENDPOINTS.matcher(h.body()).matches(), h.toString());
      }
      sys.awaitInstrumentationActive();
      Health h = sys.health();
      assertEquals(status, h.status(), h.toString());
      assertTrue(expected.matcher(h.body()).matches(), h.body());
      assertEquals(TEXT_UTF8, h.contentType());
      assertEquals(status, sys.health("/live").status());
      assertTrue(app.stderrLinesContaining(" WARN ").isEmpty(), app.outputs());
    }
  }

  @Test
  void requiredEndpointThatIsNotServedKeepsHealthNotReady() {
    int port = FreePort.pick();
    try (AgentProcess app = inferenceApp(port).env("DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS", "[\"generate\"]").start()) {
      SystemServer sys = new SystemServer(app, port);
      Health h = sys.awaitHealth("/health", 503, healthBody(
          "\"chat_completions\":\"ready\",\"completions\":\"ready\",\"generate\":\"notready\"", "notready"));
      assertEquals(TEXT_UTF8, h.contentType());
      assertEquals(503, sys.health("/live").status());
    }
  }

  @Test
  void requiredEndpointThatIsServedMakesHealthReady() {
    int port = FreePort.pick();
    try (AgentProcess app = inferenceApp(port).env("DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS", "[\"chat_completions\"]")
        .start()) {
      SystemServer sys = new SystemServer(app, port);
      sys.awaitHealth("/health", 200, READY_CHAT_ROUTES);
      assertEquals(200, sys.health("/live").status());
    }
  }

  @Test
  void customProbePathsReplaceTheDefaults() {
    int port = FreePort.pick();
    try (AgentProcess app = inferenceApp(port)
        .env("DYN_SYSTEM_HEALTH_PATH", "/healthz")
        .env("DYN_SYSTEM_LIVE_PATH", "/livez")
        .start()) {
      SystemServer sys = new SystemServer(app, port);
      sys.awaitHealth("/healthz", 200, READY_CHAT_ROUTES);
      Health live = sys.health("/livez");
      assertEquals(200, live.status());
      assertTrue(READY_CHAT_ROUTES.matcher(live.body()).matches(), live.body());
      for (String old : List.of("/health", "/live")) {
        HttpResponse<String> r = Http.get(port, old);
        assertEquals(404, r.statusCode(), old + ": " + Http.describe(r));
        assertEquals("Route not found", r.body());
        assertEquals(TEXT_UTF8, r.headers().firstValue("content-type").orElse(null));
      }
      assertTrue(app.stderrLinesContaining(" WARN ").isEmpty(), app.outputs());
    }
  }

  @Test
  void anyOtherPathIs404RouteNotFound() {
    int port = FreePort.pick();
    try (AgentProcess app = AgentProcess.app(IdleApp.class).env("DYN_SYSTEM_PORT", "" + port).start()) {
      new SystemServer(app, port).awaitUp();
      for (String path : List.of("/", "/nope", "/health/extra", "/metrics/x", "/HEALTH", "/v1/chat/completions",
          "/metadata", "/engine/foo", "/health?x=1/..")) {
        HttpResponse<String> r = Http.get(port, path);
        if (path.startsWith("/health?")) {
          assertEquals(503, r.statusCode(), path + ": a query string does not change the route");
          continue;
        }
        assertEquals(404, r.statusCode(), path + ": " + Http.describe(r));
        assertEquals("Route not found", r.body(), path);
        assertEquals(TEXT_UTF8, r.headers().firstValue("content-type").orElse(null), path);
      }
    }
  }

  @Test
  void postToTheProbesIs405() {
    int port = FreePort.pick();
    try (AgentProcess app = AgentProcess.app(IdleApp.class).env("DYN_SYSTEM_PORT", "" + port).start()) {
      new SystemServer(app, port).awaitUp();
      for (String path : List.of("/health", "/live", "/metrics")) {
        HttpResponse<String> r = Http.post(port, path, "{}");
        assertEquals(405, r.statusCode(), path + ": " + Http.describe(r));
        assertTrue(r.headers().firstValue("allow").orElse("").contains("GET"), Http.describe(r));
      }
      // the connection survives a 405 and a GET still works
      assertEquals(503, Http.get(port, "/health").statusCode());
    }
  }
}
