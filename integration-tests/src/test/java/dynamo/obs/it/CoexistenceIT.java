package dynamo.obs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.it.apps.CoexistApp;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.Http;
import dynamo.obs.it.support.SystemServer;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * SPEC §7, the build gate: an application that bundles its own (older) Byte Buddy, Prometheus
 * client_java and OpenTelemetry SDK runs unchanged beside the agent and sees none of its classes.
 */
class CoexistenceIT {
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
      assertTrue(app.stderrLinesContaining(" WARN ").isEmpty(), app.outputs());
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
}
