package dynamo.obs.it.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.it.apps.HopApp;
import dynamo.obs.it.support.AgentProcess;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * SPEC §5 headers, proven on the receiving side across three JVMs with the agent: a frontend
 * (HttpClient) → a router (HttpURLConnection) → a worker that reports what it received.
 */
class PropagationIT {
  private static final Pattern SEEN = Pattern.compile(
      "\\{\"x-request-id\":(null|\"[^\"]*\"),\"request-id\":(null|\"[^\"]*\"),\"x-frontend-send-ts-ns\":(null|\"[^\"]*\")\\}");

  private static int ready(AgentProcess p) {
    return Integer.parseInt(p.awaitStdout(Pattern.compile("READY (\\d+)")).group(1));
  }

  @Test
  void idsAndSendTimeTravelFrontendToRouterToWorker() {
    try (AgentProcess worker = AgentProcess.app(HopApp.class).args("/generate").start()) {
      int workerPort = ready(worker);
      try (AgentProcess router = AgentProcess.app(HopApp.class)
          .args("/generate", "http://127.0.0.1:" + workerPort + "/generate", "urlconnection").start()) {
        int routerPort = ready(router);
        try (AgentProcess frontend = AgentProcess.app(HopApp.class)
            .args("/v1/chat/completions", "http://127.0.0.1:" + routerPort + "/generate").start()) {
          int frontendPort = ready(frontend);
          // The agent weaves the HTTP client off the main thread: wait until the frontend propagates.
          java.util.List<String> hops = dynamo.obs.it.support.Poll.until("propagation through the frontend", () -> {
            HttpResponse<byte[]> r = FrontendMetricsIT.post(frontendPort, "/v1/chat/completions", "-",
                "{\"model\":\"m\"}", "x-request-id", "client-7");
            return java.util.List.of(new String(r.body(), StandardCharsets.UTF_8).split("\n"));
          }, h -> h.size() == 3 && h.get(2).contains("client-7"), frontend);

          Matcher atFrontend = match(hops.get(0));
          Matcher atRouter = match(hops.get(1));
          Matcher atWorker = match(hops.get(2));
          assertEquals("\"client-7\"", atFrontend.group(1));
          assertEquals("null", atFrontend.group(2), "the client sent no request-id");
          for (Matcher downstream : new Matcher[]{atRouter, atWorker}) {
            assertEquals("\"client-7\"", downstream.group(1), "x-request-id travels on");
            assertTrue(
                downstream.group(2).matches("\"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\""),
                "the frontend assigned a UUIDv4 request-id: " + downstream.group(2));
            assertNotNull(downstream.group(3));
            assertTrue(downstream.group(3).matches("\"\\d{19}\""), "send time in epoch nanoseconds");
          }
          assertEquals(atRouter.group(2), atWorker.group(2), "one request-id end to end");
          assertEquals(atRouter.group(3), atWorker.group(3), "the frontend's send time is passed on, not renewed");
        }
      }
    }
  }

  @Test
  void idsAndSendTimeFollowARedirect() {
    try (AgentProcess worker = AgentProcess.app(HopApp.class).args("/generate").start()) {
      int workerPort = ready(worker);
      try (AgentProcess frontend = AgentProcess.app(HopApp.class)
          .args("/v1/chat/completions", "http://127.0.0.1:" + workerPort + "/moved", "redirects").start()) {
        int frontendPort = ready(frontend);
        java.util.List<String> hops = dynamo.obs.it.support.Poll.until("propagation across a redirect", () -> {
          HttpResponse<byte[]> r = FrontendMetricsIT.post(frontendPort, "/v1/chat/completions", "-",
              "{\"model\":\"m\"}", "x-request-id", "client-8");
          return java.util.List.of(new String(r.body(), StandardCharsets.UTF_8).split("\n"));
        }, h -> h.size() == 2 && h.get(1).contains("client-8"), frontend);

        Matcher atWorker = match(hops.get(1));
        assertEquals("\"client-8\"", atWorker.group(1), "x-request-id reaches the redirect's target");
        assertTrue(atWorker.group(2).matches("\"[0-9a-f-]{36}\""), "request-id too: " + atWorker.group(2));
        assertTrue(atWorker.group(3).matches("\"\\d{19}\""), "and the send time: " + atWorker.group(3));
      }
    }
  }

  private static Matcher match(String hop) {
    Matcher m = SEEN.matcher(hop);
    assertTrue(m.matches(), hop);
    return m;
  }
}
