package dynamo.obs.agent.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.agent.config.LogFilter.Level;
import dynamo.obs.agent.applog.LogEvent;
import dynamo.obs.agent.trace.ActiveSpan;
import dynamo.obs.agent.trace.FakeSpan;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

class LogLinesTest {
  static final long T = LogEvent.epochNanos(Instant.parse("2025-09-02T15:53:31.943377123Z"));

  static LogEvent event(String message, Map<String, String> fields, Throwable thrown, ActiveSpan span) {
    return new LogEvent(T, Level.INFO, "com.acme.app", message, thrown, "main", null, 0, fields, span);
  }

  /**
   * Messages, field values, targets and exceptions drawn at random (fixed seed) from line ends, control
   * characters, quotes, backslashes, lone surrogates, emoji and JSON-looking text: every record is one line, one
   * JSON object (the configuration's strict reader), and its readable form one line too.
   */
  @Test
  void randomEventsAreEachOneLineOfJson() {
    java.util.Random r = new java.util.Random(5);
    String[] pieces = {"\n", "\r\n", "\r", "\t", "\u0000", "\u001b[31m", "\"", "\\", "\uD800", "\uDC00x", "😀",
        "é", "\u2028", "{\"a\":1}", "[1,\n2]", "42", "true", " 7 ", "null", "{\"a\":", "plain words", "=", ","};
    for (int k = 0; k < 3000; k++) {
      Map<String, String> fields = new LinkedHashMap<>();
      for (int f = r.nextInt(4); f > 0; f--) {
        fields.put(random(r, pieces, 3), random(r, pieces, 4));
      }
      Throwable thrown = r.nextInt(4) == 0 ? new IllegalStateException(random(r, pieces, 3)) : null;
      LogEvent e = new LogEvent(T, Level.values()[r.nextInt(Level.values().length)], random(r, pieces, 2),
          random(r, pieces, 5), thrown, "main", null, 0, fields, null);
      for (boolean local : new boolean[]{false, true}) {
        String line = LogLines.jsonl(e, local);
        assertTrue(line.indexOf('\n') < 0 && line.indexOf('\r') < 0, "one line: " + line);
        assertEquals(null, dynamo.obs.agent.config.JsonCheck.objectError(line), line);
        String readable = LogLines.readable(e, local);
        assertTrue(readable.indexOf('\n') < 0 && readable.indexOf('\r') < 0, "one line: " + readable);
      }
    }
  }

  private static String random(java.util.Random r, String[] pieces, int most) {
    StringBuilder b = new StringBuilder();
    for (int n = r.nextInt(most + 1); n > 0; n--) {
      b.append(pieces[r.nextInt(pieces.length)]);
    }
    return b.toString();
  }

  @Test
  void utcTimeHasSixFractionDigitsAndZ() {
    assertEquals("2025-09-02T15:53:31.943377Z", LogLines.time(T, false));
    assertEquals("2025-01-01T00:00:00.000000Z",
        LogLines.time(LogEvent.epochNanos(Instant.parse("2025-01-01T00:00:00Z")), false));
    assertEquals("1969-12-31T23:59:59.999999Z", LogLines.time(-1000, false));
  }

  @Test
  void linesOfTheSameSecondAndOfTheNextAreEachTheirOwnTime() {
    long lastMicroOf2025 = LogEvent.epochNanos(Instant.parse("2025-12-31T23:59:59.999999Z"));
    assertEquals("2025-12-31T23:59:59.999999Z", LogLines.time(lastMicroOf2025, false));
    assertEquals("2025-12-31T23:59:59.000007Z", LogLines.time(lastMicroOf2025 - 999_992_000L, false));
    assertEquals("2026-01-01T00:00:00.000000Z", LogLines.time(lastMicroOf2025 + 1_000, false));
    assertEquals("2025-12-31T23:59:59.500000Z", LogLines.time(lastMicroOf2025 - 499_999_000L, false));
    assertEquals("2025-12-31T23:59:59.500000+00:00", withZone("UTC",
        () -> LogLines.time(lastMicroOf2025 - 499_999_000L, true)), "the same second in local time");
    assertEquals("2025-12-31T23:59:59.500000Z", LogLines.time(lastMicroOf2025 - 499_999_000L, false));
  }

  private static String withZone(String zone, java.util.function.Supplier<String> s) {
    TimeZone before = TimeZone.getDefault();
    try {
      TimeZone.setDefault(TimeZone.getTimeZone(zone));
      return s.get();
    } finally {
      TimeZone.setDefault(before);
    }
  }

  @Test
  void localTimeHasTheZonesOffset() {
    TimeZone before = TimeZone.getDefault();
    try {
      TimeZone.setDefault(TimeZone.getTimeZone("Asia/Kolkata"));
      assertEquals("2025-09-02T21:23:31.943377+05:30", LogLines.time(T, true));
      TimeZone.setDefault(TimeZone.getTimeZone("Etc/GMT+5"));
      assertEquals("2025-09-02T10:53:31.943377-05:00", LogLines.time(T, true));
      TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
      assertEquals("2025-09-02T15:53:31.943377+00:00", LogLines.time(T, true), "local time always has an offset");
    } finally {
      TimeZone.setDefault(before);
    }
  }

  @Test
  void headKeysInDynamosOrderThenEveryOtherFieldAlphabetically() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("zeta", "z");
    fields.put("alpha", "a");
    fields.put("message", "not the message");
    fields.put("level", "not the level");
    fields.put("trace_id", "spoofed");
    fields.put("x_request_id", "from the event");
    LogEvent e = new LogEvent(T, Level.WARN, "com.acme.app", "hello", null, "main", "Engine.java", 42, fields, null);
    assertEquals("{\"time\":\"2025-09-02T15:53:31.943377Z\",\"level\":\"WARN\",\"file\":\"Engine.java\",\"line\":42,"
        + "\"target\":\"com.acme.app\",\"message\":\"hello\",\"alpha\":\"a\",\"x_request_id\":\"from the event\","
        + "\"zeta\":\"z\"}", LogLines.jsonl(e, false));
  }

  @Test
  void fileAndLineOnlyWhenKnown() {
    assertEquals("{\"time\":\"2025-09-02T15:53:31.943377Z\",\"level\":\"INFO\",\"target\":\"com.acme.app\","
        + "\"message\":\"\"}", LogLines.jsonl(event("", Map.of(), null, null), false));
  }

  @Test
  void controlCharactersAreEscapedSoAnEventIsOneLine() {
    String line = LogLines.jsonl(event("a\nb\r\tc \"q\" \\ \u0001 \u2028", Map.of("k", "v\nw"), null, null), false);
    assertTrue(line.endsWith(",\"message\":\"a\\nb\\r\\tc \\\"q\\\" \\\\ \\u0001 \\u2028\",\"k\":\"v\\nw\"}"), line);
    assertOneLine(line);
  }

  @Test
  void insideASpanItsIdsAndRequestIdsAreFieldsAndWinOverTheEvents() {
    String line = LogLines.jsonl(event("m", Map.of("trace_id", "spoofed", "model", "m1"), null, FakeSpan.request()),
        false);
    assertEquals("{\"time\":\"2025-09-02T15:53:31.943377Z\",\"level\":\"INFO\",\"target\":\"com.acme.app\","
        + "\"message\":\"m\",\"model\":\"m1\",\"parent_id\":\"f7e487a9d2a6bf38\","
        + "\"request_id\":\"0b7ea5a6-8a3c-4f00-9d54-3f1a2b3c4d5e\",\"span_id\":\"1234567890123456\","
        + "\"span_name\":\"http-request\",\"trace_id\":\"80196f3e3a6fdf06d23bb9ada3788518\","
        + "\"tracestate\":\"vendor=x\",\"x_request_id\":\"8372eac7\"}", line);
  }

  @Test
  void aRootSpanHasNoParentAndNoTracestate() {
    FakeSpan root = new FakeSpan("80196f3e3a6fdf06d23bb9ada3788518", "f7e487a9d2a6bf38", null, "http-request", null,
        null, "r1");
    String line = LogLines.jsonl(event("m", Map.of(), null, root), false);
    assertFalse(line.contains("parent_id") || line.contains("tracestate") || line.contains("x_request_id"), line);
    assertTrue(line.contains("\"request_id\":\"r1\""), line);
  }

  @Test
  void anExceptionIsThreeFieldsWithTheWholeStackTraceOnTheOneLine() {
    IllegalStateException e = new IllegalStateException("bad\nstate", new RuntimeException("root cause"));
    String line = LogLines.jsonl(event("failed", Map.of(), e, null), false);
    assertOneLine(line);
    assertTrue(line.contains(",\"exception.message\":\"bad\\nstate\",\"exception.stacktrace\":"
        + "\"java.lang.IllegalStateException: bad\\nstate\\n\\tat dynamo.obs.agent.console.LogLinesTest."), line);
    assertTrue(line.contains("\\nCaused by: java.lang.RuntimeException: root cause\\n\\t"), line);
    assertTrue(line.endsWith("\",\"exception.type\":\"java.lang.IllegalStateException\"}"), line);
    assertFalse(LogLines.jsonl(event("x", Map.of(), new RuntimeException(), null), false)
        .contains("exception.message"), "no message, no field");
  }

  @Test
  void fieldValuesThatAreJsonAreEmbeddedAsJson() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("obj", "{\"a\":[1,2]}");
    fields.put("num", "42");
    fields.put("neg", "-1.5e3");
    fields.put("bool", "true");
    fields.put("nul", "null");
    fields.put("quoted", "\"q\"");
    fields.put("word", "alice");
    fields.put("almost", "42abc");
    fields.put("multiline", "{\n\"a\":1}");
    fields.put("spaced", " 7 ");
    String line = LogLines.jsonl(event("m", fields, null, null), false);
    assertTrue(line.endsWith(",\"almost\":\"42abc\",\"bool\":true,\"multiline\":\"{\\n\\\"a\\\":1}\",\"neg\":-1.5e3,"
        + "\"nul\":null,\"num\":42,\"obj\":{\"a\":[1,2]},\"quoted\":\"q\",\"spaced\":7,\"word\":\"alice\"}"), line);
  }

  @Test
  void readableLineRightAlignsTheLevelAndAppendsFieldsOnOneLine() {
    LogEvent e = new LogEvent(T, Level.INFO, "dynamo_obs.request", "request\ncompleted", null, "main", null, 0,
        Map.of("status", "success", "elapsed_ms", "12", "detail", "a\u0001b"), FakeSpan.request());
    assertEquals("2025-09-02T15:53:31.943377Z  INFO dynamo_obs.request: request\\ncompleted detail=a\\u0001b"
        + " elapsed_ms=12 status=success", LogLines.readable(e, false));
  }

  static void assertOneLine(String line) {
    assertFalse(line.contains("\n") || line.contains("\r"), line);
  }
}
