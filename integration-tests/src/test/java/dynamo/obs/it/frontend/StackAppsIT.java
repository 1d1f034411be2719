package dynamo.obs.it.frontend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dynamo.obs.it.apps.JettyOpenAiApp;
import dynamo.obs.it.apps.OpenAiStubApp;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.RawHttp;
import dynamo.obs.it.support.StackApp;
import dynamo.obs.testapps.OpenAiAnswers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The baseline of the stacks' agent tests, without the agent: every application of {@code test-apps/}
 * ({@link StackApp}: plain Netty 4.1 and 4.2, Vert.x 4 and 5, Undertow 2.3 and 2.4, Spring WebFlux, Micronaut,
 * Helidon SE, Spring MVC on Tomcat, Javalin on Jetty),
 * started as its users start it, answers a real HTTP client as the JDK-server service ({@link OpenAiStubApp})
 * does: the same status, media type and body bytes (the same events where the framework writes the event framing
 * itself), for streamed and unary answers, errors, bodies no valid client sends, chunked and Content-Length bodies,
 * keep-alive and pipelined connections, and clients that go away mid-stream. One JVM per stack, started on first
 * use and shared by the cases.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StackAppsIT {
  private static final String CHAT = "/v1/chat/completions";
  private static final String COMPLETIONS = "/v1/completions";
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private final Map<StackApp, StackApp.Running> running = new EnumMap<>(StackApp.class);
  private AgentProcess jdkService;
  private int jdkPort;
  private AgentProcess servletService;
  private int servletPort;

  @BeforeAll
  void startTheReferenceServices() {
    jdkService = AgentProcess.app(OpenAiStubApp.class).withAgent(false).start();
    jdkPort = Integer.parseInt(jdkService.awaitStdout(Pattern.compile("READY (\\d+)")).group(1));
    servletService = AgentProcess.app(JettyOpenAiApp.class).withAgent(false)
        .classpath(Paths.get(System.getProperty("jetty12.libs")).resolve("*")).start();
    servletPort = Integer.parseInt(servletService.awaitStdout(Pattern.compile("READY (\\d+)")).group(1));
  }

  @AfterAll
  void stopAll() {
    running.values().forEach(StackApp.Running::close);
    if (jdkService != null) {
      jdkService.close();
    }
    if (servletService != null) {
      servletService.close();
    }
  }

  static Stream<StackApp> stacks() {
    return Stream.of(StackApp.values());
  }

  /** The stack's application, started on first use; skipped where it cannot run (Helidon before Java 21). */
  private StackApp.Running app(StackApp stack) {
    assumeTrue(stack.runsOn(AgentProcess.appJavaHome()), stack + " needs Java " + stack.minimumJava());
    StackApp.Running app = running.computeIfAbsent(stack, StackApp::startWithoutAgent);
    app.assertAlive();
    return app;
  }

  /** A JSON POST with the scenario header (when not null) and {@code headers} as name, value pairs. */
  static HttpResponse<byte[]> post(int port, String path, String scenario, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(20)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (scenario != null) {
      b.header("x-scenario", scenario);
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b.build());
  }

  static HttpResponse<byte[]> send(HttpRequest request) {
    try {
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(request.method() + " " + request.uri() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The media type without parameters ({@code text/event-stream;charset=UTF-8} is {@code text/event-stream}). */
  static String mediaType(HttpResponse<?> r) {
    return r.headers().firstValue("content-type").map(t -> t.split(";")[0].trim().toLowerCase(Locale.ROOT))
        .orElse(null);
  }

  /** The {@code data} values of a server-sent-event body ({@code data:} with or without the space). */
  static List<String> events(byte[] body) {
    List<String> events = new ArrayList<>();
    for (String event : new String(body, StandardCharsets.UTF_8).split("\n\n")) {
      StringBuilder data = new StringBuilder();
      for (String line : event.split("\n")) {
        if (line.startsWith("data:")) {
          data.append(data.length() > 0 ? "\n" : "").append(line.substring(line.startsWith("data: ") ? 6 : 5));
        }
      }
      events.add(data.toString());
    }
    return events;
  }

  /** The stack answers as the reference does: status, media type, and the bytes (or events) of the body. */
  static void assertSameAnswer(StackApp stack, HttpResponse<byte[]> reference, HttpResponse<byte[]> answer,
      String what) {
    String context = stack + " " + what + ": " + new String(answer.body(), StandardCharsets.UTF_8);
    assertEquals(reference.statusCode(), answer.statusCode(), context);
    assertEquals(mediaType(reference), mediaType(answer), context);
    if (stack.framesEvents() && "text/event-stream".equals(mediaType(reference))) {
      assertEquals(events(reference.body()), events(answer.body()), context);
      assertTrue(answer.body().length > 0 && new String(answer.body(), StandardCharsets.UTF_8).endsWith("\n\n"),
          context);
    } else {
      assertArrayEquals(reference.body(), answer.body(), context);
    }
  }

  private void assertSameAsJdkService(StackApp stack, String path, String scenario, String body) {
    HttpResponse<byte[]> reference = post(jdkPort, path, scenario, body);
    assertSameAnswer(stack, reference, post(app(stack).port(), path, scenario, body),
        path + " " + scenario + " " + body);
  }

  @ParameterizedTest
  @MethodSource("stacks")
  void streamedAnswersCarryTheServiceEvents(StackApp stack) {
    for (String path : new String[]{CHAT, COMPLETIONS}) {
      assertSameAsJdkService(stack, path, "stream",
          "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[]}");
      assertSameAsJdkService(stack, path, "stream-nousage", "{\"model\":\"m\",\"stream\":true}");
      assertSameAsJdkService(stack, path, null, "{\"model\":\"m\",\"stream\": true}"); // a real client's stream
    }
  }

  @ParameterizedTest
  @MethodSource("stacks")
  void unaryAnswersAndErrorsAreTheSameBytes(StackApp stack) {
    for (String path : new String[]{CHAT, COMPLETIONS}) {
      assertSameAsJdkService(stack, path, "unary", "{\"model\":\"m\",\"messages\":[]}");
      assertSameAsJdkService(stack, path, null, "{\"model\":\"m\",\"messages\":[]}");
      for (String status : new String[]{"400", "404", "422", "429", "500", "503"}) {
        assertSameAsJdkService(stack, path, "status-" + status, "{\"model\":\"unknown-model\"}");
      }
    }
  }

  @ParameterizedTest
  @MethodSource("stacks")
  void bodiesNoValidClientSendsAreAnsweredAlike(StackApp stack) {
    for (String path : new String[]{CHAT, COMPLETIONS}) {
      for (String body : new String[]{"{\"model\":\"hidden\", nope", "{\"model\":\"M\",\"messages\":[{\"role\":\"u",
          "{\"prompt\":\"no model here\"}", "", "[1,2,3]"}) {
        assertSameAsJdkService(stack, path, null, body);
        assertSameAsJdkService(stack, path, "status-400", body);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("stacks")
  void eventsOfSeveralTokensAndSplitWritesAreTheServletServiceBytes(StackApp stack) {
    for (String path : new String[]{CHAT, COMPLETIONS}) {
      HttpResponse<byte[]> reference = post(servletPort, "/api" + path, "multi", "{\"model\":\"m\",\"stream\":true}");
      assertEquals(200, reference.statusCode());
      assertSameAnswer(stack, reference, post(app(stack).port(), path, "multi", "{\"model\":\"m\",\"stream\":true}"),
          path + " multi");
    }
  }

  @ParameterizedTest
  @MethodSource("stacks")
  void contentLengthBodiesAreReadWhole(StackApp stack) {
    StringBuilder big = new StringBuilder("{\"model\":\"big\",\"prompt\":\"");
    while (big.length() < 1024 * 1024) {
      big.append("lorem ipsum dolor sit amet ");
    }
    String body = big.append("\"}").toString();
    for (String path : new String[]{CHAT, COMPLETIONS}) {
      assertSameAsJdkService(stack, path, "echo-length", body);
      assertEquals("{\"length\":" + body.length() + "}",
          new String(post(app(stack).port(), path, "echo-length", body).body(), StandardCharsets.UTF_8));
    }
  }

  /** The body in chunks of its own, each written and flushed apart: read whole, in order. */
  @ParameterizedTest
  @MethodSource("stacks")
  void chunkedBodiesSentInPiecesAreReadWhole(StackApp stack) throws IOException {
    String[] pieces = {"{\"model\":", "\"chunked\",\"messages\":[{\"role\":\"user\",", "\"content\":\"caf\u00e9\"}]}"};
    int length = String.join("", pieces).getBytes(StandardCharsets.UTF_8).length;
    for (String path : new String[]{CHAT, COMPLETIONS}) {
      for (int port : new int[]{jdkPort, app(stack).port()}) {
        try (RawHttp c = new RawHttp(port)) {
          c.write(RawHttp.request("POST", path, "HTTP/1.1", "x-scenario: echo-length",
              "Content-Type: application/json", "Transfer-Encoding: chunked"));
          for (String piece : pieces) {
            byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
            c.write(
                Integer.toHexString(bytes.length) + "\r\n" + new String(bytes, StandardCharsets.ISO_8859_1) + "\r\n");
          }
          c.write("0\r\n\r\n");
          RawHttp.Response r = c.read(false);
          assertEquals(200, r.status(), stack + " " + path + " port " + port + ": " + r.statusLine());
          assertEquals("{\"length\":" + length + "}", r.bodyText(), stack + " " + path + " port " + port);
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("stacks")
  void oneKeepAliveConnectionServesStreamsUnaryAnswersAndPipelinedRequests(StackApp stack) throws IOException {
    StackApp.Running app = app(stack);
    String unary = "{\"model\":\"m\"}";
    String stream = "{\"model\":\"m\",\"stream\":true}";
    try (RawHttp c = new RawHttp(app.port())) {
      for (int round = 0; round < 2; round++) {
        for (String path : new String[]{CHAT, COMPLETIONS}) {
          RawHttp.Response u = c.exchange(post(path, "unary", unary));
          assertEquals(200, u.status(), stack + " " + u.statusLine());
          assertEquals(OpenAiAnswers.unary(path.equals(CHAT)), u.bodyText(), stack + " " + path);
          RawHttp.Response s = c.exchange(post(path, "stream", stream));
          assertEquals(200, s.status(), stack + " " + s.statusLine());
          assertEquals(events(post(jdkPort, path, "stream", stream).body()), events(s.body()), stack + " " + path);
        }
        RawHttp.Response models = c.exchange(RawHttp.request("GET", "/v1/models", "HTTP/1.1"));
        assertEquals(OpenAiAnswers.models(), models.bodyText(), stack + " /v1/models");
      }
      // pipelined: three requests in one write, answered in order
      c.write(post(CHAT, "unary", unary) + post(COMPLETIONS, "status-404", unary) + post(COMPLETIONS, "unary", unary));
      assertEquals(OpenAiAnswers.unary(true), c.read(false).bodyText(), stack + " pipelined 1");
      RawHttp.Response second = c.read(false);
      assertEquals(404, second.status(), stack + " pipelined 2");
      assertEquals(OpenAiAnswers.error("status-404"), second.bodyText(), stack + " pipelined 2");
      assertEquals(OpenAiAnswers.unary(false), c.read(false).bodyText(), stack + " pipelined 3");
      assertFalse(c.closedByPeer(200), stack + " keeps the connection open");
    }
  }

  /** A request with a Content-Length body, as raw text. */
  private static String post(String path, String scenario, String body) {
    return RawHttp.request("POST", path, "HTTP/1.1", "x-scenario: " + scenario, "Content-Type: application/json",
        "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length) + body;
  }

  @ParameterizedTest
  @MethodSource("stacks")
  void clientsGoneMidStreamLeaveTheApplicationServing(StackApp stack) throws IOException {
    StackApp.Running app = app(stack);
    for (String path : new String[]{CHAT, COMPLETIONS}) {
      for (int i = 0; i < 3; i++) {
        FrontendMetricsIT.leaveMidStream(app.port(), path, "leaver");
      }
      // an orderly close mid-stream too (FIN rather than RST)
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), app.port())) {
        String body = "{\"model\":\"leaver\",\"stream\":true}";
        OutputStream out = s.getOutputStream();
        out.write(post(path, "slow", body).getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = s.getInputStream();
        assertTrue(in.read(new byte[600]) > 0, stack + " " + path + " starts the stream");
      }
    }
    app.assertAlive();
    assertSameAsJdkService(stack, CHAT, "unary", "{\"model\":\"after\"}");
    assertSameAsJdkService(stack, COMPLETIONS, "stream", "{\"model\":\"after\",\"stream\":true}");
  }

  @ParameterizedTest
  @MethodSource("stacks")
  void aThrowingHandlerFailsOnlyItsRequest(StackApp stack) throws IOException {
    StackApp.Running app = app(stack);
    for (String path : new String[]{CHAT, COMPLETIONS}) {
      try (RawHttp c = new RawHttp(app.port())) {
        c.write(post(path, "throw", "{\"model\":\"thrower\"}"));
        if (stack.failure() == StackApp.Failure.CLOSED) {
          assertTrue(c.closedByPeer(10_000), stack + " " + path + " closes the connection");
        } else {
          assertEquals(500, c.read(false).status(), stack + " " + path);
        }
      }
    }
    app.assertAlive();
    assertSameAsJdkService(stack, COMPLETIONS, "unary", "{\"model\":\"after\"}");
  }
}
