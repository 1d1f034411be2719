package dynamo.obs.it.apps;

import java.io.IOException;

/**
 * The answers of the OpenAI-shaped test services, whichever server they run on: deterministic
 * bodies, so every test knows the exact tokens.
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

  /** Where the events of a stream go, one whole event ({@code data: …\n\n}) per call. */
  public interface EventSink {
    void event(String event) throws IOException;
  }

  /** A stream of {@code tokens} content events, {@code gapMs} apart. */
  public static void stream(boolean chat, int tokens, long gapMs, boolean usage, EventSink out) throws IOException {
    if (chat) {
      out.event(data("{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":"
          + "{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}"));
    }
    for (int i = 0; i < tokens; i++) {
      if (gapMs > 0) {
        sleep(gapMs);
      }
      out.event(data(token(chat, "t" + i + " ", "")));
    }
    out.event(data(chat
        ? "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"
        : "{\"id\":\"c\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"\",\"finish_reason\":\"stop\"}]}"));
    if (usage) {
      out.event(data("{\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":" + tokens
          + ",\"total_tokens\":" + (11 + tokens) + ",\"prompt_tokens_details\":{\"cached_tokens\":6}}}"));
    }
    out.event("data: [DONE]\n\n");
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

  /** The system property that gives a test service a {@code /health} route of its own ({@link #APP_HEALTH}). */
  public static final String HEALTH_PROPERTY = "testapp.health";
  /** What a test service's own {@code GET /health} answers (200, application/json). */
  public static final String APP_HEALTH = "{\"status\":\"up\",\"from\":\"the application\"}";

  /** Whether this test service serves a {@code /health} of its own ({@code -Dtestapp.health=true}). */
  public static boolean servesHealth() {
    return Boolean.getBoolean(HEALTH_PROPERTY);
  }

  /** Whether a request body asks for a stream (what a scenario-less real client gets). */
  public static boolean asksForStream(byte[] body) {
    return new String(body, java.nio.charset.StandardCharsets.UTF_8).matches("(?s).*\"stream\"\\s*:\\s*true.*");
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
