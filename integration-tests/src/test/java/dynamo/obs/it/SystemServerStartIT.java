package dynamo.obs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.it.apps.InferenceServerApp;
import dynamo.obs.it.apps.PortApp;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.Http;
import dynamo.obs.it.support.Poll;
import dynamo.obs.it.support.StackApp;
import dynamo.obs.it.support.SystemServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SPEC §2 / §3: where the system status server binds, and what happens when it cannot. */
class SystemServerStartIT {
  static final Pattern START_LINE = Pattern.compile(" INFO .*dynamo-obs \\S+ started: ");
  static final Pattern READY_LINE = Pattern.compile("^READY (\\d+)$");

  @Test
  void portZeroBindsARandomPortAndLogsIt() {
    try (AgentProcess app = AgentProcess.app(InferenceServerApp.class)
        .env("DYN_SYSTEM_PORT", "0")
        .env("DYN_SYSTEM_HOST", "127.0.0.1")
        .start()) {
      Matcher m = app.awaitStderr(SystemServer.START_LINE);
      assertEquals("127.0.0.1", m.group(1));
      int port = Integer.parseInt(m.group(2));
      assertTrue(port > 0 && port <= 65535, m.group());
      assertTrue(START_LINE.matcher(app.stderrLinesContaining("system status server on").get(0)).find(),
          app.outputs());
      SystemServer sys = new SystemServer(app, port);
      sys.awaitUp();
      int status = Http.get(port, "/health").statusCode();
      assertTrue(status == 200 || status == 503, "status " + status);
    }
  }

  @Test
  void systemPropertyWinsOverTheEnvironment() {
    int fromProperty = FreePort.pick();
    int fromEnv = FreePort.pick();
    try (AgentProcess app = AgentProcess.app(InferenceServerApp.class)
        .env("DYN_SYSTEM_PORT", "" + fromEnv)
        .sysProp("dyn.system.port", "" + fromProperty)
        .start()) {
      Matcher m = app.awaitStderr(SystemServer.START_LINE);
      assertEquals(fromProperty, Integer.parseInt(m.group(2)), m.group());
      new SystemServer(app, fromProperty).awaitHealth("/health", 200, HealthIT.READY_CHAT_ROUTES);
      assertThrows(UncheckedIOException.class, () -> Http.get(fromEnv, "/health"),
          "nothing may listen on the environment's port " + fromEnv);
    }
  }

  @Test
  void portInUseGivesOneErrorAndTheApplicationRunsOn() throws IOException {
    try (ServerSocket occupied = new ServerSocket()) {
      occupied.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0));
      int port = occupied.getLocalPort();
      try (AgentProcess app = AgentProcess.app(InferenceServerApp.class).env("DYN_SYSTEM_PORT", "" + port).start()) {
        assertApplicationRunsOnWithOneError(app, Integer.toString(port));
      }
    }
  }

  @ParameterizedTest(name = "DYN_SYSTEM_HOST={0}")
  @ValueSource(strings = {"203.0.113.7", "no-such-host.invalid"})
  void unbindableHostGivesOneErrorAndTheApplicationRunsOn(String host) {
    int port = FreePort.pick();
    try (AgentProcess app = AgentProcess.app(InferenceServerApp.class)
        .env("DYN_SYSTEM_PORT", "" + port)
        .env("DYN_SYSTEM_HOST", host)
        .start()) {
      assertApplicationRunsOnWithOneError(app, host + ":" + port);
    }
  }

  private static void assertApplicationRunsOnWithOneError(AgentProcess app, String mentioned) {
    int appPort = Integer.parseInt(app.awaitStdout(READY_LINE).group(1));
    // the start line comes after the bind attempt: once it is there, the ERROR (if any) is too
    app.awaitStderr(START_LINE);
    List<String> errors = app.stderrLinesContaining(" ERROR ");
    assertEquals(1, errors.size(), "exactly one ERROR line expected\n" + app.outputs());
    assertTrue(errors.get(0).contains(mentioned), errors.get(0));
    assertTrue(app.stderrLinesContaining("system status server not running").size() == 1, app.outputs());
    // the application's own server answers, repeatedly, and the process stays up
    for (int i = 0; i < 3; i++) {
      assertEquals("pong", Http.get(appPort, "/ping").body());
      assertEquals(200, Http.post(appPort, "/v1/chat/completions", "{\"model\":\"m\"}").statusCode());
    }
    app.assertAlive();
    assertTrue(app.stderrLinesContaining("Exception in thread").isEmpty(), app.outputs());
  }

  @Test
  void agentGivenTwiceStartsOneServerWithoutErrors() {
    int port = FreePort.pick();
    try (AgentProcess app = AgentProcess.app(InferenceServerApp.class)
        .agentTimes(2)
        .env("DYN_SYSTEM_PORT", "" + port)
        .start()) {
      SystemServer sys = new SystemServer(app, port);
      sys.awaitHealth("/health", 200, HealthIT.READY_CHAT_ROUTES);
      String metrics = sys.awaitInstrumentationActive();
      assertEquals(1, app.stderrLinesContaining(" started: ").size(), app.outputs());
      assertTrue(app.stderrLinesContaining(" ERROR ").isEmpty(), app.outputs());
      assertTrue(app.stderrLinesContaining(" WARN ").isEmpty(), app.outputs());
      assertTrue(app.stderrLinesContaining("failed to start").isEmpty(), app.outputs());
      assertEquals(1, metrics.lines().filter(l -> l.startsWith("dynamo_obs_info{")).count(), metrics);
      assertEquals(1, metrics.lines().filter(l -> l.startsWith("dynamo_component_uptime_seconds{")).count(), metrics);
      int appPort = Integer.parseInt(app.awaitStdout(READY_LINE).group(1));
      assertEquals("pong", Http.get(appPort, "/ping").body());
    }
  }

  /**
   * DYN_SYSTEM_PORT set to the application's own port, the application binding it after the agent started: the
   * application gets its port and serves, whichever way it binds (a server socket channel, a ServerSocket), and the
   * agent says in one ERROR line what collided and where its system status server went.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"httpserver", "socket"})
  void theApplicationGetsItsPortWhenTheSystemPortIsTheSame(String how) {
    int port = FreePort.pick();
    try (AgentProcess app = AgentProcess.app(PortApp.class).args("" + port, how).env("DYN_SYSTEM_PORT", "" + port)
        .start()) {
      app.awaitStderr(START_LINE);
      app.send("bind");
      assertEquals(port, Integer.parseInt(app.awaitStdout(READY_LINE).group(1)), "the application has its port");
      Matcher moved = app.awaitStderr(Pattern.compile("ERROR dynamo_obs: the application binds [^ ]+:" + port
          + ", the port DYN_SYSTEM_PORT gave the system status server: .* the system status server is now on"
          + " [^ ]+:(\\d+) "));
      assertEquals(1, app.stderrLinesContaining(" ERROR ").size(), app.outputs());
      HttpResponse<String> live = Http.get(Integer.parseInt(moved.group(1)), "/live");
      assertTrue(live.body().contains("\"status\""), "the agent's probe answers on its new port: " + live.body());
      assertEquals("ok", Http.get(port, "/").body(), "and the application serves on its own");
      app.assertAlive();
    }
  }

  /** The same with a real framework, which binds while the agent starts: one ERROR either way, the application serves. */
  @Test
  void nettyGetsItsPortWhenTheSystemPortIsTheSame() {
    int port = FreePort.pick();
    try (AgentProcess app = StackApp.NETTY_42.process().args("" + port).env("DYN_SYSTEM_PORT", "" + port).start()) {
      assertEquals(port, Integer.parseInt(app.awaitStdout(READY_LINE).group(1)), "the application has its port");
      app.awaitStderr(START_LINE);
      Poll.until("one ERROR", () -> app.stderrLinesContaining(" ERROR "), errors -> errors.size() == 1, app);
      String error = app.stderrLinesContaining(" ERROR ").get(0);
      assertTrue(error.contains(":" + port), error);
      assertEquals(200, Http.post(port, "/v1/chat/completions", "{\"model\":\"m\"}", "x-scenario", "unary")
          .statusCode(), "the application serves on its own port");
      app.assertAlive();
    }
  }
}
