package dynamo.obs.it.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dynamo.obs.it.apps.JettyOpenAiApp;
import dynamo.obs.it.apps.RootContextApp;
import dynamo.obs.it.apps.TomcatOpenAiApp;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.Poll;
import dynamo.obs.it.support.StackApp;
import dynamo.obs.it.support.SystemServer;
import dynamo.obs.it.support.SystemServer.Health;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Readiness without traffic (issue 19, item 2): every stack's application started with the agent answers
 * {@code /health} 200 with its OpenAI endpoints ready once its server listens — before any request is sent to it,
 * which none of these tests does. The bound of 10 s after the application's {@code READY} line is only a generous
 * limit for a loaded machine; how fast it turns ready is measured elsewhere, not asserted here.
 */
class ReadinessIT {
  /** Generous: the agent reports within about a second of the bind on an idle machine. */
  private static final Duration AFTER_READY = Duration.ofSeconds(10);
  private static final Pattern READY = Pattern.compile("READY (\\d+)");
  /** Spring Boot with an agent takes 5–10 s of CPU to start: on a loaded machine the READY line may take long. */
  private static final Duration START = Duration.ofSeconds(120);

  /** A way to start one of the applications, with its environment adjusted. */
  record App(String name, AgentProcess.Builder builder, int minimumJava) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<App> apps() {
    List<App> apps = new ArrayList<>();
    for (StackApp s : StackApp.values()) {
      if (s.isBuilt()) {
        apps.add(new App(s.module(), s.process(), s.minimumJava()));
      }
    }
    apps.add(new App("jdk-httpserver root context", AgentProcess.app(RootContextApp.class), 17));
    apps.add(new App("jetty 12 servlets", AgentProcess.app(JettyOpenAiApp.class)
        .classpath(Paths.get(System.getProperty("jetty12.libs")).resolve("*")), 17));
    apps.add(new App("tomcat 11 servlets", AgentProcess.app(TomcatOpenAiApp.class)
        .classpath(Paths.get(System.getProperty("tomcat.libs")).resolve("*")), 17));
    return apps.stream();
  }

  /** Waits for the application's READY line; returns its system server. */
  private static SystemServer start(AgentProcess process) {
    process.awaitStdout(READY, START);
    return new SystemServer(process, Integer.parseInt(
        process.awaitStderr(SystemServer.START_LINE).group(2)));
  }

  private static Health awaitReady(SystemServer sys, AgentProcess process) {
    return Poll.until("/health 200 within " + AFTER_READY + " of READY", sys::health, h -> h.status() == 200,
        AFTER_READY, process::outputs);
  }

  @ParameterizedTest
  @MethodSource("apps")
  void anIdleApplicationIsReadyOnceItsServerListens(App app) {
    assumeTrue(StackApp.featureVersion(AgentProcess.appJavaHome()) >= app.minimumJava(),
        app + " needs Java " + app.minimumJava());
    try (AgentProcess process = app.builder().env("DYN_SYSTEM_PORT", "0").start()) {
      SystemServer sys = start(process);
      Health h = awaitReady(sys, process);
      assertEquals("ready", h.state(), h.body());
      assertTrue(h.endpoints().contains("\"chat_completions\":\"ready\""), app + ": " + h.body());
      assertTrue(h.endpoints().contains("\"completions\":\"ready\""), app + ": " + h.body());
      assertTrue(!h.endpoints().contains("notready"), app + ": " + h.body());
      process.assertAlive();
    }
  }

  /**
   * With canary checks on, an endpoint served by a server known to speak plain HTTP is a canary target at that
   * server's loopback address and route; the canary's answer then makes it ready, still without any traffic.
   */
  @ParameterizedTest
  @MethodSource("apps")
  void withCanaryChecksTheRouteOfTheListeningServerIsTheTarget(App app) {
    assumeTrue(StackApp.featureVersion(AgentProcess.appJavaHome()) >= app.minimumJava(),
        app + " needs Java " + app.minimumJava());
    try (AgentProcess process = app.builder().env("DYN_SYSTEM_PORT", "0").env("DYN_HEALTH_CHECK_ENABLED", "true")
        .env("DYN_CANARY_WAIT_TIME", "1").start()) {
      int appPort = Integer.parseInt(process.awaitStdout(READY, START).group(1));
      SystemServer sys = new SystemServer(process, Integer.parseInt(
          process.awaitStderr(SystemServer.START_LINE).group(2)));
      Health h = awaitReady(sys, process);
      assertTrue(h.endpoints().contains("\"chat_completions\":\"ready\""), app + ": " + h.body());
      List<String> targets = process.stderrLinesContaining("health check task started for: chat_completions");
      // Netty-based frameworks do not say whether a listener speaks TLS: no canary there, the endpoint is ready
      if (!targets.isEmpty()) {
        assertTrue(targets.get(0).contains("(http://127.0.0.1:" + appPort + "/v1/chat/completions)"),
            app + ": " + targets);
      }
      process.assertAlive();
    }
  }

  /** A process that names worker methods is a worker: a server without a route table is not its frontend. */
  @Test
  void aWorkersRootContextServerIsNoFrontend() {
    try (AgentProcess process = AgentProcess.app(RootContextApp.class).env("DYN_SYSTEM_PORT", "0")
        .env("DYN_OBS_WORKER_METHODS", RootContextApp.class.getName() + "[generate]").start()) {
      SystemServer sys = start(process);
      sys.awaitInstrumentationActive();
      // its own endpoint only (the worker's generate, served once its method is woven): no frontend route
      Health h = sys.awaitHealth("/health", 200, SystemServer.healthBody("\"generate\":\"ready\"", "ready"));
      assertEquals("\"generate\":\"ready\"", h.endpoints(), h.body());
    }
  }

  /** Route patterns are matched against the configured paths only: a route the configuration does not name is none. */
  @Test
  void onlyTheConfiguredInferencePathsCount() {
    assumeTrue(StackApp.VERTX_5.isBuilt(), "test-apps/vertx5 is built");
    try (AgentProcess process = StackApp.VERTX_5.process().env("DYN_SYSTEM_PORT", "0")
        .env("DYN_HTTP_SVC_CHAT_PATH", "/v2/chat/completions").start()) {
      SystemServer sys = start(process);
      Health h = awaitReady(sys, process);
      assertEquals("\"completions\":\"ready\"", h.endpoints(), h.body());
    }
  }
}
