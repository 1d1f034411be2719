package dynamo.obs.it.weaving;

import static dynamo.obs.it.support.FrontendSeries.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dynamo.obs.it.apps.Jetty10JavaxApp;
import dynamo.obs.it.apps.JettyOpenAiApp;
import dynamo.obs.it.apps.ManyRoutesApp;
import dynamo.obs.it.apps.OpenAiAnswers;
import dynamo.obs.it.apps.OpenAiStubApp;
import dynamo.obs.it.apps.WorkerShapesApp;
import dynamo.obs.it.apps.logging.JulApp;
import dynamo.obs.it.apps.logging.Log4jApp;
import dynamo.obs.it.apps.logging.LogbackApp;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.Http;
import dynamo.obs.it.support.Poll;
import dynamo.obs.it.support.StackApp;
import dynamo.obs.it.support.SystemServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The one error policy, proved on each target of a real application: its handler is made to fail at every event
 * ({@code -Ddynamo.obs.failTarget}), as a handler with a bug would. The application must answer exactly as it does
 * without the agent, the errors are counted against the target, the first one is logged once with its stack trace,
 * and the target turns itself off after 100 errors within a minute — counted no further, one WARN — while the
 * application goes on.
 */
class TargetFailureIT {
  private static final int LIMIT = 100;
  private static final Pattern READY = Pattern.compile("READY (\\d+)");

  /** A target, the application that exercises it, and enough work to make it fail more than {@link #LIMIT} times. */
  enum Target {
    JDK_HTTPSERVER("jdk-httpserver", () -> AgentProcess.app(OpenAiStubApp.class)) {
      @Override
      void drive(AgentProcess app) {
        chats(app, "/v1/chat/completions", 40);
      }
    },
    EXECUTORS("executors", () -> AgentProcess.app(OpenAiStubApp.class)) {
      @Override
      void drive(AgentProcess app) {
        chats(app, "/v1/chat/completions", LIMIT + 20); // one task handed to the server's pool per request
      }
    },
    JAKARTA_SERVLET("jakarta-servlet", () -> AgentProcess.app(JettyOpenAiApp.class)
        .classpath(Paths.get(System.getProperty("jetty12.libs")).resolve("*"))) {
      @Override
      void drive(AgentProcess app) {
        chats(app, "/api/v1/chat/completions", 40);
      }
    },
    JAVAX_SERVLET("javax-servlet", () -> AgentProcess.app(Jetty10JavaxApp.class)
        .classpath(Paths.get(System.getProperty("jetty10.libs")).resolve("*"))) {
      @Override
      void drive(AgentProcess app) {
        chats(app, "/api/v1/chat/completions", 40);
      }
    },
    JAVA_UTIL_LOGGING("java-util-logging", () -> AgentProcess.app(JulApp.class).args("threads", "stay")) {
      @Override
      void drive(AgentProcess app) {
        logs(app);
      }
    },
    LOGBACK("logback", () -> AgentProcess.app(LogbackApp.class).args("threads", "stay")
        .classpath(Paths.get(System.getProperty("logback.libs")).resolve("*"))
        .sysProp("logback.configurationFile", AgentProcess.testClasses().resolve("logging/logback.xml").toString())) {
      @Override
      void drive(AgentProcess app) {
        logs(app);
      }
    },
    LOG4J2("log4j2", () -> AgentProcess.app(Log4jApp.class).args("threads", "stay")
        .classpath(Paths.get(System.getProperty("log4j.libs")).resolve("*"))
        .sysProp("log4j2.configurationFile", AgentProcess.testClasses().resolve("logging/log4j2.xml").toString())) {
      @Override
      void drive(AgentProcess app) {
        logs(app);
      }
    },
    METHODS("methods", () -> AgentProcess.app(WorkerShapesApp.class)
        .classpath(AgentProcess.appLibs().resolve("reactive-streams-1.0.4.jar"))
        .classpath(AgentProcess.appLibs().resolve("reactor-core-3.8.1.jar"))
        .env("DYN_OBS_WORKER_METHODS", "dynamo.obs.it.apps.ShapesEngine[*]")) {
      @Override
      void drive(AgentProcess app) {
        app.awaitStdout(Pattern.compile("READY"));
        for (int i = 0; i < LIMIT; i++) {
          app.send("iterate m" + i + " 3");
          app.awaitStdout(Pattern.compile("DONE m" + i + "\\b"));
        }
      }
    },
    /** Its events come while the application starts: each servlet mapping, the connector (more than the limit). */
    ROUTES("routes", () -> AgentProcess.app(ManyRoutesApp.class)
        .classpath(Paths.get(System.getProperty("jetty12.libs")).resolve("*"))) {
      @Override
      void drive(AgentProcess app) {
        chats(app, "/api/v1/chat/completions", 5);
      }
    },
    NETTY("netty", () -> StackApp.NETTY_42.process()) {
      @Override
      void drive(AgentProcess app) {
        chats(app, "/v1/chat/completions", 40);
      }
    },
    UNDERTOW("undertow", () -> StackApp.UNDERTOW.process()) {
      @Override
      void drive(AgentProcess app) {
        chats(app, "/v1/chat/completions", 20); // blocking: dispatched to a worker thread
        chats(app, "/v1/completions", 20); // non-blocking: on the I/O thread
      }
    },
    JDK_HTTPCLIENT("jdk-httpclient", () -> AgentProcess.app(HttpClientCalls.class)) {
      @Override
      void drive(AgentProcess app) {
        app.send("" + (LIMIT + 10));
        assertEquals("" + (LIMIT + 10), app.awaitStdout(Pattern.compile("CALLED (\\d+)")).group(1),
            "every call of the application was answered");
      }
    },
    HELIDON("helidon", () -> StackApp.HELIDON.process()) {
      @Override
      void drive(AgentProcess app) {
        chats(app, "/v1/chat/completions", 40);
      }

      @Override
      String cannotRun() {
        return StackApp.HELIDON.runsOn(AgentProcess.appJavaHome())
            ? null
            : "Helidon 4 needs Java " + StackApp.HELIDON.minimumJava() + ": skipped on " + AgentProcess.appJavaHome();
      }
    };

    final String name;
    final Supplier<AgentProcess.Builder> app;

    Target(String name, Supplier<AgentProcess.Builder> app) {
      this.name = name;
      this.app = app;
    }

    abstract void drive(AgentProcess app);

    /** Why the target's application cannot run on the application JDK, or null. */
    String cannotRun() {
      return null;
    }
  }

  /** {@code n} unary chat completions (or completions), each answered exactly as without the agent. */
  static void chats(AgentProcess app, String path, int n) {
    int port = Integer.parseInt(app.awaitStdout(READY).group(1));
    byte[] expected = OpenAiAnswers.unary(path.endsWith("/chat/completions")).getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = Http.post(port, path, "{\"model\":\"m\",\"stream\":false}", "x-scenario", "unary");
      assertEquals(200, r.statusCode(), Http.describe(r));
      assertArrayEquals(expected, r.body().getBytes(StandardCharsets.UTF_8), "the answer is the application's");
    }
  }

  /** The logging scenario's threads: thousands of events, each printed by the framework as without the agent. */
  static void logs(AgentProcess app) {
    app.awaitStdout(Pattern.compile("READY"));
    app.send("go");
    app.awaitStdout(Pattern.compile("DONE"));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Target.class)
  void aFailingTargetNeverReachesTheApplicationAndTurnsItselfOff(Target target) {
    assumeTrue(target.cannotRun() == null, target.cannotRun());
    int port = FreePort.pick();
    try (AgentProcess app = target.app.get().env("DYN_SYSTEM_PORT", "" + port)
        .env("DYN_SYSTEM_STARTING_HEALTH_STATUS", "ready").sysProp("dynamo.obs.failTarget", target.name).start()) {
      SystemServer system = new SystemServer(app, port);
      system.awaitInstrumentationActive();
      target.drive(app);
      String errors = "dynamo_obs_instrumentation_errors_total{target=\"" + target.name + "\"}";
      String off = "dynamo_obs_instrumentation_turned_off{target=\"" + target.name + "\"}";
      String metrics = Poll.until(off, system::metrics, m -> value(m, off) != null, app);
      assertEquals(1.0, value(metrics, off), metrics);
      // counted until it was turned off, and no further (but for the events other threads had under way then)
      double counted = value(metrics, errors);
      assertTrue(counted >= LIMIT && counted <= LIMIT + 16, counted + " errors:\n" + metrics);
      assertEquals(1, app.stderrLinesContaining("error inside the " + target.name + " instrumentation").size(),
          app.outputs());
      String first = app.stderrLinesContaining("error inside the " + target.name + " instrumentation").get(0);
      assertTrue(first.contains("java.lang.IllegalStateException: failure injected into " + target.name)
          && first.contains("\tat dynamo.obs."), "logged with its stack trace: " + first);
      assertEquals(1, app.stderrLinesContaining("the " + target.name + " instrumentation failed " + LIMIT
          + " times within a minute and is turned off").size(), app.outputs());
      app.assertAlive();
      assertTrue(Http.get(port, "/health").statusCode() == 200, "the agent itself goes on");
    }
  }
}
