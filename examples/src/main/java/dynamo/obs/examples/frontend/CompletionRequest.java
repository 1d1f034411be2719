package dynamo.obs.examples.frontend;

import dynamo.obs.examples.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A validated OpenAI chat-completions or completions request, reduced to what the deployment needs.
 *
 * @param prompt for chat, the message contents joined by newlines
 * @param maxTokens {@code max_tokens} (or chat's {@code max_completion_tokens}), {@code null} when absent
 * @param includeUsage {@code stream_options.include_usage}: a streamed answer ends with a usage chunk
 */
record CompletionRequest(String model, String prompt, Integer maxTokens, boolean stream, boolean includeUsage) {

  /** Parses {@code body} for {@code endpoint}, refusing it as OpenAI would. */
  static CompletionRequest parse(Endpoint endpoint, String body, Set<String> servedModels) throws OpenAiError {
    Map<?, ?> request = jsonObject(body);
    String model = servedModel(request, servedModels);
    for (String deprecated : new String[]{"functions", "function_call"}) {
      if (endpoint == Endpoint.CHAT_COMPLETIONS && request.containsKey(deprecated)) {
        throw OpenAiError.notImplemented("`" + deprecated + "` is deprecated. Please migrate to use `"
            + (deprecated.equals("functions") ? "tools" : "tool_choice") + "` instead.", deprecated);
      }
    }
    String prompt = endpoint == Endpoint.CHAT_COMPLETIONS ? chatPrompt(request) : completionPrompt(request);
    Integer maxTokens = maxTokens(request, endpoint);
    boolean stream = flag(request, "stream", "stream");
    boolean includeUsage = false;
    Object options = request.get("stream_options");
    if (options != null) {
      if (!stream) {
        throw OpenAiError.invalid("The 'stream_options' parameter is only allowed when 'stream' is enabled.",
            "stream_options");
      }
      if (!(options instanceof Map<?, ?> streamOptions)) {
        throw OpenAiError.invalid("'stream_options' must be an object.", "stream_options");
      }
      includeUsage = flag(streamOptions, "include_usage", "stream_options.include_usage");
    }
    return new CompletionRequest(model, prompt, maxTokens, stream, includeUsage);
  }

  /** A request body's JSON object, or OpenAI's 400. */
  static Map<?, ?> jsonObject(String body) throws OpenAiError {
    Object root;
    try {
      root = Json.parse(body);
    } catch (Json.ParseException e) {
      throw OpenAiError.invalid("We could not parse the JSON body of your request: " + e.getMessage(), null);
    }
    if (!(root instanceof Map<?, ?> request)) {
      throw OpenAiError.invalid("The request body must be a JSON object.", null);
    }
    return request;
  }

  /** The request's model if the frontend serves it; else OpenAI's 400 (none named) or 404. */
  static String servedModel(Map<?, ?> request, Set<String> servedModels) throws OpenAiError {
    if (!(request.get("model") instanceof String model) || model.isEmpty()) {
      throw OpenAiError.invalid("you must provide a model parameter", "model");
    }
    if (!servedModels.contains(model)) {
      throw OpenAiError.unknownModel(model);
    }
    return model;
  }

  private static String chatPrompt(Map<?, ?> request) throws OpenAiError {
    if (!(request.get("messages") instanceof List<?> messages) || messages.isEmpty()) {
      throw OpenAiError.invalid("'messages' must be a non-empty array.", "messages");
    }
    List<String> contents = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      String param = "messages[" + i + "]";
      if (!(messages.get(i) instanceof Map<?, ?> message) || !(message.get("role") instanceof String)) {
        throw OpenAiError.invalid("Each message must be an object with a string 'role'.", param);
      }
      contents.add(messageText(message.get("content"), param + ".content"));
    }
    return String.join("\n", contents);
  }

  /**
   * Content is a string, an array of parts of which only text parts carry prompt text, or null (an assistant
   * message that only called tools).
   */
  private static String messageText(Object content, String param) throws OpenAiError {
    if (content == null) {
      return "";
    }
    if (content instanceof String text) {
      return text;
    }
    if (content instanceof List<?> parts) {
      StringBuilder text = new StringBuilder();
      for (Object part : parts) {
        if (!(part instanceof Map<?, ?> map) || !(map.get("type") instanceof String)) {
          throw OpenAiError.invalid("Each content part must be an object with a string 'type'.", param);
        }
        if (map.get("text") instanceof String partText) {
          text.append(partText);
        }
      }
      return text.toString();
    }
    throw OpenAiError.invalid("'content' must be a string or an array of content parts.", param);
  }

  private static String completionPrompt(Map<?, ?> request) throws OpenAiError {
    if (!(request.get("prompt") instanceof String prompt) || prompt.isEmpty()) {
      throw OpenAiError.invalid("'prompt' must be a non-empty string.", "prompt");
    }
    return prompt;
  }

  private static Integer maxTokens(Map<?, ?> request, Endpoint endpoint) throws OpenAiError {
    // Chat's newer name wins over the deprecated one, as in OpenAI's API.
    String field = endpoint == Endpoint.CHAT_COMPLETIONS && request.get("max_completion_tokens") != null
        ? "max_completion_tokens"
        : "max_tokens";
    Object value = request.get(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Long n) || n < 1 || n > Integer.MAX_VALUE) {
      throw OpenAiError.invalid("'" + field + "' must be an integer of at least 1, got " + Json.write(value)
          + ".", field);
    }
    return n.intValue();
  }

  private static boolean flag(Map<?, ?> object, String field, String param) throws OpenAiError {
    Object value = object.get(field);
    if (value != null && !(value instanceof Boolean)) {
      throw OpenAiError.invalid("'" + param + "' must be a boolean.", param);
    }
    return Boolean.TRUE.equals(value);
  }
}
