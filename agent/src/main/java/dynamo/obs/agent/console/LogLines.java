package dynamo.obs.agent.console;

import dynamo.obs.agent.config.JsonCheck;
import dynamo.obs.agent.applog.LogEvent;
import dynamo.obs.agent.trace.ActiveSpan;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Dynamo's two console forms of a log event (reference §4.2–4.4), for the application's events and
 * the agent's own lines alike — the one place either is written.
 *
 * <p>JSONL: one compact object, keys {@code time, level, file, line} (the last two when known),
 * {@code target, message}, then every other field alphabetically: the event's fields (a value that is
 * itself JSON is embedded as JSON, as Dynamo does), inside a span {@code trace_id, span_id,
 * parent_id, span_name, tracestate, x_request_id, request_id}, and for an exception
 * {@code exception.type, exception.message, exception.stacktrace}. Readable: time, the level
 * right-aligned to 5, {@code target: message}, then the fields as {@code key=value}. Control
 * characters are escaped in both, so an event is always exactly one line.
 */
public final class LogLines {
  /** The fixed head of a JSONL record: an event field of the same name would repeat a key. */
  private static final Set<String> HEAD = Set.of("time", "level", "file", "line", "target", "message");
  /** Outside a span an event field may not claim these (Dynamo removes them: ids cannot be spoofed). */
  private static final Set<String> SPAN_KEYS = Set.of("trace_id", "span_id", "parent_id", "span_name", "tracestate");

  private LogLines() {
  }

  /** The event as one Dynamo JSONL record, without the line end. */
  public static String jsonl(LogEvent e, boolean localTime) {
    StringBuilder sb = new StringBuilder(192 + e.message.length());
    sb.append("{\"time\":\"");
    appendTime(sb, e.epochNanos, localTime);
    sb.append("\",\"level\":\"").append(e.level.name()).append('"');
    if (e.file != null) {
      JsonText.appendString(sb.append(",\"file\":"), e.file);
    }
    if (e.line > 0) {
      sb.append(",\"line\":").append(e.line);
    }
    JsonText.appendString(sb.append(",\"target\":"), e.target);
    JsonText.appendString(sb.append(",\"message\":"), e.message);
    for (Map.Entry<String, String> field : otherFields(e).entrySet()) {
      JsonText.appendString(sb.append(','), field.getKey()).append(':').append(field.getValue());
    }
    return sb.append('}').toString();
  }

  /** The event in Dynamo's readable form, without the line end (no span ids: Dynamo shows none there). */
  public static String readable(LogEvent e, boolean localTime) {
    String level = e.level.name();
    // sized for the request events (time, level, target, message and ~40 characters a field): no regrowth
    StringBuilder sb = new StringBuilder(64 + e.message.length() + 40 * e.fields.size());
    appendTime(sb, e.epochNanos, localTime).append(' ');
    for (int i = level.length(); i < 5; i++) {
      sb.append(' ');
    }
    appendSingleLine(sb.append(level).append(' '), e.target).append(": ");
    appendSingleLine(sb, e.message);
    for (Map.Entry<String, String> field : sorted(e.fields).entrySet()) {
      appendSingleLine(appendSingleLine(sb.append(' '), field.getKey()).append('='), field.getValue());
    }
    return sb.toString();
  }

  /**
   * Writes one line in one print of the text with its line end: on JDK 21+ {@code System.out}'s own
   * lock is not its monitor, so a {@code println} (text, then line end) could interleave with
   * another thread's output.
   */
  public static void print(PrintStream stream, String line) {
    stream.print(line + System.lineSeparator());
    stream.flush();
  }

  /** Dynamo's timestamp: 6 fraction digits, then {@code Z} or, for local time, the offset as {@code +HH:MM}. */
  public static String time(long epochNanos, boolean local) {
    return appendTime(new StringBuilder(32), epochNanos, local).toString();
  }

  /**
   * One second's timestamp without its fraction, kept for the lines of the same second: lines come
   * in runs (every request writes two), and the calendar arithmetic was most of a line's cost.
   * Immutable, so threads share it through a volatile field without a lock.
   */
  private static final class Second {
    final long epochSecond;
    /** The local zone it is in, or null for UTC. */
    final ZoneId zone;
    /** {@code YYYY-MM-DDTHH:MM:SS.} */
    final String head;
    /** {@code Z}, or the offset as {@code +HH:MM}. */
    final String offset;

    Second(long epochSecond, ZoneId zone) {
      this.epochSecond = epochSecond;
      this.zone = zone;
      OffsetDateTime t = OffsetDateTime.ofInstant(Instant.ofEpochSecond(epochSecond),
          zone != null ? zone : ZoneOffset.UTC);
      StringBuilder sb = new StringBuilder(20);
      pad(sb, t.getYear(), 4).append('-');
      pad(sb, t.getMonthValue(), 2).append('-');
      pad(sb, t.getDayOfMonth(), 2).append('T');
      pad(sb, t.getHour(), 2).append(':');
      pad(sb, t.getMinute(), 2).append(':');
      pad(sb, t.getSecond(), 2).append('.');
      this.head = sb.toString();
      if (zone != null) {
        int seconds = t.getOffset().getTotalSeconds();
        int abs = Math.abs(seconds);
        StringBuilder z = new StringBuilder(6).append(seconds < 0 ? '-' : '+');
        pad(z, abs / 3600, 2).append(':');
        this.offset = pad(z, (abs / 60) % 60, 2).toString();
      } else {
        this.offset = "Z";
      }
    }
  }

  private static volatile Second lastSecond = new Second(0, null);

  private static StringBuilder appendTime(StringBuilder sb, long epochNanos, boolean local) {
    long epochSecond = Math.floorDiv(epochNanos, 1_000_000_000L);
    ZoneId zone = local ? ZoneId.systemDefault() : null; // the default zone may change while running
    Second second = lastSecond;
    if (second.epochSecond != epochSecond || !Objects.equals(second.zone, zone)) {
      second = new Second(epochSecond, zone);
      lastSecond = second;
    }
    sb.append(second.head);
    pad(sb, (int) (Math.floorMod(epochNanos, 1_000_000_000L) / 1000), 6);
    return sb.append(second.offset);
  }

  /** {@code value} (not negative) in decimal, zero-padded to {@code width} digits. */
  private static StringBuilder pad(StringBuilder sb, int value, int width) {
    int digits = 1;
    for (int v = value; v >= 10; v /= 10) {
      digits++;
    }
    for (int i = digits; i < width; i++) {
      sb.append('0');
    }
    return sb.append(value);
  }

  /** The fields by name: as they are when already sorted by name (the agent's own events). */
  private static Map<String, String> sorted(Map<String, String> fields) {
    if (fields.size() < 2 || fields instanceof dynamo.obs.agent.applog.SortedFields
        || (fields instanceof SortedMap
            && ((SortedMap<String, String>) fields).comparator() == null)) {
      return fields;
    }
    return new TreeMap<>(fields);
  }

  /** Every field after the head, by name, each value already JSON text. */
  private static Map<String, String> otherFields(LogEvent e) {
    Map<String, String> out = new TreeMap<>();
    ActiveSpan span = e.span;
    for (Map.Entry<String, String> field : e.fields.entrySet()) {
      String key = field.getKey();
      if (!HEAD.contains(key) && (span != null || !SPAN_KEYS.contains(key))) {
        out.put(key, fieldValue(field.getValue()));
      }
    }
    if (span != null) {
      putString(out, "trace_id", span.traceId());
      putString(out, "span_id", span.spanId());
      putString(out, "parent_id", span.parentId());
      putString(out, "span_name", span.spanName());
      putString(out, "tracestate", span.traceState());
      putString(out, "x_request_id", span.xRequestId());
      putString(out, "request_id", span.requestId());
    }
    if (e.thrown != null) {
      putString(out, "exception.type", e.thrown.getClass().getName());
      putString(out, "exception.message", e.thrown.getMessage());
      putString(out, "exception.stacktrace", stackTrace(e.thrown));
    }
    return out;
  }

  /**
   * A field value that is JSON (a number, true, an object …) is embedded as JSON, as Dynamo does
   * with string fields; anything else, and JSON spread over several lines, is a string.
   */
  static String fieldValue(String value) {
    if (value.indexOf('\n') < 0 && value.indexOf('\r') < 0 && JsonCheck.isValue(value)) {
      return value.strip();
    }
    return JsonText.appendString(new StringBuilder(value.length() + 2), value).toString();
  }

  private static void putString(Map<String, String> out, String key, String value) {
    if (value != null) {
      out.put(key, JsonText.appendString(new StringBuilder(value.length() + 2), value).toString());
    }
  }

  /** The stack trace as {@code printStackTrace} writes it (causes, suppressed), without the final line end. */
  static String stackTrace(Throwable t) {
    StringWriter text = new StringWriter();
    try (PrintWriter w = new PrintWriter(text)) {
      t.printStackTrace(w);
    }
    return text.toString().stripTrailing();
  }

  /** Control characters (line ends included) are escaped so one event is always one line. */
  private static StringBuilder appendSingleLine(StringBuilder sb, String text) {
    int plain = 0;
    while (plain < text.length() && text.charAt(plain) >= 0x20) {
      plain++;
    }
    if (plain == text.length()) {
      return sb.append(text); // the usual case: one copy, not a char at a time
    }
    sb.append(text, 0, plain);
    for (int i = plain; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        sb.append("\\n");
      } else if (c == '\r') {
        sb.append("\\r");
      } else if (c < 0x20 && c != '\t') {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb;
  }
}
