package dynamo.obs.it.worker;

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
  @Test
  void theInboundBodysModelLabelsAnEngineCallWhoseArgumentsHaveNone() {
    int system = FreePort.pick();
    try (AgentProcess app = AgentProcess.app(BodyModelWorkerApp.class).env("DYN_SYSTEM_PORT", "" + system)
        .env("DYN_OBS_WORKER_METHODS", "dynamo.obs.it.apps.BodyModelWorkerApp$Engine[generate]").start()) {
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
}
