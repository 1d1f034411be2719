package dynamo.obs.benchmarks.stacks;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What every stack app of the CPU and start-up benchmarks answers to {@code POST /v1/chat/completions}: an
 * OpenAI chat completion from an engine with no delay, so the server's own work (and an agent's) is all the
 * process does. Streamed ({@code "stream":true}) it is one SSE event with the role, one per token, one with
 * the finish reason, one with {@code usage} when {@code stream_options.include_usage} is asked, and
 * {@code [DONE]}; each stack writes and flushes the events one by one, as a server streaming from a real
 * engine does. Unary, it is one JSON object with {@code usage}. The tokens are {@code max_tokens} (default 8,
 * at most 4096) copies of one word.
 *
 * <p>The request body is read with a few patterns, not a JSON parser: the apps stay free of libraries, and
 * the work is the same on every stack.
 */
final class ChatAnswer {
  static final String PATH = "/v1/chat/completions";
  static final String SSE_TYPE = "text/event-stream";
  static final String JSON_TYPE = "application/json";
  private static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"([^\"\\\\]{1,200})\"");
  private static final Pattern MAX_TOKENS = Pattern.compile("\"max_(?:completion_)?tokens\"\\s*:\\s*(\\d{1,4})\\b");
  private static final Pattern STREAM = Pattern.compile("\"stream\"\\s*:\\s*true");
  private static final Pattern INCLUDE_USAGE = Pattern.compile("\"include_usage\"\\s*:\\s*true");
  private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
  private static final AtomicLong IDS = new AtomicLong();

  final boolean streamed;
  /** the streamed events, each a complete {@code data: ...\n\n}; empty when unary */
  final List<byte[]> events;
  /** the unary answer; null when streamed */
  final byte[] body;

  private ChatAnswer(boolean streamed, List<byte[]> events, byte[] body) {
    this.streamed = streamed;
    this.events = events;
    this.body = body;
  }

  static ChatAnswer to(byte[] request) {
    String text = new String(request, StandardCharsets.UTF_8);
    Matcher m = MODEL.matcher(text);
    String model = m.find() ? m.group(1) : "bench";
    m = MAX_TOKENS.matcher(text);
    int tokens = m.find() ? Math.min(4096, Integer.parseInt(m.group(1))) : 8;
    int promptTokens = Math.max(1, text.length() / 4);
    String id = "chatcmpl-" + IDS.incrementAndGet();
    long created = System.currentTimeMillis() / 1000;
    String usage = "{\"prompt_tokens\":" + promptTokens + ",\"completion_tokens\":" + tokens + ",\"total_tokens\":"
        + (promptTokens + tokens) + "}";
    if (!STREAM.matcher(text).find()) {
      String content = " hello".repeat(tokens);
      String json = "{\"id\":\"" + id + "\",\"object\":\"chat.completion\",\"created\":" + created + ",\"model\":\""
          + model + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + content
          + "\"},\"finish_reason\":\"stop\"}],\"usage\":" + usage + "}";
      return new ChatAnswer(false, List.of(), json.getBytes(StandardCharsets.UTF_8));
    }
    String head = "data: {\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":" + created
        + ",\"model\":\"" + model + "\",\"choices\":[";
    List<byte[]> events = new ArrayList<>(tokens + 4);
    events.add(
        event(head + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}"));
    for (int i = 0; i < tokens; i++) {
      events.add(event(head + "{\"index\":0,\"delta\":{\"content\":\" hello\"},\"finish_reason\":null}]}"));
    }
    events.add(event(head + "{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"));
    if (INCLUDE_USAGE.matcher(text).find()) {
      events.add(event(head + "],\"usage\":" + usage + "}"));
    }
    events.add(DONE);
    return new ChatAnswer(true, events, null);
  }

  private static byte[] event(String data) {
    return (data + "\n\n").getBytes(StandardCharsets.UTF_8);
  }

  static int port(String[] args) {
    return args.length > 0 ? Integer.parseInt(args[0]) : 8000;
  }
}
