package dynamo.obs.it.frontend;

import static dynamo.obs.it.support.FrontendSeries.requests;
import static dynamo.obs.it.support.FrontendSeries.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dynamo.obs.it.apps.Jetty10JavaxApp;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.FrontendSeries;
import dynamo.obs.it.support.SystemServer;
import java.net.http.HttpResponse;
import java.nio.file.Paths;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code javax-servlet} instrumentation — the same advice as {@code jakarta-servlet}, matched
 * by the other package's names — on embedded Jetty 10 (Servlet 4): an async servlet streaming
 * through its writer from another thread, and a sync one answering through its output stream.
 */
class JavaxServletFrontendIT {
  private static AgentProcess app;
  private static SystemServer system;
  private static int appPort;

  @BeforeAll
  static void start() {
    int port = FreePort.pick();
    app = AgentProcess.app(Jetty10JavaxApp.class).classpath(Paths.get(System.getProperty("jetty10.libs")).resolve("*"))
        .env("DYN_SYSTEM_PORT", "" + port).start();
    appPort = Integer.parseInt(app.awaitStdout(Pattern.compile("READY (\\d+)")).group(1));
    system = new SystemServer(app, port);
    system.awaitInstrumentationActive();
  }

  @AfterAll
  static void stop() {
    try {
      assertNull(value(system.metrics(), "dynamo_obs_instrumentation_errors_total{target=\"javax-servlet\"}"));
    } finally {
      if (app != null) {
        app.close();
      }
    }
  }

  @Test
  void asyncServletStreamingThroughItsWriter() {
    HttpResponse<byte[]> r = FrontendMetricsIT.post(appPort, "/api/v1/completions", "stream",
        "{\"model\":\"javax-stream\",\"stream\":true}", "x-request-id", "javax-1");
    assertEquals(200, r.statusCode());
    assertEquals("javax-1", r.headers().firstValue("x-request-id").orElse(null), "x-request-id is echoed");
    String m = "{model=\"javax-stream\"}";
    FrontendSeries.await(system, app, requests("javax-stream", "completions", "stream", "success", ""), 1,
        "dynamo_frontend_time_to_first_token_seconds_count" + m, 1,
        "dynamo_frontend_inter_token_latency_seconds_count" + m, 3,
        "dynamo_frontend_output_tokens_total" + m, 4,
        "dynamo_frontend_input_sequence_tokens_sum" + m, 11,
        "dynamo_frontend_cached_tokens_sum" + m, 6,
        "dynamo_frontend_inflight_requests" + m, 0);
  }

  @Test
  void syncServletAnsweringThroughItsOutputStream() {
    assertEquals(200, FrontendMetricsIT.post(appPort, "/api/v1/chat/completions", "unary",
        "{\"model\":\"javax-unary\"}").statusCode());
    String m = "{model=\"javax-unary\"}";
    FrontendSeries.await(system, app, requests("javax-unary", "chat_completions", "unary", "success", ""), 1,
        "dynamo_frontend_time_to_first_token_seconds_count" + m, 1,
        "dynamo_frontend_output_tokens_total" + m, 3,
        "dynamo_frontend_input_sequence_tokens_sum" + m, 9,
        "dynamo_frontend_inflight_requests" + m, 0);
  }
}
