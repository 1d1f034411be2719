package dynamo.obs.testapps;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What an OpenAI-shaped test service answers to one request, decided the same way on every stack, so that the
 * tests can compare stacks byte for byte. Each application maps it onto its framework's own idiom (a JSON
 * response, a stream of writes, or a handler that throws).
 *
 * <p>The {@code x-scenario} request header picks the answer; without it, a body asking for {@code "stream":true}
 * gets {@code stream}, any other (malformed, truncated or empty included) {@code unary}:
 * <ul>
 *   <li>{@code stream}: (chat: a role chunk,) 4 content chunks, a finish chunk, a usage chunk (prompt 11,
 *       completion 4, cached 6) and {@code [DONE]}; {@code stream-nousage}: the same without the usage chunk;
 *   <li>{@code slow}: 200 content chunks 20 ms apart (for clients that go away);
 *   <li>{@code multi}: events carrying several tokens (running usage 1, 5, 7), two events in one write and one
 *       event split over two writes;
 *   <li>{@code unary}: one JSON answer with usage (prompt 9, completion 3);
 *   <li>{@code status-NNN}: an error JSON with that status;
 *   <li>{@code echo-length}: the length of the body read ({@code {"length":N}});
 *   <li>{@code throw}: the handler throws before answering.
 * </ul>
 */
public final class Answer {
  public static final String CHAT_PATH = "/v1/chat/completions";
  public static final String COMPLETIONS_PATH = "/v1/completions";
  public static final String MODELS_PATH = "/v1/models";
  /** A health route of the application's own, served with {@code -Dtestapp.health=true} ({@link #health()}). */
  public static final String HEALTH_PATH = "/health";
  /** The system property that gives an application its own {@link #HEALTH_PATH}. */
  public static final String HEALTH_PROPERTY = "testapp.health";
  public static final String SCENARIO_HEADER = "x-scenario";
  public static final String JSON = "application/json";
  public static final String EVENT_STREAM = "text/event-stream";

  public enum Kind {
    /** One JSON body with a status. */
    JSON,
    /** 200 with {@code text/event-stream}: {@link #writes()} in order, each after its delay. */
    EVENTS,
    /** The handler throws {@link #failure()}. */
    FAIL
  }

  /** One write of a streamed answer: after {@code delayMs}, {@code text} (usually one whole event). */
  public record Write(long delayMs, String text) {
    public byte[] bytes() {
      return text.getBytes(StandardCharsets.UTF_8);
    }
  }

  /** One server-sent event, for frameworks that frame the events themselves: its {@code data} after a pause. */
  public record Event(long delayMs, String data) {
  }

  private final Kind kind;
  private final int status;
  private final String body;
  private final List<Write> writes;

  private Answer(Kind kind, int status, String body, List<Write> writes) {
    this.kind = kind;
    this.status = status;
    this.body = body;
    this.writes = writes;
  }

  /** The answer of {@code /v1/chat/completions} ({@code chat}) or {@code /v1/completions} to one request. */
  public static Answer to(boolean chat, String scenarioHeader, byte[] body) {
    String scenario = scenarioHeader != null ? scenarioHeader : OpenAiAnswers.asksForStream(body) ? "stream" : "unary";
    switch (scenario) {
      case "stream" :
      case "stream-nousage" :
        return events(sink -> OpenAiAnswers.stream(chat, 4, 0, scenario.equals("stream"), sink));
      case "slow" :
        return events(sink -> OpenAiAnswers.stream(chat, 200, 20, false, sink));
      case "multi" :
        return events(sink -> {
          sink.event(0, OpenAiAnswers.data(OpenAiAnswers.token(chat, "a", ",\"usage\":{\"completion_tokens\":1}"))
              + OpenAiAnswers.data(OpenAiAnswers.token(chat, "bcde", ",\"usage\":{\"completion_tokens\":5}")));
          String split = OpenAiAnswers.data(OpenAiAnswers.token(chat, "fg", ",\"usage\":{\"completion_tokens\":7}"));
          sink.event(0, split.substring(0, 20));
          sink.event(0, split.substring(20));
          sink.event(0, "data: [DONE]\n\n");
        });
      case "throw" :
        return new Answer(Kind.FAIL, 500, null, List.of());
      case "echo-length" :
        return json(200, "{\"length\":" + body.length + "}");
      default :
        if (scenario.startsWith("status-")) {
          return json(Integer.parseInt(scenario.substring(7)), OpenAiAnswers.error(scenario));
        }
        return json(200, OpenAiAnswers.unary(chat));
    }
  }

  /** The answer of {@code GET /v1/models}. */
  public static Answer models() {
    return json(200, OpenAiAnswers.models());
  }

  /** Whether this application serves a {@link #HEALTH_PATH} of its own ({@code -Dtestapp.health=true}). */
  public static boolean servesHealth() {
    return Boolean.getBoolean(HEALTH_PROPERTY);
  }

  /** The answer of the application's own {@code GET /health}. */
  public static Answer health() {
    return json(200, "{\"status\":\"up\",\"from\":\"the application\"}");
  }

  private static Answer json(int status, String body) {
    return new Answer(Kind.JSON, status, body, List.of());
  }

  private interface Stream {
    void write(OpenAiAnswers.EventSink sink) throws IOException;
  }

  private static Answer events(Stream stream) {
    List<Write> writes = new ArrayList<>();
    try {
      stream.write((delayMs, event) -> writes.add(new Write(delayMs, event)));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a list never fails
    }
    return new Answer(Kind.EVENTS, 200, null, List.copyOf(writes));
  }

  public Kind kind() {
    return kind;
  }

  public int status() {
    return status;
  }

  public String contentType() {
    return kind == Kind.EVENTS ? EVENT_STREAM : JSON;
  }

  /** The body of a {@link Kind#JSON} answer. */
  public String body() {
    return body;
  }

  public byte[] bodyBytes() {
    return body.getBytes(StandardCharsets.UTF_8);
  }

  /** The writes of an {@link Kind#EVENTS} answer, in order. */
  public List<Write> writes() {
    return writes;
  }

  /**
   * The events of an {@link Kind#EVENTS} answer as {@code data} values, for frameworks that write the
   * {@code data:} framing themselves (each event's pause is that of the write it starts in).
   */
  public List<Event> events() {
    List<Event> events = new ArrayList<>();
    StringBuilder pending = new StringBuilder();
    long delay = 0;
    for (Write w : writes) {
      if (pending.length() == 0) {
        delay = w.delayMs();
      }
      pending.append(w.text());
      int end;
      while ((end = pending.indexOf("\n\n")) >= 0) {
        String event = pending.substring(0, end);
        pending.delete(0, end + 2);
        events.add(new Event(delay, event.startsWith("data: ") ? event.substring(6) : event));
        delay = 0;
      }
    }
    return events;
  }

  /** What a {@link Kind#FAIL} answer's handler throws. */
  public RuntimeException failure() {
    return new IllegalStateException("handler failed on purpose");
  }
}
