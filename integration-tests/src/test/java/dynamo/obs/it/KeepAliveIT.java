package dynamo.obs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.it.apps.IdleApp;
import dynamo.obs.it.apps.OpenAiStubApp;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.RawHttp;
import dynamo.obs.it.support.SystemServer;
import java.io.IOException;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Connection handling of the system status server (no timing: that is for the benchmarks), and the one line that
 * tells an application on the JDK's HttpServer that its server sends with Nagle's delay.
 */
class KeepAliveIT {
  private static AgentProcess app;
  private static int port;

  @BeforeAll
  static void start() {
    port = FreePort.pick();
    app = AgentProcess.app(IdleApp.class).env("DYN_SYSTEM_PORT", "" + port).start();
    new SystemServer(app, port).awaitInstrumentationActive();
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void twentyScrapesOverOneKeepAliveConnection() throws IOException {
    try (RawHttp c = new RawHttp(port)) {
      for (int i = 0; i < 20; i++) {
        RawHttp.Response r = c.exchange(RawHttp.request("GET", "/metrics", "HTTP/1.1"));
        assertEquals(200, r.status(), "scrape " + i + ": " + r.statusLine());
        String conn = String.valueOf(r.header("connection"));
        assertFalse(conn.equalsIgnoreCase("close"), "scrape " + i + " closes the connection");
        String body = r.bodyText();
        assertTrue(body.contains("dynamo_component_uptime_seconds{worker_id="), "scrape " + i + " complete");
        assertTrue(body.endsWith("\n"), "scrape " + i + " complete");
      }
      assertFalse(c.closedByPeer(200), "the connection stays open after 20 scrapes");
      RawHttp.Response last = c.exchange(RawHttp.request("GET", "/health", "HTTP/1.1"));
      assertTrue(SystemServer.HEALTH_BODY.matcher(last.bodyText()).matches(), last.bodyText());
    }
  }

  @Test
  void connectionCloseRequestIsHonoured() throws IOException {
    try (RawHttp c = new RawHttp(port)) {
      RawHttp.Response r = c.exchange(RawHttp.request("GET", "/metrics", "HTTP/1.1", "Connection: close"));
      assertEquals(200, r.status());
      assertEquals("close", String.valueOf(r.header("connection")).toLowerCase());
      assertTrue(r.bodyText().contains("dynamo_component_uptime_seconds"));
      assertTrue(c.closedByPeer(10_000), "the server closes after the response");
    }
  }

  @Test
  void http10RequestIsClosedAfterTheResponse() throws IOException {
    try (RawHttp c = new RawHttp(port)) {
      RawHttp.Response r = c.exchange(RawHttp.request("GET", "/health", "HTTP/1.0"));
      assertTrue(r.status() == 200 || r.status() == 503, r.statusLine());
      assertTrue(SystemServer.HEALTH_BODY.matcher(r.bodyText()).matches(), r.bodyText());
      assertTrue(c.closedByPeer(10_000), "an HTTP/1.0 request without keep-alive gets its connection closed");
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws IOException {
    try (RawHttp c = new RawHttp(port)) {
      c.write(RawHttp.request("GET", "/health", "HTTP/1.1") + RawHttp.request("GET", "/nope", "HTTP/1.1")
          + RawHttp.request("GET", "/metrics", "HTTP/1.1"));
      assertTrue(SystemServer.HEALTH_BODY.matcher(c.read(false).bodyText()).matches());
      RawHttp.Response notFound = c.read(false);
      assertEquals(404, notFound.status());
      assertEquals("Route not found", notFound.bodyText());
      assertTrue(c.read(false).bodyText().contains("dynamo_component_uptime_seconds"));
    }
  }

  @Test
  void aJdkServerWithNaglesDelayIsToldInOneLineAndOneWithoutItIsNot() {
    String hint = "the JDK HttpServer sends with Nagle's algorithm on";
    int withPort = FreePort.pick();
    int withoutPort = FreePort.pick();
    try (AgentProcess with = AgentProcess.app(OpenAiStubApp.class).env("DYN_SYSTEM_PORT", "" + withPort)
        .sysProp("sun.net.httpserver.nodelay", "false").start();
        AgentProcess without = AgentProcess.app(OpenAiStubApp.class).env("DYN_SYSTEM_PORT", "" + withoutPort)
            .start()) {
      with.awaitStdout(Pattern.compile("READY (\\d+)"));
      without.awaitStdout(Pattern.compile("READY (\\d+)"));
      new SystemServer(with, withPort).awaitInstrumentationActive();
      new SystemServer(without, withoutPort).awaitInstrumentationActive();
      with.awaitStderr(Pattern.compile("INFO dynamo_obs.instrumentation: " + Pattern.quote(hint)
          + ".*-Dsun.net.httpserver.nodelay=true turns it off"));
      assertEquals(1, with.stderrLinesContaining(hint).size(),
          "one line, though its start is seen at start() or at install");
      assertTrue(without.stderrLinesContaining(hint).isEmpty(), String.join("\n", without.stderrLinesContaining(hint)));
    }
  }
}
