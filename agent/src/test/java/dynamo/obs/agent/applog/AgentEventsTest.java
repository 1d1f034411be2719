package dynamo.obs.agent.applog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.agent.config.LogFilter;
import dynamo.obs.agent.config.LogFilter.Level;
import dynamo.obs.agent.console.AgentLog;
import dynamo.obs.agent.trace.ActiveSpan;
import dynamo.obs.agent.trace.FakeSpan;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AgentEventsTest {
  /** The JSONL head up to the target, whatever the time. */
  private static final String HEAD = "\\{\"time\":\"[^\"]+Z\",\"level\":\"";

  private final List<LogEvent> exported = new CopyOnWriteArrayList<>();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  @BeforeEach
  void capture() {
    LogExport.install(exported::add);
    AgentLog.redirect(new PrintStream(out, true, StandardCharsets.UTF_8));
    configure(true, "info");
  }

  @AfterEach
  void restore() {
    LogExport.install(null);
    ActiveSpan.source(null);
    AgentLog.configure(false, false, LogFilter.DEFAULT);
    AgentLog.redirect(System.err);
    AgentEvents.configure(false);
  }

  private static void configure(boolean jsonl, String directives) {
    AgentLog.configure(jsonl, false, LogFilter.DEFAULT.withDirectives(directives, bad -> {
    }));
  }

  private List<String> lines() {
    AgentLog.flushLater(); // request events are written by the agent's console thread
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void typedFieldsAreJsonNumbersAndBooleansAndTheEventIsExportedInsideTheSpan() {
    ActiveSpan span = FakeSpan.request();
    ActiveSpan.source(() -> span);
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("count", 3);
    fields.put("ratio", 0.25);
    fields.put("cached", true);
    fields.put("name", "alice");
    fields.put("nothing", null);
    fields.put("nan", Double.NaN);
    AgentEvents.log("dynamo_obs.test", Level.WARN, "typed", fields);
    assertEquals(1, lines().size(), out.toString());
    assertTrue(lines().get(0).matches(HEAD + "WARN\",\"target\":\"dynamo_obs.test\",\"message\":\"typed\","
        + "\"cached\":true,\"count\":3,\"name\":\"alice\",\"nan\":0,\"parent_id\":\"f7e487a9d2a6bf38\",\"ratio\":0.25,"
        + "\"request_id\":\".*"), lines().get(0));
    assertEquals(1, exported.size());
    assertSame(span, exported.get(0).span);
    assertEquals(Map.of("cached", "true", "count", "3", "name", "alice", "nan", "0", "ratio", "0.25"),
        exported.get(0).fields);
  }

  @Test
  void dynLogDecidesForTheTargetBothConsoleAndExport() {
    configure(true, "info,dynamo_obs.request=warn");
    AgentEvents.requestReceived("r1", "m", "chat_completions", "stream");
    AgentEvents.requestFailed("r1", "m", "chat_completions", "stream", "error", "internal", 7);
    assertEquals(1, lines().size(), out.toString());
    assertEquals(1, exported.size());
    assertEquals(Level.ERROR, exported.get(0).level);
  }

  @Test
  void requestLifecycleEventsHaveDynamosMessagesAndFields() {
    AgentEvents.requestReceived("r1", "Qwen/Qwen3-0.6B", "chat_completions", "stream");
    AgentEvents.requestCompleted("r1", "Qwen/Qwen3-0.6B", "chat_completions", "stream", "success", 12);
    AgentEvents.requestFailed("r3", "Qwen/Qwen3-0.6B", "completions", "unary", "error", "overload", 30);
    AgentEvents.requestReceived("r2", null, null, null);
    List<String> lines = lines();
    assertTrue(lines.get(0).matches(HEAD + "INFO\",\"target\":\"dynamo_obs.request\",\"message\":\"request received\","
        + "\"endpoint\":\"chat_completions\",\"model\":\"Qwen/Qwen3-0.6B\",\"request_id\":\"r1\","
        + "\"request_type\":\"stream\"\\}"), lines.get(0));
    assertTrue(lines.get(1).matches(HEAD + "INFO\",\"target\":\"dynamo_obs.request\",\"message\":\"request completed\","
        + "\"elapsed_ms\":12,\"endpoint\":\"chat_completions\",\"model\":\"Qwen/Qwen3-0.6B\",\"request_id\":\"r1\","
        + "\"request_type\":\"stream\",\"status\":\"success\"\\}"), lines.get(1));
    // upstream's error_detail for the error type (InflightGuard's drop, lib/llm/src/http/service/metrics.rs)
    assertTrue(lines.get(2).matches(HEAD + "ERROR\",\"target\":\"dynamo_obs.request\","
        + "\"message\":\"request completed\",\"elapsed_ms\":30,\"endpoint\":\"completions\","
        + "\"error_detail\":\"service overloaded or rate limited\",\"error_type\":\"overload\","
        + "\"model\":\"Qwen/Qwen3-0.6B\",\"request_id\":\"r3\",\"request_type\":\"unary\",\"status\":\"error\"\\}"),
        lines.get(2));
    assertTrue(lines.get(3).endsWith("\"message\":\"request received\",\"request_id\":\"r2\"}"), lines.get(3));
    assertEquals(4, exported.size());
  }

  @Test
  void readableConsoleShowsFieldsAsKeyValue() {
    configure(false, "info");
    AgentEvents.requestCompleted("r1", null, null, null, "success", 12);
    assertTrue(lines().get(0).matches("\\S+Z  INFO dynamo_obs.request: request completed elapsed_ms=12 request_id=r1"
        + " status=success"),
        lines().get(0));
  }

  @Test
  void spanRecordsCarryTheGivenSpanBypassDynLogAndStayOnTheConsole() {
    AgentEvents.configure(true);
    configure(true, "error");
    FakeSpan span = new FakeSpan("80196f3e3a6fdf06d23bb9ada3788518", "f7e487a9d2a6bf38", null, "handle_payload",
        null, null, "r9");
    ActiveSpan.source(FakeSpan::request); // the thread's span is another one
    AgentEvents.spanFirstEntry(span);
    AgentEvents.spanClosed(span, 1200, 300);
    List<String> lines = lines();
    assertEquals(2, lines.size(), out.toString());
    assertTrue(lines.get(0).matches(HEAD + "INFO\",\"target\":\"dynamo_obs.request\",\"message\":\"SPAN_FIRST_ENTRY\","
        + "\"request_id\":\"r9\",\"span_id\":\"f7e487a9d2a6bf38\",\"span_name\":\"handle_payload\","
        + "\"trace_id\":\"80196f3e3a6fdf06d23bb9ada3788518\"\\}"), lines.get(0));
    assertTrue(lines.get(1).matches(HEAD + "INFO\",\"target\":\"dynamo_obs.request\",\"message\":\"SPAN_CLOSED\","
        + "\"request_id\":\"r9\",\"span_id\":\"f7e487a9d2a6bf38\",\"span_name\":\"handle_payload\","
        + "\"time.busy_us\":1200,\"time.duration_us\":1500,\"time.idle_us\":300,"
        + "\"trace_id\":\"80196f3e3a6fdf06d23bb9ada3788518\"\\}"), lines.get(1));
    assertEquals(List.of(), exported);
  }

  @Test
  void spanRecordsAreOffByDefault() {
    AgentEvents.spanClosed(FakeSpan.request(), 1, 2);
    AgentEvents.spanFirstEntry(FakeSpan.request());
    assertEquals(List.of(), lines());
  }
}
