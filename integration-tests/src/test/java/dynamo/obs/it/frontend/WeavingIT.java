package dynamo.obs.it.frontend;

import static dynamo.obs.it.support.FrontendSeries.requests;
import static dynamo.obs.it.support.FrontendSeries.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dynamo.obs.it.apps.JettyOpenAiApp;
import dynamo.obs.it.apps.NestedLoaderApp;
import dynamo.obs.it.apps.OpenAiStubApp;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.FrontendSeries;
import dynamo.obs.it.support.StackApp;
import dynamo.obs.it.support.SystemServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Which weaver weaves what. The JDK's own classes are woven by the agent's small weaver, so an
 * application that uses only the JDK never loads Byte Buddy (its footprint); Byte Buddy is loaded
 * once a library it weaves appears, also when that library lives in a class loader of its own that
 * the application class loader cannot see (a fat-jar launcher, a plugin host).
 */
class WeavingIT {

  @Test
  void aJdkOnlyApplicationNeverLoadsByteBuddy(@TempDir Path dir) throws Exception {
    Path classes = dir.resolve("classes.log");
    int port = FreePort.pick();
    try (AgentProcess app = AgentProcess.app(OpenAiStubApp.class).env("DYN_SYSTEM_PORT", "" + port)
        .jvmArg("-Xlog:class+load=info:file=" + classes).start()) {
      int appPort = Integer.parseInt(app.awaitStdout(Pattern.compile("READY (\\d+)")).group(1));
      SystemServer system = new SystemServer(app, port);
      system.awaitInstrumentationActive();
      assertEquals(200, FrontendMetricsIT.post(appPort, "/v1/chat/completions", "unary",
          "{\"model\":\"jdk-only\"}").statusCode());
      String metrics = FrontendSeries.await(system, app,
          requests("jdk-only", "chat_completions", "unary", "success", ""), 1,
          "dynamo_frontend_inflight_requests{model=\"jdk-only\"}", 0);
      assertTrue(value(metrics, "dynamo_obs_instrumented_types") >= 4, metrics);
      assertNull(value(metrics, "dynamo_obs_instrumentation_errors_total{target=\"jdk-httpserver\"}"));
      List<String> loaded = Files.readAllLines(classes);
      assertTrue(loaded.stream().anyMatch(l -> l.contains("dynamo.obs.bootstrap.Dispatch")), "the woven calls ran");
      assertNoByteBuddyMachinery(loaded, "a JDK-only application");
    }
  }

  /**
   * Netty's codec and Logback's logger are known by name: the agent's own weaver weaves them, and the code that reads
   * their objects is defined in the application's loader, so Micronaut and Spring WebFlux applications (Netty,
   * Logback; WebFlux also has Log4j's API on its class path, routed to SLF4J) are observed without Byte Buddy: their
   * requests counted, their log events captured. Helidon's server is known by name too (its objects read through its
   * public methods, no code defined in its loader); the servlet containers under Spring MVC (Tomcat) and Javalin
   * (Jetty) are matched by super type from class file headers.
   */
  @ParameterizedTest
  @EnumSource(value = StackApp.class, names = {"MICRONAUT", "WEBFLUX", "HELIDON", "SPRING_MVC", "JAVALIN"})
  void aFrameworkApplicationIsObservedWithoutByteBuddy(StackApp stack, @TempDir Path dir) throws Exception {
    assumeTrue(stack.isBuilt() && stack.runsOn(AgentProcess.appJavaHome()), () -> stack + " cannot run here");
    Path classes = dir.resolve("classes.log");
    int port = FreePort.pick();
    try (StackApp.Running app = stack.start(stack.process().env("DYN_SYSTEM_PORT", "" + port)
        .env("OTEL_EXPORT_ENABLED", "false").jvmArg("-Xlog:class+load=info:file=" + classes))) {
      SystemServer system = new SystemServer(app.process(), port);
      system.awaitInstrumentationActive();
      assertEquals(200, StackAppsIT.post(app.port(), "/v1/chat/completions", "unary",
          "{\"model\":\"no-byte-buddy\"}").statusCode());
      String metrics = FrontendSeries.await(system, app.process(),
          requests("no-byte-buddy", "chat_completions", "unary", "success", ""), 1,
          "dynamo_frontend_inflight_requests{model=\"no-byte-buddy\"}", 0);
      String netty = "dynamo.obs.agent.targets.netty.NettyCodecEvents";
      String logback = "dynamo.obs.agent.targets.logback.LogbackEvents";
      List<String> targets = switch (stack) {
        case HELIDON -> List.of("helidon");
        case SPRING_MVC -> List.of("jakarta-servlet", "logback");
        case JAVALIN -> List.of("jakarta-servlet");
        default -> List.of("netty", "logback");
      };
      for (String target : targets) {
        assertNull(value(metrics, "dynamo_obs_instrumentation_errors_total{target=\"" + target + "\"}"), metrics);
      }
      List<String> loaded = Files.readAllLines(classes);
      List<String> defined = switch (stack) {
        case HELIDON, JAVALIN -> List.of();
        case SPRING_MVC -> List.of(logback);
        default -> List.of(netty, logback);
      };
      for (String code : defined) {
        assertTrue(loaded.stream().anyMatch(l -> l.contains(code + " ")), code + " was not defined: " + loaded);
      }
      assertNoByteBuddyMachinery(loaded, stack + "'s application");
    }
  }

  /**
   * A few of Byte Buddy's interfaces are named by the agent's own types (the module's matcher records); none of its
   * machinery may load: no agent builder, no advice, no type pool.
   */
  private static void assertNoByteBuddyMachinery(List<String> loaded, String what) {
    List<String> byteBuddy = loaded.stream()
        .filter(l -> l.contains(".bytebuddy.") && !l.contains(".bytebuddy.jar.asm."))
        .toList();
    assertTrue(byteBuddy.size() < 16, "Byte Buddy classes loaded by " + what + ": " + byteBuddy);
    for (String machinery : List.of(".bytebuddy.agent.", ".bytebuddy.asm.Advice", ".bytebuddy.pool.",
        ".bytebuddy.ByteBuddy ", ".bytebuddy.dynamic.")) {
      assertTrue(byteBuddy.stream().noneMatch(l -> l.contains(machinery)), machinery + " loaded: " + byteBuddy);
    }
  }

  /**
   * A servlet container whose classes appear in a class loader made after the agent started (as a web application's
   * or an application server's) is woven as it loads, by super type, without Byte Buddy.
   */
  @Test
  void aContainerInANestedClassLoaderIsWovenAsItAppearsWithoutByteBuddy(@TempDir Path dir) throws Exception {
    int port = FreePort.pick();
    Path go = dir.resolve("go");
    Path classes = dir.resolve("classes.log");
    try (AgentProcess app = AgentProcess.app(NestedLoaderApp.class)
        .args(JettyOpenAiApp.class.getName(), System.getProperty("jetty12.libs"), go.toString())
        .jvmArg("-Xlog:class+load=info:file=" + classes)
        .env("DYN_SYSTEM_PORT", "" + port).env("DYN_LOG", "info,dynamo_obs.instrumentation=debug").start()) {
      SystemServer system = new SystemServer(app, port);
      system.awaitInstrumentationActive(); // no servlet class anywhere yet
      Files.createFile(go);
      int appPort = Integer.parseInt(app.awaitStdout(Pattern.compile("READY (\\d+)")).group(1));
      // the servlet types are woven as the nested loader defines them: the container's requests are recorded
      String m = "{model=\"nested\"}";
      String metrics = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        assertEquals(200, FrontendMetricsIT.post(appPort, "/api/v1/chat/completions", "unary",
            "{\"model\":\"nested\"}").statusCode());
        metrics = system.metrics();
        Double n = value(metrics, requests("nested", "chat_completions", "unary", "success", ""));
        if (n != null && n >= 1) {
          break;
        }
        sleep(200);
      }
      Double n = value(metrics, requests("nested", "chat_completions", "unary", "success", ""));
      assertTrue(n != null && n >= 1, "requests on the nested container are recorded: " + metrics);
      assertNull(value(metrics, "dynamo_obs_instrumentation_errors_total{target=\"jakarta-servlet\"}"));
      assertFalse(app.stderr().contains("could not instrument"), app.stderr());
      assertEquals(0.0, value(system.metrics(), "dynamo_frontend_inflight_requests" + m));
      // the JDK's classes woven at start and the container's woven later (some at load, some found again by
      // Byte Buddy's discovery of what loaded meanwhile): each instrumented class is counted once
      Set<String> named = Set.of();
      Double counted = null;
      deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (System.nanoTime() < deadline) {
        counted = value(system.metrics(), "dynamo_obs_instrumented_types");
        named = INSTRUMENTED.matcher(app.stderr()).results().map(r -> r.group(1)).collect(Collectors.toSet());
        if (counted != null && counted == named.size()) {
          break;
        }
        sleep(200);
      }
      assertEquals((double) named.size(), counted, "instrumented classes, counted once each: " + named);
      assertTrue(named.contains("jakarta.servlet.http.HttpServlet"), "woven: " + named);
      assertFalse(app.stderr().contains("loading Byte Buddy"), app.stderr());
      assertNoByteBuddyMachinery(Files.readAllLines(classes), "a servlet container in a nested loader");
    }
  }

  private static final Pattern INSTRUMENTED = Pattern.compile("\\binstrumented ([\\w.$]+)\\s*$", Pattern.MULTILINE);

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
