package dynamo.obs.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.examples.engine.GenerateRequest;
import dynamo.obs.examples.engine.SimulatedEngine;
import dynamo.obs.examples.frontend.FrontendServer;
import dynamo.obs.examples.http.PooledHttpServer;
import dynamo.obs.examples.json.Json;
import dynamo.obs.examples.router.RouterServer;
import dynamo.obs.examples.worker.WorkerServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The three servers together, driven over HTTP as an OpenAI client would. */
class DeploymentTest {

  private static final String CHAT = "/v1/chat/completions";
  private static final String COMPLETIONS = "/v1/completions";
  private static final String MESSAGES = "[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Why is the sky blue?\"}]";
  /** What the frontend makes of {@link #MESSAGES}: the contents joined by newlines. */
  private static final int MESSAGES_PROMPT_TOKENS = SimulatedEngine.promptTokens("Be brief.\nWhy is the sky blue?");

  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static Deployment deployment;

  @BeforeAll
  static void start() throws IOException {
    deployment = new Deployment();
  }

  @AfterAll
  static void stop() {
    deployment.close();
  }

  @Test
  void listsTheServedModels() throws Exception {
    HttpResponse<String> response = get(deployment.frontendUrl() + "/v1/models");
    assertEquals(200, response.statusCode());
    Map<?, ?> list = (Map<?, ?>) Json.parse(response.body());
    assertEquals("list", list.get("object"));
    List<?> data = (List<?>) list.get("data");
    assertEquals(2, data.size());
    Map<?, ?> first = (Map<?, ?>) data.get(0);
    assertEquals("model-a", first.get("id"));
    assertEquals("model", first.get("object"));
    assertEquals("dynamo-obs-examples", first.get("owned_by"));
    assertTrue((Long) first.get("created") > 1_600_000_000L);
    assertEquals("Org/Model-B", ((Map<?, ?>) data.get(1)).get("id"));
  }

  @Test
  void answersAUnaryChatCompletionInOpenAiShape() throws Exception {
    HttpResponse<String> response = post(CHAT, "{\"model\":\"model-a\",\"messages\":" + MESSAGES + "}");
    assertEquals(200, response.statusCode());
    assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
    Map<?, ?> body = (Map<?, ?>) Json.parse(response.body());
    assertEquals(List.of("id", "object", "created", "model", "choices", "usage"), List.copyOf(body.keySet()));
    assertTrue(((String) body.get("id")).startsWith("chatcmpl-"));
    assertEquals("chat.completion", body.get("object"));
    assertEquals("model-a", body.get("model"));
    Map<?, ?> choice = (Map<?, ?>) ((List<?>) body.get("choices")).get(0);
    assertEquals(0L, choice.get("index"));
    assertEquals("stop", choice.get("finish_reason"));
    Map<?, ?> message = (Map<?, ?>) choice.get("message");
    assertEquals("assistant", message.get("role"));
    String content = (String) message.get("content");
    assertEquals(Deployment.OUTPUT_TOKENS, content.split(" ").length);
    assertEquals(usage(MESSAGES_PROMPT_TOKENS, Deployment.OUTPUT_TOKENS), body.get("usage"));
  }

  @Test
  void answersAUnaryCompletionCutByMaxTokens() throws Exception {
    HttpResponse<String> response = post(COMPLETIONS,
        "{\"model\":\"Org/Model-B\",\"prompt\":\"Once upon a time\",\"max_tokens\":3,\"stream\":false}");
    assertEquals(200, response.statusCode());
    Map<?, ?> body = (Map<?, ?>) Json.parse(response.body());
    assertTrue(((String) body.get("id")).startsWith("cmpl-"));
    assertEquals("text_completion", body.get("object"));
    assertEquals("Org/Model-B", body.get("model"));
    Map<?, ?> choice = (Map<?, ?>) ((List<?>) body.get("choices")).get(0);
    assertEquals(3, ((String) choice.get("text")).split(" ").length);
    assertEquals("length", choice.get("finish_reason"));
    assertEquals(usage(SimulatedEngine.promptTokens("Once upon a time"), 3), body.get("usage"));
  }

  @Test
  void streamsAChatCompletionAsOpenAiChunksWithUsage() throws Exception {
    HttpResponse<String> response = post(CHAT, "{\"model\":\"model-a\",\"messages\":" + MESSAGES
        + ",\"max_tokens\":5,\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
    assertEquals(200, response.statusCode());
    assertEquals("text/event-stream", response.headers().firstValue("Content-Type").orElseThrow());
    List<String> events = sseData(response.body());
    // role chunk, 5 content chunks, finish chunk, usage chunk, [DONE]
    assertEquals(9, events.size(), events::toString);
    assertEquals("[DONE]", events.get(8));
    List<Map<?, ?>> chunks = new ArrayList<>();
    for (String event : events.subList(0, 8)) {
      chunks.add((Map<?, ?>) Json.parse(event));
    }
    String id = (String) chunks.get(0).get("id");
    assertTrue(id.startsWith("chatcmpl-"));
    for (Map<?, ?> chunk : chunks) {
      assertEquals(id, chunk.get("id"));
      assertEquals("chat.completion.chunk", chunk.get("object"));
      assertEquals("model-a", chunk.get("model"));
      assertTrue(chunk.containsKey("usage"), "include_usage puts usage on every chunk");
    }
    assertEquals(Map.of("role", "assistant", "content", ""), choice(chunks.get(0)).get("delta"));
    StringBuilder content = new StringBuilder();
    for (Map<?, ?> chunk : chunks.subList(1, 6)) {
      Map<?, ?> choice = choice(chunk);
      assertNull(choice.get("finish_reason"));
      assertNull(chunk.get("usage"));
      content.append(((Map<?, ?>) choice.get("delta")).get("content"));
    }
    assertEquals(5, content.toString().split(" ").length);
    Map<?, ?> finish = choice(chunks.get(6));
    assertEquals(Map.of(), finish.get("delta"));
    assertEquals("length", finish.get("finish_reason"));
    Map<?, ?> usageChunk = chunks.get(7);
    assertEquals(List.of(), usageChunk.get("choices"));
    assertEquals(usage(MESSAGES_PROMPT_TOKENS, 5), usageChunk.get("usage"));
  }

  @Test
  void streamsACompletionWithoutUsageUnlessAsked() throws Exception {
    HttpResponse<String> response = post(COMPLETIONS,
        "{\"model\":\"model-a\",\"prompt\":\"Hello there\",\"stream\":true}");
    assertEquals(200, response.statusCode());
    List<String> events = sseData(response.body());
    // no role chunk: OUTPUT_TOKENS text chunks, finish chunk, [DONE]
    assertEquals(Deployment.OUTPUT_TOKENS + 2, events.size(), events::toString);
    assertEquals("[DONE]", events.get(events.size() - 1));
    for (String event : events.subList(0, events.size() - 1)) {
      Map<?, ?> chunk = (Map<?, ?>) Json.parse(event);
      assertEquals("text_completion", chunk.get("object"));
      assertFalse(chunk.containsKey("usage"));
    }
    Map<?, ?> finish = choice((Map<?, ?>) Json.parse(events.get(events.size() - 2)));
    assertEquals("", finish.get("text"));
    assertEquals("stop", finish.get("finish_reason"));
  }

  @Test
  void streamedAndUnaryAnswersCarryTheSameText() throws Exception {
    String request = "{\"model\":\"model-a\",\"prompt\":\"Same prompt\"";
    Map<?, ?> unary = (Map<?, ?>) Json.parse(post(COMPLETIONS, request + "}").body());
    StringBuilder streamed = new StringBuilder();
    for (String event : sseData(post(COMPLETIONS, request + ",\"stream\":true}").body())) {
      if (!event.equals("[DONE]")) {
        streamed.append(choice((Map<?, ?>) Json.parse(event)).get("text"));
      }
    }
    assertEquals(choice(unary).get("text"), streamed.toString());
  }

  @Test
  void refusesMalformedJsonWith400() throws Exception {
    HttpResponse<String> response = post(CHAT, "{\"model\":\"model-a\",\"messages\":[");
    assertEquals(400, response.statusCode());
    Map<?, ?> error = error(response);
    assertEquals("invalid_request_error", error.get("type"));
    assertTrue(error.containsKey("param") && error.get("param") == null);
    assertTrue(error.containsKey("code") && error.get("code") == null);
    assertTrue(((String) error.get("message")).contains("JSON"));
  }

  @Test
  void refusesAnUnknownModelWith404() throws Exception {
    HttpResponse<String> response = post(CHAT, "{\"model\":\"gpt-nope\",\"messages\":" + MESSAGES + "}");
    assertEquals(404, response.statusCode());
    Map<?, ?> error = error(response);
    assertEquals("not_found_error", error.get("type"));
    assertEquals("model_not_found", error.get("code"));
    assertTrue(((String) error.get("message")).contains("gpt-nope"));
  }

  @Test
  void refusesInvalidFieldsWith400NamingTheField() throws Exception {
    assertInvalid(CHAT, "{\"model\":\"model-a\",\"messages\":[]}", "messages");
    assertInvalid(CHAT, "{\"model\":\"model-a\"}", "messages");
    assertInvalid(COMPLETIONS, "{\"model\":\"model-a\",\"prompt\":\"\"}", "prompt");
    assertInvalid(COMPLETIONS, "{\"model\":\"model-a\"}", "prompt");
    assertInvalid(CHAT, "{\"model\":\"model-a\",\"messages\":" + MESSAGES + ",\"max_tokens\":0}", "max_tokens");
    assertInvalid(COMPLETIONS, "{\"model\":\"model-a\",\"prompt\":\"x\",\"max_tokens\":1.5}", "max_tokens");
    assertInvalid(CHAT, "{\"model\":\"model-a\",\"messages\":" + MESSAGES + ",\"stream\":\"yes\"}", "stream");
    assertInvalid(CHAT, "{\"model\":\"model-a\",\"messages\":" + MESSAGES
        + ",\"stream_options\":{\"include_usage\":true}}", "stream_options");
    assertInvalid(CHAT, "{\"messages\":" + MESSAGES + "}", "model");
  }

  @Test
  void answersWrongMethodsAndPathsWith405And404() throws Exception {
    assertEquals(405, get(deployment.frontendUrl() + CHAT).statusCode());
    assertEquals(404, get(deployment.frontendUrl() + "/v1/models/model-a").statusCode());
  }

  @Test
  void workerAndRouterAnswerHealthChecks() throws Exception {
    for (PooledHttpServer server : List.of(deployment.worker, deployment.router)) {
      HttpResponse<String> response = get("http://127.0.0.1:" + server.port() + "/healthz");
      assertEquals(200, response.statusCode());
      assertEquals("ok", response.body());
    }
  }

  @Test
  void workerStreamsNdjsonAndRefusesModelsItDoesNotServe() throws Exception {
    String url = "http://127.0.0.1:" + deployment.worker.port() + "/generate";
    HttpResponse<String> response = post(URI.create(url),
        "{\"model\":\"model-a\",\"prompt\":\"one two\",\"max_tokens\":2,\"stream\":true,\"request_id\":\"r1\"}");
    assertEquals(200, response.statusCode());
    assertEquals("application/x-ndjson", response.headers().firstValue("Content-Type").orElseThrow());
    assertEquals("test-worker", response.headers().firstValue("X-Worker-Id").orElseThrow());
    List<String> lines = response.body().lines().toList();
    assertEquals(3, lines.size());
    Iterator<String> expected = new SimulatedEngine(Duration.ZERO, Duration.ZERO, Deployment.OUTPUT_TOKENS,
        Duration.ZERO).generateIterator(new GenerateRequest("model-a", "one two", 2, true, "r1"));
    assertEquals(Json.object("token", expected.next(), "index", 0L), Json.parse(lines.get(0)));
    assertEquals(Json.object("token", expected.next(), "index", 1L), Json.parse(lines.get(1)));
    assertEquals(Json.object("finish_reason", "length",
        "usage", Json.object("prompt_tokens", 3L, "completion_tokens", 2L)), Json.parse(lines.get(2)));

    HttpResponse<String> unknown = post(URI.create(url), "{\"model\":\"other\",\"prompt\":\"x\"}");
    assertEquals(404, unknown.statusCode());
    assertTrue(((String) error(unknown).get("message")).contains("other"));
  }

  @Test
  void unreachableRouterOrWorkerGives503() throws Exception {
    int deadPort = freePort();
    try (PooledHttpServer lonelyFrontend = FrontendServer.start("--port=0",
        "--router=http://127.0.0.1:" + deadPort, "--models=model-a");
        PooledHttpServer lonelyRouter = RouterServer.start("--port=0",
            "--workers=http://127.0.0.1:" + deadPort)) {
      HttpResponse<String> fromFrontend = post(URI.create("http://127.0.0.1:" + lonelyFrontend.port() + CHAT),
          "{\"model\":\"model-a\",\"messages\":" + MESSAGES + ",\"stream\":true}");
      assertEquals(503, fromFrontend.statusCode());
      assertEquals("application/json", fromFrontend.headers().firstValue("Content-Type").orElseThrow());
      assertTrue(((String) error(fromFrontend).get("message")).contains("router"));

      HttpResponse<String> fromRouter = post(URI.create("http://127.0.0.1:" + lonelyRouter.port() + "/generate"),
          "{\"model\":\"model-a\",\"prompt\":\"x\"}");
      assertEquals(503, fromRouter.statusCode());
      assertTrue(((String) error(fromRouter).get("message")).contains("worker-1"));
    }
  }

  @Test
  void answersEmbeddingsInOpenAiShape() throws Exception {
    HttpResponse<String> response = post("/v1/embeddings",
        "{\"model\":\"model-a\",\"input\":[\"Why is the sky blue?\",\"Be brief.\"]}");
    assertEquals(200, response.statusCode(), response.body());
    Map<?, ?> body = (Map<?, ?>) Json.parse(response.body());
    assertEquals("list", body.get("object"));
    assertEquals("model-a", body.get("model"));
    List<?> data = (List<?>) body.get("data");
    assertEquals(2, data.size());
    List<?> vector = (List<?>) ((Map<?, ?>) data.get(1)).get("embedding");
    assertEquals(8, vector.size());
    double norm = 0;
    for (Object x : vector) {
      norm += ((Number) x).doubleValue() * ((Number) x).doubleValue();
    }
    assertEquals(1.0, norm, 1e-9, "a unit vector");
    long tokens = SimulatedEngine.promptTokens("Why is the sky blue?") + SimulatedEngine.promptTokens("Be brief.");
    assertEquals(Json.object("prompt_tokens", tokens, "total_tokens", tokens), body.get("usage"));
    assertEquals(404, post("/v1/embeddings", "{\"model\":\"other\",\"input\":\"x\"}").statusCode());
    assertInvalid("/v1/embeddings", "{\"model\":\"model-a\",\"input\":[]}", "input");
  }

  @Test
  void answers501ForDeprecatedFunctionsAsDynamoDoes() throws Exception {
    HttpResponse<String> response = post(CHAT, "{\"model\":\"model-a\",\"messages\":" + MESSAGES
        + ",\"functions\":[{\"name\":\"f\",\"parameters\":{}}]}");
    assertEquals(501, response.statusCode());
    assertEquals("functions", error(response).get("param"));
  }

  /**
   * A worker that fails one generation in {@code --fail-every}: a unary answer is then 500; a model served for
   * generation only ({@code --embedding-models}) gets 404 on embeddings.
   */
  @Test
  void failedGenerationsAre500AndEmbeddingsOnlyForTheirModels() throws Exception {
    try (PooledHttpServer worker = WorkerServer.start("--port=0", "--models=model-a", "--ttft-ms=0",
        "--itl-ms=0", "--fail-every=2");
        PooledHttpServer router = RouterServer.start("--port=0", "--workers=http://127.0.0.1:" + worker.port());
        PooledHttpServer frontend = FrontendServer.start("--port=0",
            "--router=http://127.0.0.1:" + router.port(), "--models=model-a,model-b",
            "--embedding-models=model-b")) {
      URI chat = URI.create("http://127.0.0.1:" + frontend.port() + CHAT);
      String served = "p0";
      String failing = "p0";
      for (int i = 0; SimulatedEngine.fails(served, 2) || !SimulatedEngine.fails(failing, 2); i++) {
        served = SimulatedEngine.fails(served, 2) ? "p" + i : served;
        failing = SimulatedEngine.fails(failing, 2) ? failing : "p" + i;
      }
      assertEquals(200, post(chat, userMessage(served)).statusCode());
      HttpResponse<String> failed = post(chat, userMessage(failing));
      assertEquals(500, failed.statusCode());
      assertTrue(((String) error(failed).get("message")).contains("simulated engine failed"), failed.body());
      URI embeddings = URI.create("http://127.0.0.1:" + frontend.port() + "/v1/embeddings");
      HttpResponse<String> notHere = post(embeddings, "{\"model\":\"model-a\",\"input\":\"x\"}");
      assertEquals(404, notHere.statusCode());
      assertTrue(((String) error(notHere).get("message")).contains("does not serve embeddings"));
      assertEquals(200, post(embeddings, "{\"model\":\"model-b\",\"input\":\"x\"}").statusCode());
    }
  }

  private static String userMessage(String text) {
    return "{\"model\":\"model-a\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
  }

  /** With {@code --max-inflight=1}, a generation asked for while another streams is refused with 529. */
  @Test
  void refusesWorkBeyondItsInflightLimitWith529() throws Exception {
    try (PooledHttpServer worker = WorkerServer.start("--port=0", "--models=model-a", "--ttft-ms=0",
        "--itl-ms=50", "--output-tokens=40");
        PooledHttpServer router = RouterServer.start("--port=0", "--workers=http://127.0.0.1:" + worker.port());
        PooledHttpServer frontend = FrontendServer.start("--port=0",
            "--router=http://127.0.0.1:" + router.port(), "--models=model-a", "--max-inflight=1")) {
      URI chat = URI.create("http://127.0.0.1:" + frontend.port() + CHAT);
      String body = "{\"model\":\"model-a\",\"messages\":" + MESSAGES + ",\"stream\":true}";
      HttpResponse<java.io.InputStream> streaming = CLIENT.send(HttpRequest.newBuilder(chat)
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      try (java.io.InputStream events = streaming.body()) {
        assertEquals(200, streaming.statusCode(), "the first generation is streaming");
        HttpResponse<String> refused = post(chat, body);
        assertEquals(529, refused.statusCode());
        assertEquals("overloaded_error", error(refused).get("type"));
        events.readAllBytes();
      }
      assertEquals(200, post(chat, body).statusCode(), "its place is free again");
    }
  }

  private static void assertInvalid(String path, String body, String param) throws Exception {
    HttpResponse<String> response = post(path, body);
    assertEquals(400, response.statusCode(), body);
    Map<?, ?> error = error(response);
    assertEquals("invalid_request_error", error.get("type"), body);
    assertEquals(param, error.get("param"), body);
  }

  /** The data fields of an SSE body, checking every event is a lone {@code data:} line. */
  private static List<String> sseData(String body) {
    assertTrue(body.endsWith("\n\n"), "the last event is terminated");
    List<String> data = new ArrayList<>();
    for (String event : body.split("\n\n")) {
      assertTrue(event.startsWith("data: ") && !event.contains("\n"), event);
      data.add(event.substring("data: ".length()));
    }
    return data;
  }

  private static Map<?, ?> choice(Map<?, ?> response) {
    return (Map<?, ?>) ((List<?>) response.get("choices")).get(0);
  }

  private static Map<?, ?> error(HttpResponse<String> response) {
    return (Map<?, ?>) ((Map<?, ?>) Json.parse(response.body())).get("error");
  }

  private static Map<String, Object> usage(long prompt, long completion) {
    return Json.object("prompt_tokens", prompt, "completion_tokens", completion, "total_tokens", prompt + completion);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return post(URI.create(deployment.frontendUrl() + path), body);
  }

  private static HttpResponse<String> post(URI uri, String body) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
