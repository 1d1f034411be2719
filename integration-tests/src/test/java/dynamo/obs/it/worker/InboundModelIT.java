package dynamo.obs.it.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.it.apps.BodyModelWorkerApp;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.Http;
import dynamo.obs.it.support.Poll;
import dynamo.obs.it.support.SystemServer;
import java.net.http.HttpResponse;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 4's model chain: an engine method whose arguments say no model is counted under the model
 * of the worker's inbound request body (as it spells it), not {@code unknown}.
 */
class InboundModelIT {
  /** The worker app with its engine method named, export off. */
  private static AgentProcess worker(int systemPort) {
    return AgentProcess.app(BodyModelWorkerApp.class).env("DYN_SYSTEM_PORT", "" + systemPort)
        .env("DYN_OBS_WORKER_METHODS", "dynamo.obs.it.apps.BodyModelWorkerApp$Engine[generate]").start();
  }

  @Test
  void theInboundBodysModelLabelsAnEngineCallWhoseArgumentsHaveNone() {
    int system = FreePort.pick();
    try (AgentProcess app = worker(system)) {
      int port = Integer.parseInt(app.awaitStdout(Pattern.compile("READY (\\d+)")).group(1));
      SystemServer sys = new SystemServer(app, system);
      sys.awaitInstrumentationActive();
      HttpResponse<String> r = Http.post(port, "/generate", "{\"prompt\":\"hi\",\"model\":\"Body-Model/7B\"}");
      assertTrue(r.statusCode() == 200, Http.describe(r));
      String m = Poll.until("the engine call counted", sys::metrics,
          t -> t.contains("dynamo_component_requests_total{"), app);
      String model = "model=\"Body-Model/7B\",model_name=\"Body-Model/7B\"";
      assertTrue(m.matches("(?s).*dynamo_component_requests_total\\{[^}]*" + model + "[^}]*\\} 1\\.0\n.*"), m);
      assertTrue(!m.contains("model=\"unknown\""), m);
      assertTrue(m.matches("(?s).*dynamo_component_request_bytes_total\\{[^}]*" + model + "[^}]*\\} 39\\.0\n.*"),
          "the inbound request's bytes: " + m);
      int responseBytes = r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      Poll.until("the response's bytes, written after the engine call returned", sys::metrics,
          t -> Double.valueOf(responseBytes).equals(
              WorkerMethodsIT.value(t, "dynamo_component_response_bytes_total", "Body-Model/7B", null)),
          app);
    }
  }

  /**
   * Upstream's worker writes "request received" and "request completed" at INFO with the request's id alone, however
   * the request ends, and only for a request that carries an id (push_handler.rs): so does an engine call, with export
   * off.
   */
  @Test
  void anEngineCallWritesUpstreamsWorkerLifecycleLinesForARequestWithAnId() {
    int system = FreePort.pick();
    try (AgentProcess app = worker(system)) {
      int port = Integer.parseInt(app.awaitStdout(Pattern.compile("READY (\\d+)")).group(1));
      SystemServer sys = new SystemServer(app, system);
      sys.awaitInstrumentationActive();
      String id = "5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f";
      HttpResponse<String> r = Http.post(port, "/generate", "{\"model\":\"m\"}", "x-dynamo-request-id", id);
      assertTrue(r.statusCode() == 200, Http.describe(r));
      app.awaitStderr(Pattern.compile(" INFO dynamo_obs\\.request: request received request_id=" + id + "$"));
      app.awaitStderr(Pattern.compile(" INFO dynamo_obs\\.request: request completed request_id=" + id + "$"));
      Http.post(port, "/generate", "{\"model\":\"no-id\"}");
      Poll.until("the call without an id counted", sys::metrics, t -> t.contains("model=\"no-id\""), app);
      assertEquals(2, app.stderrLinesContaining("dynamo_obs.request:").size(), "no lines without a request id:\n"
          + app.stderr());
    }
  }
}
