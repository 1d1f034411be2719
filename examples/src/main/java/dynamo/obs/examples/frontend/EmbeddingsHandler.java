package dynamo.obs.examples.frontend;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dynamo.obs.examples.engine.SimulatedEngine;
import dynamo.obs.examples.http.Responses;
import dynamo.obs.examples.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * {@code POST /v1/embeddings}: OpenAI's embedding list for a string or an array of strings. The vectors are a
 * stand-in computed at the frontend (the same text always gives the same unit vector); the shapes, errors and
 * {@code usage} are OpenAI's.
 */
final class EmbeddingsHandler implements HttpHandler {

  static final String PATH = "/v1/embeddings";
  static final int DIMENSIONS = 8;

  private final Set<String> served;
  private final Set<String> embedding;

  /** @param embedding the served models that answer embeddings; the others get 404 here */
  EmbeddingsHandler(Set<String> served, Set<String> embedding) {
    this.served = served;
    this.embedding = embedding;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!Responses.accepts(exchange, "POST")) {
        return;
      }
      try {
        Responses.sendJson(exchange, 200, answer(Responses.readBody(exchange), served, embedding));
      } catch (OpenAiError e) {
        e.send(exchange);
      }
    }
  }

  /** The embedding list for a request body, or the error OpenAI would answer. */
  static Map<String, Object> answer(String body, Set<String> served, Set<String> embedding) throws OpenAiError {
    Map<?, ?> request = CompletionRequest.jsonObject(body);
    String model = CompletionRequest.servedModel(request, served);
    if (!embedding.contains(model)) {
      throw OpenAiError.notServedHere(model, "embeddings");
    }
    List<String> inputs = inputs(request.get("input"));
    List<Object> data = new ArrayList<>();
    int tokens = 0;
    for (int i = 0; i < inputs.size(); i++) {
      data.add(Json.object("object", "embedding", "index", i, "embedding", vector(inputs.get(i))));
      tokens += SimulatedEngine.promptTokens(inputs.get(i));
    }
    return Json.object("object", "list", "data", data, "model", model,
        "usage", Json.object("prompt_tokens", tokens, "total_tokens", tokens));
  }

  private static List<String> inputs(Object input) throws OpenAiError {
    if (input instanceof String text && !text.isEmpty()) {
      return List.of(text);
    }
    if (input instanceof List<?> list && !list.isEmpty()) {
      List<String> texts = new ArrayList<>();
      for (Object o : list) {
        if (!(o instanceof String text) || text.isEmpty()) {
          throw OpenAiError.invalid("'input' must be a non-empty string or an array of them.", "input");
        }
        texts.add(text);
      }
      return texts;
    }
    throw OpenAiError.invalid("'input' must be a non-empty string or an array of them.", "input");
  }

  /** A unit vector drawn from the text's hash. */
  static List<Double> vector(String text) {
    Random r = new Random(text.hashCode());
    double[] v = new double[DIMENSIONS];
    double norm = 0;
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextDouble() * 2 - 1;
      norm += v[i] * v[i];
    }
    List<Double> out = new ArrayList<>(v.length);
    for (double x : v) {
      out.add(x / Math.sqrt(norm));
    }
    return out;
  }
}
