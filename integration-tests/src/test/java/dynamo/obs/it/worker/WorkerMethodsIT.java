package dynamo.obs.it.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.it.apps.WorkerShapesApp;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.Poll;
import dynamo.obs.it.support.SystemServer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SPEC §4 worker calls: a method named in DYN_OBS_WORKER_METHODS ends at the end of its result,
 * whatever its shape, exactly once. One application process; each shape uses its own model label.
 */
class WorkerMethodsIT {
  private static AgentProcess app;
  private static SystemServer system;

  @BeforeAll
  static void start() {
    int port = FreePort.pick();
    app = AgentProcess.app(WorkerShapesApp.class).env("DYN_SYSTEM_PORT", "" + port)
        .classpath(AgentProcess.appLibs().resolve("reactive-streams-1.0.4.jar"))
        .classpath(AgentProcess.appLibs().resolve("reactor-core-3.8.1.jar"))
        .env("DYN_OBS_WORKER_METHODS", "dynamo.obs.it.apps.ShapesEngine[*];not a class[x];"
            + "dynamo.obs.it.apps.ReactorEngine[*]")
        .start();
    app.awaitStdout(Pattern.compile("READY"));
    system = new SystemServer(app, port);
    system.awaitInstrumentationActive();
    // the worker endpoint is served once the engine (loaded before the agent was ready) is woven
    system.awaitHealth("/health", 200,
        Pattern.compile("\\{\"endpoints\":\\{\"generate\":\"ready\"\\},\"status\":\"ready\",.*"));
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  /** The series of a worker family up to its worker_id: {@code model} and upstream's {@code model_name} alike. */
  static String series(String family, String model) {
    return family + "{dynamo_component=\"backend\",dynamo_endpoint=\"generate\",dynamo_namespace=\"dynamo\",model=\""
        + model + "\",model_name=\"" + model + "\",worker_id=\"";
  }

  /** Value of the one series of {@code family} for {@code model} (worker_id varies), or null. */
  static Double value(String metrics, String family, String model, String extraLabel) {
    String prefix = series(family, model);
    for (String line : metrics.split("\n")) {
      if (line.startsWith(prefix)
          || (extraLabel != null && line.startsWith(family + "{") && line.contains("model=\"" + model + "\"")
              && line.contains(extraLabel))) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return null;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "iterate, 5, ok",
      "stream, 4, ok",
      "stream-early, 4, cancelled",
      "future, 3, ok",
      "future-cancel, 3, cancelled",
      "publisher, 6, ok",
      "publisher-cancel, 6, cancelled",
      "reactive, 5, ok",
      "flux, 5, ok",
      "flux-cancel, 5, cancelled",
      "flux-fail, 2, error",
      "mono, 1, ok",
      "reactive-cancel, 5, cancelled",
      "consume, 3, ok",
      "handle, 4, ok",
      "handle-failing, 2, error",
      "fail, 1, error",
      "plain, 1, ok",
  })
  void everyResultShapeEndsOnceAtItsEnd(String shape, int tokens, String end) {
    String model = "shape-" + shape;
    app.send(shape + " " + model + " " + tokens);
    app.awaitStdout(Pattern.compile("DONE " + Pattern.quote(model)));
    String m = Poll.until(model + " counted and finished", system::metrics, t -> {
      Double d = value(t, "dynamo_component_request_duration_seconds_count", model, null);
      return d != null && d == 1.0;
    }, app);
    assertEquals(1.0, value(m, "dynamo_component_requests_total", model, null));
    assertEquals(0.0, value(m, "dynamo_component_inflight_requests", model, null));
    assertEquals(end.equals("cancelled") ? 1.0 : 0.0, value(m, "dynamo_component_cancellation_total", model, null));
    Double errors = value(m, "dynamo_component_errors_total", model, "error_type=\"generate\"");
    assertEquals(end.equals("error") ? Double.valueOf(1.0) : null, errors, "errors_total appears on the first error");
    app.assertAlive();
  }

  @Test
  void aBadSegmentIsReportedAndTheRestApplies() {
    assertEquals(1, app.stderrLinesContaining("DYN_OBS_WORKER_METHODS segment \"not a class[x]\"").size(),
        app.stderr());
    assertTrue(system.metrics().contains("dynamo_component_requests_total"));
  }
}
