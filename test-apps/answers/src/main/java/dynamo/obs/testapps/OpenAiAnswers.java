package dynamo.obs.testapps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The texts of the OpenAI-shaped test services, whichever server they run on, byte for byte those of the
 * agent tests' JDK and servlet services ({@code integration-tests/.../apps/OpenAiAnswers}): deterministic bodies,
 * so every test knows the exact tokens.
 * <ul>
 *   <li>a stream: (chat: a role chunk,) one content chunk per token, a finish chunk, with usage a
 *       usage chunk (prompt 11, completion = tokens, cached 6), and {@code [DONE]};
 *   <li>a unary answer with usage (prompt 9, completion 3);
 *   <li>an error JSON naming the scenario.
 * </ul>
 */
public final class OpenAiAnswers {
  private OpenAiAnswers() {
  }

  /** Where the events of a stream go, one whole event ({@code data: …\n\n}) per call, after a pause. */
  public interface EventSink {
    void event(long delayMs, String event) throws IOException;
  }

  /** A stream of {@code tokens} content events, {@code gapMs} apart. */
  public static void stream(boolean chat, int tokens, long gapMs, boolean usage, EventSink out) throws IOException {
    if (chat) {
      out.event(0, data("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":"
          + "{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}"));
    }
    for (int i = 0; i < tokens; i++) {
      out.event(gapMs, data(token(chat, "t" + i + " ", "")));
    }
    out.event(0, data(chat
        ? "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"
        : "{\"id\":\"c\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"\",\"finish_reason\":\"stop\"}]}"));
    if (usage) {
      out.event(0, data("{\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":" + tokens
          + ",\"total_tokens\":" + (11 + tokens) + ",\"prompt_tokens_details\":{\"cached_tokens\":6}}}"));
    }
    out.event(0, "data: [DONE]\n\n");
  }

  /** One content chunk; {@code extra} is appended inside the JSON object (e.g. a running usage). */
  public static String token(boolean chat, String text, String extra) {
    return chat
        ? "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
            + text
            + "\"},\"finish_reason\":null}]" + extra + "}"
        : "{\"id\":\"c\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"" + text
            + "\",\"finish_reason\":null}]" + extra + "}";
  }

  public static String data(String json) {
    return "data: " + json + "\n\n";
  }

  public static String unary(boolean chat) {
    return chat
        ? "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
            + "\"message\":{\"role\":\"assistant\",\"content\":\"one two three\"},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12}}"
        : "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
            + "\"text\":\"one two three\",\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12}}";
  }

  public static String error(String scenario) {
    return "{\"error\":{\"message\":\"" + scenario + "\"}}";
  }

  /** The model list of {@code GET /v1/models} (not an inference route: it counts as no request). */
  public static String models() {
    return "{\"object\":\"list\",\"data\":[{\"id\":\"m\",\"object\":\"model\",\"created\":1,\"owned_by\":\"test\"}]}";
  }

  /** Whether a request body asks for a stream (what a scenario-less real client gets). */
  public static boolean asksForStream(byte[] body) {
    return new String(body, StandardCharsets.UTF_8).matches("(?s).*\"stream\"\\s*:\\s*true.*");
  }
}
