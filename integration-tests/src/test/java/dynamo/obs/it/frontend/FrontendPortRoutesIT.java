package dynamo.obs.it.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dynamo.obs.it.apps.Jetty10JavaxApp;
import dynamo.obs.it.apps.OpenAiAnswers;
import dynamo.obs.it.apps.OpenAiStubApp;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.Http;
import dynamo.obs.it.support.Poll;
import dynamo.obs.it.support.RawHttp;
import dynamo.obs.it.support.StackApp;
import dynamo.obs.it.support.SystemServer;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code /metrics}, the health path and the live path on a frontend application's own HTTP port, as upstream
 * Dynamo's frontend serves them on its HTTP port (upstream's {@code prometheus.yml} scrapes a frontend there): on
 * every HTTP server the agent instruments as a frontend — the JDK server, Jetty 12, Tomcat 11, Jetty 10, the
 * Netty family, Undertow 2.3 and 2.4 (core handlers) and Helidon SE 4 of {@code test-apps/} — a GET or HEAD of exactly one of them gets the system status server's status,
 * content type and body (Prometheus text, OpenMetrics on {@code Accept}, gzip), where the application has no route
 * for it. An application with a {@code /health} of its own ({@code -Dtestapp.health=true}) keeps answering it; any
 * other method or path is the application's own answer; a worker's port answers none of them; so does a frontend's
 * with {@code DYN_OBS_FRONTEND_PORT_ROUTES=false}.
 */
class FrontendPortRoutesIT {
  private static final Pattern READY = Pattern.compile("READY (\\d+)");
  private static final Pattern FAMILY = Pattern.compile("(?m)^# TYPE (\\S+) ");
  private static final String[] ASK_OPENMETRICS = {"Accept", "application/openmetrics-text; version=1.0.0"};
  /** What the system status server's text exposition always holds (the agent's own families). */
  private static final String UPTIME_FAMILY = "# TYPE dynamo_component_uptime_seconds gauge";

  /** A frontend application and how it starts; with {@code ownHealth} it serves a {@code /health} of its own. */
  enum Frontend {
    JDK_SERVER(() -> AgentProcess.app(OpenAiStubApp.class), true), JETTY_12(ServletFrontendIT::jettyApp,
        true), TOMCAT_11(TomcatFrontendIT::tomcatApp, true), JETTY_10(() -> AgentProcess.app(Jetty10JavaxApp.class)
            .classpath(Paths.get(System.getProperty("jetty10.libs")).resolve("*")),
            false), NETTY_41(StackApp.NETTY_41), NETTY_42(StackApp.NETTY_42), VERTX_4(StackApp.VERTX_4), VERTX_5(
                StackApp.VERTX_5), WEBFLUX(StackApp.WEBFLUX), MICRONAUT(StackApp.MICRONAUT), UNDERTOW(
                    StackApp.UNDERTOW), UNDERTOW_24(StackApp.UNDERTOW_24), HELIDON(StackApp.HELIDON);

    private final Supplier<AgentProcess.Builder> builder;
    private final boolean servesOwnHealth;
    private final StackApp stack;

    Frontend(Supplier<AgentProcess.Builder> builder, boolean servesOwnHealth) {
      this.builder = builder;
      this.servesOwnHealth = servesOwnHealth;
      this.stack = null;
    }

    Frontend(StackApp stack) {
      this.builder = stack::process;
      this.servesOwnHealth = true;
      this.stack = stack;
    }

    AgentProcess.Builder process() {
      assumeTrue(stack == null || stack.isBuilt(), () -> stack + " is not built here");
      assumeTrue(stack == null || stack.runsOn(AgentProcess.appJavaHome()),
          () -> stack + " needs Java " + stack.minimumJava() + ": skipped on " + AgentProcess.appJavaHome());
      return builder.get();
    }
  }

  /**
   * Every frontend as it is, its health answered by the agent; and those with a health route of their own with it
   * (the Netty family only so: a framework's 404 is replaced there whichever path it is for, so their /metrics and
   * live path tell it, and plain Netty 4.1 shows the health path too; Undertow 2.3 and Helidon, whose 404 for no
   * route is recognised as such, show both).
   */
  static Stream<Arguments> frontends() {
    Stream<Arguments> plain = Stream.of(Frontend.JDK_SERVER, Frontend.JETTY_12, Frontend.TOMCAT_11, Frontend.JETTY_10,
        Frontend.NETTY_41, Frontend.UNDERTOW, Frontend.HELIDON).map(f -> Arguments.of(f, false));
    Stream<Arguments> ownHealth = Stream.of(Frontend.values()).filter(f -> f.servesOwnHealth)
        .map(f -> Arguments.of(f, true));
    return Stream.concat(plain, ownHealth);
  }

  @ParameterizedTest(name = "{0}, its own /health: {1}")
  @MethodSource("frontends")
  void theApplicationsPortAnswersTheSystemRoutesAsTheSystemPortWhereTheApplicationHasNone(Frontend frontend,
      boolean ownHealth) throws IOException {
    int system = FreePort.pick();
    AgentProcess.Builder b = frontend.process().env("DYN_SYSTEM_PORT", "" + system);
    if (ownHealth) {
      b.sysProp(OpenAiAnswers.HEALTH_PROPERTY, "true");
    }
    try (AgentProcess app = b.start()) {
      int port = Integer.parseInt(app.awaitStdout(READY).group(1));
      SystemServer sys = new SystemServer(app, system);
      sys.awaitInstrumentationActive();
      // the application's server is woven as its classes load: from then on its port answers
      Poll.until("/metrics on the application's port " + port, () -> Http.get(port, "/metrics"),
          r -> r.statusCode() == 200, app);

      // the text exposition: the system port's families, before and after, and its content type
      Set<String> before = families(sys.metrics());
      HttpResponse<String> text = Http.get(port, "/metrics");
      Set<String> after = families(sys.metrics());
      assertEquals(200, text.statusCode(), Http.describe(text));
      assertEquals(mediaType(Http.get(system, "/metrics")), mediaType(text));
      assertTrue(text.body().contains(UPTIME_FAMILY), text.body());
      Set<String> served = families(text.body());
      assertTrue(served.containsAll(before) && after.containsAll(served), "application's port " + served
          + "\nsystem port before " + before + "\nsystem port after " + after);
      // a query does not change the route
      assertEquals(200, Http.get(port, "/metrics?name=dynamo_component_uptime_seconds").statusCode());

      // OpenMetrics when asked, and gzip
      HttpResponse<String> om = Http.get(port, "/metrics", ASK_OPENMETRICS);
      assertEquals(mediaType(Http.get(system, "/metrics", ASK_OPENMETRICS)), mediaType(om), Http.describe(om));
      assertTrue(om.body().endsWith("# EOF\n"), om.body());
      HttpResponse<byte[]> gz = Http.getBytes(port, "/metrics", "Accept-Encoding", "gzip");
      assertEquals("gzip", gz.headers().firstValue("content-encoding").orElse(null), Http.describe(gz));
      assertTrue(Http.gunzip(gz.body()).contains(UPTIME_FAMILY));

      // the health and the live path: the system port's status, content type and body (but for the uptime)
      for (String path : List.of("/health", "/live")) {
        HttpResponse<String> mine = Http.get(port, path);
        if (ownHealth && path.equals("/health")) {
          assertEquals(200, mine.statusCode(), Http.describe(mine));
          assertEquals(OpenAiAnswers.APP_HEALTH, mine.body(), "the application's own /health answers");
          assertEquals("application/json", mediaType(mine).replace(";charset=utf-8", ""));
          continue;
        }
        SystemServer.Health expected = SystemServer.parseHealth(Http.get(system, path));
        SystemServer.Health got = SystemServer.parseHealth(mine);
        assertEquals(expected.status(), got.status(), path + ": " + got);
        assertEquals(normalized(expected.contentType()), mediaType(mine), path);
        assertEquals(expected.withoutUptime(), got.withoutUptime(), path);
      }

      // HEAD: the head of the exposition, no body
      try (RawHttp c = new RawHttp(port)) {
        RawHttp.Response head = c.exchange(RawHttp.request("HEAD", "/metrics", "HTTP/1.1"));
        assertEquals(200, head.status(), head.statusLine() + " " + head.headers());
        assertTrue(Integer.parseInt(head.header("content-length")) > 0, head.headers().toString());
        assertEquals(0, c.available(), "no body after the head of a HEAD answer");
      }

      // anything else is the application's own answer: another method, a longer or shorter path
      HttpResponse<String> notFound = Http.get(port, "/no-such-route");
      assertEquals(404, notFound.statusCode(), Http.describe(notFound));
      for (HttpResponse<String> theirs : List.of(Http.get(port, "/metrics/more"), Http.get(port, "/metric"),
          Http.get(port, "/live/"))) {
        assertEquals(notFound.statusCode(), theirs.statusCode(), Http.describe(theirs));
        assertApplications(notFound, theirs);
      }
      HttpResponse<String> post = post(port, "/metrics");
      assertEquals(post(port, "/no-such-route").statusCode(), post.statusCode(), Http.describe(post));
      assertApplications(notFound, post);
      app.assertAlive();
    }
  }

  @Test
  void withoutASystemPortAFrontendsPortStillAnswersAsUpstreamsFrontendDoes() {
    try (AgentProcess app = AgentProcess.app(OpenAiStubApp.class).start()) {
      int port = Integer.parseInt(app.awaitStdout(READY).group(1));
      HttpResponse<String> live = Poll.until("/live on the application's port", () -> Http.get(port, "/live"),
          r -> r.statusCode() == 200, app);
      assertTrue(SystemServer.healthBody("\"chat_completions\":\"ready\",\"completions\":\"ready\"", "ready")
          .matcher(live.body()).matches(), live.body());
      assertTrue(Http.get(port, "/metrics").body().contains(UPTIME_FAMILY));
    }
  }

  @Test
  void aWorkersPortAnswersNoneOfThemItsSystemPortDoes() {
    int system = FreePort.pick();
    try (AgentProcess app = AgentProcess.app(OpenAiStubApp.class).env("DYN_SYSTEM_PORT", "" + system)
        .env("DYN_OBS_WORKER_METHODS", OpenAiAnswers.class.getName() + "[unary]").start()) {
      assertApplicationsOwn404(app, system);
    }
  }

  @Test
  void switchedOffAFrontendsPortAnswersNoneOfThem() {
    int system = FreePort.pick();
    try (AgentProcess app = AgentProcess.app(OpenAiStubApp.class).env("DYN_SYSTEM_PORT", "" + system)
        .env("DYN_OBS_FRONTEND_PORT_ROUTES", "false").start()) {
      assertApplicationsOwn404(app, system);
    }
  }

  /** Switched off on Undertow and Helidon: each system route on their port is their own 404 for no route. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("ownNotFoundStacks")
  void switchedOffUndertowAndHelidonAnswerTheirOwn404(Frontend frontend) {
    int system = FreePort.pick();
    try (AgentProcess app = frontend.process().env("DYN_SYSTEM_PORT", "" + system)
        .env("DYN_OBS_FRONTEND_PORT_ROUTES", "false").start()) {
      int port = Integer.parseInt(app.awaitStdout(READY).group(1));
      new SystemServer(app, system).awaitInstrumentationActive();
      HttpResponse<String> notFound = Http.get(port, "/no-such-route");
      assertEquals(404, notFound.statusCode(), Http.describe(notFound));
      for (String path : List.of("/metrics", "/health", "/live")) {
        HttpResponse<String> r = Http.get(port, path);
        assertEquals(404, r.statusCode(), Http.describe(r));
        assertEquals(notFound.body(), r.body(), path);
        assertApplications(notFound, r);
      }
      app.assertAlive();
    }
  }

  static Stream<Frontend> ownNotFoundStacks() {
    return Stream.of(Frontend.UNDERTOW, Frontend.HELIDON);
  }

  /** Every system route on the application's port is the JDK server's "no context" 404; the system port answers. */
  private static void assertApplicationsOwn404(AgentProcess app, int system) {
    int port = Integer.parseInt(app.awaitStdout(READY).group(1));
    new SystemServer(app, system).awaitInstrumentationActive(); // its /metrics answers, on the system port
    for (String path : List.of("/metrics", "/health", "/live")) {
      HttpResponse<String> r = Http.get(port, path);
      assertEquals(404, r.statusCode(), Http.describe(r));
      assertEquals("<h1>404 Not Found</h1>No context found for request", r.body());
    }
  }

  private static HttpResponse<String> post(int port, String path) {
    return Http.send(HttpRequest.newBuilder(Http.uri(port, path)).POST(HttpRequest.BodyPublishers.ofString("{}"))
        .build());
  }

  /** An answer of the application's own (as the one it gives to a path it has no route for), not the agent's. */
  private static void assertApplications(HttpResponse<String> notFound, HttpResponse<String> theirs) {
    // Undertow's 404 for no route has no content type at all
    assertEquals(notFound.headers().firstValue("content-type").map(FrontendPortRoutesIT::normalized),
        theirs.headers().firstValue("content-type").map(FrontendPortRoutesIT::normalized), Http.describe(theirs));
    assertFalse(theirs.body().contains("dynamo_") || theirs.body().contains("\"uptime\""), Http.describe(theirs));
  }

  private static Set<String> families(String exposition) {
    Set<String> names = new TreeSet<>();
    Matcher m = FAMILY.matcher(exposition);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** The content type as a server writes it, spaces aside (Tomcat and Jetty drop those after a ';'). */
  private static String mediaType(HttpResponse<?> r) {
    return normalized(r.headers().firstValue("content-type").orElse(null));
  }

  private static String normalized(String contentType) {
    assertTrue(contentType != null, "a content type");
    return contentType.replace(" ", "").toLowerCase(Locale.ROOT);
  }
}
