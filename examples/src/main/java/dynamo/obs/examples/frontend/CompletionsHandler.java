package dynamo.obs.examples.frontend;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dynamo.obs.examples.http.ChunkedTextStream;
import dynamo.obs.examples.http.Responses;
import dynamo.obs.examples.json.Json;
import dynamo.obs.examples.protocol.GenerateCall;
import dynamo.obs.examples.protocol.StreamLine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * {@code POST /v1/chat/completions} and {@code POST /v1/completions}: validates the request, has the router
 * generate it, and answers as one JSON object or as a stream of server-sent events.
 */
final class CompletionsHandler implements HttpHandler {

  private final Endpoint endpoint;
  private final Set<String> models;
  private final RouterClient router;
  private final InflightLimit limit;

  CompletionsHandler(Endpoint endpoint, Set<String> models, RouterClient router, InflightLimit limit) {
    this.endpoint = endpoint;
    this.models = models;
    this.router = router;
    this.limit = limit;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!Responses.accepts(exchange, "POST")) {
        return;
      }
      String uuid = UUID.randomUUID().toString();
      boolean admitted = false;
      try {
        CompletionRequest request = CompletionRequest.parse(endpoint, Responses.readBody(exchange), models);
        limit.admit();
        admitted = true;
        GenerateCall call = new GenerateCall(request.model(), request.prompt(), request.maxTokens(),
            request.stream(), uuid);
        CompletionJson json = new CompletionJson(endpoint, endpoint.idPrefix + uuid,
            System.currentTimeMillis() / 1000, request.model(), request.includeUsage());
        try (Stream<StreamLine> lines = router.generate(call)) {
          if (request.stream()) {
            stream(exchange, json, lines.iterator());
          } else {
            answerWhole(exchange, json, lines.iterator());
          }
        }
      } catch (OpenAiError e) {
        e.send(exchange);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        OpenAiError.unavailable("The frontend is shutting down.").send(exchange);
      } finally {
        if (admitted) {
          limit.release();
        }
      }
    }
  }

  private static void answerWhole(HttpExchange exchange, CompletionJson json, Iterator<StreamLine> lines)
      throws IOException, OpenAiError {
    StringBuilder content = new StringBuilder();
    StreamLine.Finish finish = collect(lines, token -> content.append(token.text()));
    Responses.sendJson(exchange, 200, json.unary(content.toString(), finish));
  }

  /**
   * Relays the generation as SSE. Once the 200 and the first event are out, a failure can only be reported
   * in-band, so it becomes a final {@code data: {"error":...}} event before {@code [DONE]}.
   */
  private static void stream(HttpExchange exchange, CompletionJson json, Iterator<StreamLine> lines)
      throws IOException {
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    ChunkedTextStream out = ChunkedTextStream.open(exchange, 200, "text/event-stream");
    if (json.hasRoleChunk()) {
      sendEvent(out, json.roleChunk());
    }
    try {
      StreamLine.Finish finish = collect(lines, token -> sendEvent(out, json.tokenChunk(token.text())));
      sendEvent(out, json.finishChunk(finish.reason()));
      if (json.hasUsageChunk()) {
        sendEvent(out, json.usageChunk(finish));
      }
    } catch (OpenAiError e) {
      sendEvent(out, e.body());
    }
    out.send("data: [DONE]\n\n");
  }

  /** What to do with each token line. */
  @FunctionalInterface
  private interface TokenConsumer {
    void accept(StreamLine.Token token) throws IOException;
  }

  /**
   * Feeds every token to {@code onToken} and returns the finish line. A worker that reports a failed generation
   * is a 500 (the engine failed); a stream that breaks or ends early is a 503 (no worker could serve it).
   */
  private static StreamLine.Finish collect(Iterator<StreamLine> lines, TokenConsumer onToken)
      throws IOException, OpenAiError {
    try {
      while (lines.hasNext()) {
        StreamLine line = lines.next();
        if (line instanceof StreamLine.Token token) {
          onToken.accept(token);
        } else if (line instanceof StreamLine.Finish finish) {
          return finish;
        } else if (line instanceof StreamLine.Failure failure) {
          throw OpenAiError.internal("The worker failed: " + failure.message());
        }
      }
    } catch (UncheckedIOException | IllegalArgumentException e) {
      throw OpenAiError.unavailable("The generation stream broke: " + e.getMessage());
    }
    throw OpenAiError.unavailable("The generation stream ended without a finish reason.");
  }

  private static void sendEvent(ChunkedTextStream out, Object event) throws IOException {
    out.send("data: " + Json.write(event) + "\n\n");
  }
}
