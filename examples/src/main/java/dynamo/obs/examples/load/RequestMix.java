package dynamo.obs.examples.load;

import dynamo.obs.examples.json.Json;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Draws the load driver's requests: chat or completions, streamed or not, with or without a usage chunk, and
 * now and then an invalid one, in the proportions given on the command line.
 */
final class RequestMix {

  /** The label invalid requests with a broken body are counted under, having no model. */
  static final String MALFORMED = "(malformed)";

  /** A model no frontend serves, for the not-found share of the invalid requests. */
  static final String UNKNOWN_MODEL = "no-such-model";

  /** A few shared openings, so prefix routing has recurring prefixes to stick to. */
  private static final String[] SYSTEM_PROMPTS = {
      "You are a concise assistant for a cloud operations team.",
      "You are a friendly tutor who explains things step by step.",
      "You answer questions about distributed inference serving.",
  };

  private static final String[] QUESTIONS = {
      "How do I read a latency histogram?",
      "What does time to first token measure and why does it matter for chat?",
      "Summarise the trade-offs of batching requests on a GPU.",
      "Why would a router prefer the worker that already holds a prompt prefix?",
      "Give three tips for keeping tail latency low.",
  };

  /** One request to send; {@code model} is what the summary counts it under. */
  record Planned(String path, String body, String model, boolean stream) {
  }

  private final List<String> models;
  private final double streamFraction;
  private final double invalidFraction;
  private final double completionsFraction;
  private final double includeUsageFraction;
  private final int maxTokens;

  RequestMix(List<String> models, double streamFraction, double invalidFraction, double completionsFraction,
      double includeUsageFraction, int maxTokens) {
    this.models = models;
    this.streamFraction = streamFraction;
    this.invalidFraction = invalidFraction;
    this.completionsFraction = completionsFraction;
    this.includeUsageFraction = includeUsageFraction;
    this.maxTokens = maxTokens;
  }

  Planned next(Random random) {
    boolean chat = random.nextDouble() >= completionsFraction;
    String path = chat ? "/v1/chat/completions" : "/v1/completions";
    boolean invalid = random.nextDouble() < invalidFraction;
    if (invalid && random.nextBoolean()) {
      return new Planned(path, "{\"model\": \"" + models.get(0) + "\", \"messages\": [", MALFORMED, false);
    }
    String model = invalid ? UNKNOWN_MODEL : models.get(random.nextInt(models.size()));
    boolean stream = random.nextDouble() < streamFraction;
    String system = SYSTEM_PROMPTS[random.nextInt(SYSTEM_PROMPTS.length)];
    String question = QUESTIONS[random.nextInt(QUESTIONS.length)];
    Map<String, Object> body = Json.object("model", model);
    if (chat) {
      body.put("messages", List.of(
          Json.object("role", "system", "content", system),
          Json.object("role", "user", "content", question)));
    } else {
      body.put("prompt", system + "\n" + question);
    }
    body.put("max_tokens", maxTokens);
    body.put("stream", stream);
    if (stream && random.nextDouble() < includeUsageFraction) {
      body.put("stream_options", Json.object("include_usage", true));
    }
    return new Planned(path, Json.write(body), model, stream);
  }
}
