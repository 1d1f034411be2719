package dynamo.obs.examples.frontend;

import dynamo.obs.examples.json.Json;
import dynamo.obs.examples.protocol.StreamLine;
import java.util.List;
import java.util.Map;

/**
 * The JSON objects of one completion response, in OpenAI's exact shapes: the unary {@code chat.completion} /
 * {@code text_completion}, and the streamed {@code chat.completion.chunk} / {@code text_completion} chunks.
 * Holds what every object of the response repeats (id, created, model).
 */
final class CompletionJson {

  private final Endpoint endpoint;
  private final String id;
  private final long created;
  private final String model;
  private final boolean includeUsage;

  /**
   * @param includeUsage the client asked for a usage chunk, so OpenAI also puts {@code "usage":null} on every
   *     other chunk
   */
  CompletionJson(Endpoint endpoint, String id, long created, String model, boolean includeUsage) {
    this.endpoint = endpoint;
    this.id = id;
    this.created = created;
    this.model = model;
    this.includeUsage = includeUsage;
  }

  Map<String, Object> unary(String content, StreamLine.Finish finish) {
    Map<String, Object> choice = endpoint == Endpoint.CHAT_COMPLETIONS
        ? Json.object("index", 0, "message", Json.object("role", "assistant", "content", content),
            "logprobs", null, "finish_reason", finish.reason())
        : Json.object("text", content, "index", 0, "logprobs", null, "finish_reason", finish.reason());
    Map<String, Object> response = header(endpoint.responseObject);
    response.put("choices", List.of(choice));
    response.put("usage", usage(finish));
    return response;
  }

  /** Chat streams open with a chunk announcing the assistant role; completions streams do not. */
  boolean hasRoleChunk() {
    return endpoint == Endpoint.CHAT_COMPLETIONS;
  }

  /** The chat stream's opening chunk. */
  Map<String, Object> roleChunk() {
    return chatChunk(Json.object("role", "assistant", "content", ""), null);
  }

  Map<String, Object> tokenChunk(String text) {
    return endpoint == Endpoint.CHAT_COMPLETIONS
        ? chatChunk(Json.object("content", text), null)
        : textChunk(text, null);
  }

  Map<String, Object> finishChunk(String finishReason) {
    return endpoint == Endpoint.CHAT_COMPLETIONS
        ? chatChunk(Json.object(), finishReason)
        : textChunk("", finishReason);
  }

  /** Whether the client asked for {@link #usageChunk} after the finish chunk. */
  boolean hasUsageChunk() {
    return includeUsage;
  }

  /** The chunk sent after the finish chunk when {@code include_usage} is set: no choices, only usage. */
  Map<String, Object> usageChunk(StreamLine.Finish finish) {
    Map<String, Object> chunk = header(endpoint.chunkObject);
    chunk.put("choices", List.of());
    chunk.put("usage", usage(finish));
    return chunk;
  }

  private Map<String, Object> chatChunk(Map<String, Object> delta, String finishReason) {
    return chunk(Json.object("index", 0, "delta", delta, "logprobs", null, "finish_reason", finishReason));
  }

  private Map<String, Object> textChunk(String text, String finishReason) {
    return chunk(Json.object("text", text, "index", 0, "logprobs", null, "finish_reason", finishReason));
  }

  private Map<String, Object> chunk(Map<String, Object> choice) {
    Map<String, Object> chunk = header(endpoint.chunkObject);
    chunk.put("choices", List.of(choice));
    if (includeUsage) {
      chunk.put("usage", null);
    }
    return chunk;
  }

  private Map<String, Object> header(String object) {
    return Json.object("id", id, "object", object, "created", created, "model", model);
  }

  private static Map<String, Object> usage(StreamLine.Finish finish) {
    return Json.object("prompt_tokens", finish.promptTokens(), "completion_tokens", finish.completionTokens(),
        "total_tokens", finish.promptTokens() + finish.completionTokens());
  }
}
