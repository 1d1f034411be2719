package dynamo.obs.examples.protocol;

import dynamo.obs.examples.json.Json;
import java.util.Map;

/**
 * The body of {@code POST /generate}, which the frontend sends to the router and the router forwards unchanged
 * to a worker: {@code {"model","prompt","max_tokens","stream","request_id"}}.
 *
 * @param maxTokens the cap on generated tokens, or {@code null} to let the engine decide
 */
public record GenerateCall(String model, String prompt, Integer maxTokens, boolean stream, String requestId) {

  /** Parses and checks a body; a malformed one fails with {@link IllegalArgumentException}. */
  public static GenerateCall parse(String body) {
    if (!(Json.parse(body) instanceof Map<?, ?> object)) {
      throw new IllegalArgumentException("body must be a JSON object");
    }
    String model = requiredString(object, "model");
    String prompt = requiredString(object, "prompt");
    Integer maxTokens = null;
    Object max = object.get("max_tokens");
    if (max instanceof Long n && n >= 1 && n <= Integer.MAX_VALUE) {
      maxTokens = n.intValue();
    } else if (max != null) {
      throw new IllegalArgumentException("max_tokens must be a positive integer");
    }
    Object stream = object.get("stream");
    if (stream != null && !(stream instanceof Boolean)) {
      throw new IllegalArgumentException("stream must be a boolean");
    }
    Object requestId = object.get("request_id");
    if (requestId != null && !(requestId instanceof String)) {
      throw new IllegalArgumentException("request_id must be a string");
    }
    return new GenerateCall(model, prompt, maxTokens, Boolean.TRUE.equals(stream), (String) requestId);
  }

  private static String requiredString(Map<?, ?> object, String field) {
    if (object.get(field) instanceof String value) {
      return value;
    }
    throw new IllegalArgumentException(field + " must be a string");
  }

  public String toJson() {
    return Json.write(Json.object("model", model, "prompt", prompt, "max_tokens", maxTokens, "stream", stream,
        "request_id", requestId));
  }
}
