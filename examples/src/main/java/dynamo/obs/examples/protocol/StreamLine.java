package dynamo.obs.examples.protocol;

import dynamo.obs.examples.json.Json;
import java.util.Map;

/**
 * One line of a worker's NDJSON answer to {@code POST /generate}, relayed as is by the router: a token, then
 * exactly one finish line, or an error line if generation failed part way.
 */
public sealed interface StreamLine {

  /** This line as one line of JSON, without the trailing newline. */
  String toJson();

  /** {@code {"token":"...","index":n}} */
  record Token(String text, int index) implements StreamLine {
    @Override
    public String toJson() {
      return Json.write(Json.object("token", text, "index", index));
    }
  }

  /** {@code {"finish_reason":"stop"|"length","usage":{"prompt_tokens":P,"completion_tokens":C}}} */
  record Finish(String reason, int promptTokens, int completionTokens) implements StreamLine {
    @Override
    public String toJson() {
      return Json.write(Json.object("finish_reason", reason,
          "usage", Json.object("prompt_tokens", promptTokens, "completion_tokens", completionTokens)));
    }
  }

  /** {@code {"error":"..."}} */
  record Failure(String message) implements StreamLine {
    @Override
    public String toJson() {
      return Json.write(Json.object("error", message));
    }
  }

  /** Parses one line; anything that is none of the three shapes fails with {@link IllegalArgumentException}. */
  static StreamLine parse(String line) {
    if (!(Json.parse(line) instanceof Map<?, ?> object)) {
      throw new IllegalArgumentException("stream line is not a JSON object: " + line);
    }
    if (object.get("token") instanceof String text && object.get("index") instanceof Long index) {
      return new Token(text, index.intValue());
    }
    if (object.get("finish_reason") instanceof String reason && object.get("usage") instanceof Map<?, ?> usage
        && usage.get("prompt_tokens") instanceof Long prompt
        && usage.get("completion_tokens") instanceof Long completion) {
      return new Finish(reason, prompt.intValue(), completion.intValue());
    }
    if (object.get("error") instanceof String message) {
      return new Failure(message);
    }
    throw new IllegalArgumentException("unrecognised stream line: " + line);
  }
}
