package dynamo.obs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dynamo.obs.it.apps.IdleApp;
import dynamo.obs.it.apps.RootContextApp;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.Poll;
import dynamo.obs.it.support.StackApp;
import dynamo.obs.it.support.SystemServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19, item 3: what the agent says when the application has no HTTP server it supports, or one in a version it
 * does not support — once, at run time, about 10 s after start; and from {@code doctor --class-path} before.
 */
class HttpStacksIT {
  private static final String NO_SERVER = "no HTTP server the agent supports has started listening";
  private static final Pattern UPTIME_12S = Pattern.compile("\"secs\":(1[2-9]|[2-9]\\d)");

  /** Waits until the process has run 12 s (past the check at 10 s), read from its own health body's uptime. */
  private static void pastTheCheck(AgentProcess app) {
    SystemServer sys = new SystemServer(app, Integer.parseInt(app.awaitStderr(SystemServer.START_LINE).group(2)));
    Poll.until("12 s of uptime", () -> sys.health().body(), b -> UPTIME_12S.matcher(b).find(), Duration.ofSeconds(60),
        app::outputs);
  }

  @Test
  void aFrontendWithoutAnyServerIsToldOnceWhatWasFoundAndWhatIsSupported() {
    try (AgentProcess app = AgentProcess.app(IdleApp.class).env("DYN_SYSTEM_PORT", "0").start()) {
      String line = app.awaitStderr(Pattern.compile(".*WARN.*" + NO_SERVER + ".*"), Duration.ofSeconds(60)).group();
      assertTrue(line.contains("found: no HTTP server classes"), line);
      assertTrue(line.contains("Supported: JDK HttpServer JDK 17+") && line.contains("Vert.x 4–5")
          && line.contains("Netty 4.1–4.2") && line.contains("Helidon SE 4"), line);
      pastTheCheck(app);
      assertEquals(1, app.stderrLinesContaining(NO_SERVER).size(), app.stderr());
    }
  }

  @Test
  void aServerThatListensOrAWorkerGetsNoWarning() {
    try (AgentProcess server = AgentProcess.app(RootContextApp.class).env("DYN_SYSTEM_PORT", "0").start();
        AgentProcess worker = AgentProcess.app(IdleApp.class).env("DYN_SYSTEM_PORT", "0")
            .env("DYN_OBS_WORKER_METHODS", RootContextApp.class.getName() + "[generate]").start()) {
      pastTheCheck(server);
      pastTheCheck(worker);
      assertEquals(0, server.stderrLinesContaining(NO_SERVER).size(), server.stderr());
      assertEquals(0, worker.stderrLinesContaining(NO_SERVER).size(), worker.stderr());
      assertEquals(0, server.stderrLinesContaining("does not support").size(), server.stderr());
    }
  }

  @Test
  void doctorNamesTheStacksOfAClassPathAndTheirVersions() {
    assumeTrue(StackApp.VERTX_5.isBuilt(), "test-apps/vertx5 is built");
    String cp = StackApp.VERTX_5.jar() + ":" + StackApp.VERTX_5.libs().resolve("*");
    try (AgentProcess p = AgentProcess.agentCli("doctor", "--class-path", cp).start()) {
      assertEquals(0, p.awaitExit(), p.outputs());
      assertTrue(
          Pattern.compile("(?m)^    Vert\\.x 5\\.0\\.7 \\(vertx-core-5\\.0\\.7\\.jar\\)$").matcher(p.stdout()).find(),
          p.stdout());
    }
  }

  @Test
  void doctorSaysWhenNoSupportedServerIsOnTheClassPath() {
    assumeTrue(StackApp.VERTX_5.isBuilt(), "test-apps/vertx5 is built");
    // the answers library alone: an application with no HTTP server
    Path answers = StackApp.VERTX_5.libs().resolve("dynamo-obs-test-app-answers-0.1.0-SNAPSHOT.jar");
    try (AgentProcess p = AgentProcess.agentCli("doctor", "--class-path", answers.toString()).start()) {
      assertEquals(1, p.awaitExit(), p.outputs());
      assertTrue(p.stdout().contains("WARN no HTTP server the agent supports is on this class path; found: no HTTP"
          + " server classes"), p.stdout());
    }
  }

  /**
   * A Vert.x 3 jar, made here from Vert.x 5's {@code HttpServer} class and a Maven descriptor saying 3.9.16: doctor
   * reads the version as the agent would and says it is not supported.
   */
  @Test
  void doctorWarnsOfAVersionTheAgentDoesNotSupport(@TempDir Path dir) throws IOException {
    assumeTrue(StackApp.VERTX_5.isBuilt(), "test-apps/vertx5 is built");
    Path jar = dir.resolve("vertx-core-3.9.16.jar");
    try (JarFile real = new JarFile(StackApp.VERTX_5.libs().resolve("vertx-core-5.0.7.jar").toFile());
        JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      String cls = "io/vertx/core/http/HttpServer.class";
      out.putNextEntry(new JarEntry(cls));
      try (InputStream in = real.getInputStream(real.getEntry(cls))) {
        in.transferTo(out);
      }
      out.putNextEntry(new JarEntry("META-INF/maven/io.vertx/vertx-core/pom.properties"));
      out.write("groupId=io.vertx\nartifactId=vertx-core\nversion=3.9.16\n".getBytes(StandardCharsets.UTF_8));
    }
    try (AgentProcess p = AgentProcess.agentCli("doctor", "--class-path", jar.toString()).start()) {
      assertEquals(1, p.awaitExit(), p.outputs());
      assertTrue(p.stdout().contains("    Vert.x 3.9.16 (vertx-core-3.9.16.jar)  not supported"), p.stdout());
      assertTrue(p.stdout().contains("found: Vert.x 3.9.16 (vertx-core-3.9.16.jar), not supported. Supported:"),
          p.stdout());
    }
  }
}
