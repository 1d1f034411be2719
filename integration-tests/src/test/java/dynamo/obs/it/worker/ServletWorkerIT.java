package dynamo.obs.it.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.it.apps.JettyWorkerApp;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.Http;
import dynamo.obs.it.support.OtlpGrpcReceiver;
import dynamo.obs.it.support.Poll;
import dynamo.obs.it.support.ReceivedSpan;
import dynamo.obs.it.support.SystemServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 4's worker inbound on a servlet container (embedded Jetty 12): the request's bytes (as
 * declared and read), the response's bytes (as written, after the engine call returned), the body's
 * model for an engine call whose arguments name none, and the {@code handle_payload} span continued
 * from the caller's {@code traceparent} and ended with the exchange — for a synchronous servlet and
 * for an asynchronous one that answers from another thread.
 */
class ServletWorkerIT {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  @ParameterizedTest(name = "{0}")
  @CsvSource({"/generate, Sync-Model", "/generate-async, ASYNC-MODEL"})
  void aServletWorkersInboundRequestIsCountedAndTraced(String path, String model) {
    int system = FreePort.pick();
    try (OtlpGrpcReceiver collector = new OtlpGrpcReceiver()) {
      collector.start();
      try (AgentProcess app = AgentProcess.app(JettyWorkerApp.class)
          .classpath(Paths.get(System.getProperty("jetty12.libs")).resolve("*"))
          .env("DYN_SYSTEM_PORT", "" + system)
          .env("DYN_OBS_WORKER_METHODS", "dynamo.obs.it.apps.JettyWorkerApp$Engine[generate]")
          .env("OTEL_EXPORT_ENABLED", "true")
          .env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:" + collector.port())
          .start()) {
        int port = Integer.parseInt(app.awaitStdout(Pattern.compile("READY (\\d+)")).group(1));
        SystemServer sys = new SystemServer(app, system);
        sys.awaitInstrumentationActive();
        String body = "{\"prompt\":\"hello\",\"model\":\"" + model + "\"}"; // labelled as spelt
        HttpResponse<String> r = Http.send(HttpRequest.newBuilder(Http.uri(port, path))
            .timeout(Duration.ofSeconds(10))
            .header("traceparent", "00-" + TRACE + "-00f067aa0ba902b7-01")
            .header("x-request-id", "servlet-worker-1")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertEquals(200, r.statusCode(), Http.describe(r));
        int requestBytes = body.getBytes(StandardCharsets.UTF_8).length;
        int responseBytes = r.body().getBytes(StandardCharsets.UTF_8).length;

        String m = Poll.until("the response's bytes counted", sys::metrics,
            t -> Double.valueOf(responseBytes).equals(
                WorkerMethodsIT.value(t, "dynamo_component_response_bytes_total", model, null)),
            app);
        assertEquals(1.0, WorkerMethodsIT.value(m, "dynamo_component_requests_total", model, null), m);
        assertEquals((double) requestBytes,
            WorkerMethodsIT.value(m, "dynamo_component_request_bytes_total", model, null), m);
        assertTrue(!m.contains("model=\"unknown\""), "the body's model:\n" + m);

        List<ReceivedSpan> spans = collector.awaitSpans(
            l -> l.stream().anyMatch(s -> s.name().equals("handle_payload")), Duration.ofSeconds(20));
        ReceivedSpan payload = spans.stream().filter(s -> s.name().equals("handle_payload")).findFirst().orElseThrow();
        assertEquals(TRACE, payload.traceId());
        assertEquals("00f067aa0ba902b7", payload.parentSpanId());
        assertEquals("servlet-worker-1", payload.attributes().get("x_request_id"));
        List<ReceivedSpan> all = collector.awaitSpans(
            l -> l.stream().anyMatch(s -> s.name().equals("engine.generate")), Duration.ofSeconds(20));
        ReceivedSpan engine = all.stream().filter(s -> s.name().equals("engine.generate")).findFirst().orElseThrow();
        assertEquals(payload.spanId(), engine.parentSpanId(), "the engine call inside the inbound request");
        assertNotNull(engine.attributes().get("model"));
        assertTrue(payload.endEpochNanos() >= engine.endEpochNanos(),
            "handle_payload ends with the exchange, after the engine call (asynchronous: at complete())");
      }
    }
  }
}
