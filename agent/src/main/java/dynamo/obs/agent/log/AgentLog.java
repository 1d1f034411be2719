package dynamo.obs.agent.log;

import java.io.PrintStream;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's own log lines: always stderr, in Dynamo's readable form or, with
 * {@code DYN_LOGGING_JSONL}, in Dynamo's JSONL form. Deliberately not java.util.logging or any
 * framework: touching the application's logging set-up from an agent breaks applications that
 * configure it later (custom LogManagers).
 */
public final class AgentLog {

  public enum Level {
    ERROR, WARN, INFO, DEBUG
  }

  private static volatile boolean jsonl;
  private static volatile boolean localTime;
  private static volatile Level threshold = Level.INFO;
  private static volatile PrintStream out = System.err;
  private static final Set<String> ONCE = ConcurrentHashMap.newKeySet();

  private final String target;

  private AgentLog(String target) {
    this.target = target;
  }

  /** A logger whose lines carry {@code target} (Dynamo's name for a logger). */
  public static AgentLog forTarget(String target) {
    return new AgentLog(target);
  }

  /** Output form, set once configuration is read. */
  public static void configure(boolean jsonlFormat, boolean useLocalTime, Level minimum) {
    jsonl = jsonlFormat;
    localTime = useLocalTime;
    threshold = minimum;
  }

  public void error(String message) {
    log(Level.ERROR, message);
  }

  public void warn(String message) {
    log(Level.WARN, message);
  }

  public void info(String message) {
    log(Level.INFO, message);
  }

  public void debug(String message) {
    log(Level.DEBUG, message);
  }

  /** Logs the message only the first time {@code key} is seen in this process. */
  public void once(Level level, String key, String message) {
    if (ONCE.add(target + '\u0000' + key)) {
      log(level, message);
    }
  }

  public boolean enabled(Level level) {
    return level.ordinal() <= threshold.ordinal();
  }

  public void log(Level level, String message) {
    if (!enabled(level)) {
      return;
    }
    String line = jsonl ? jsonLine(level, message) : readableLine(level, message);
    PrintStream stream = out;
    synchronized (stream) {
      stream.println(line);
      stream.flush();
    }
  }

  String readableLine(Level level, String message) {
    // Dynamo's readable form: timestamp, level right-aligned to 5, target, message.
    String name = level.name();
    StringBuilder sb = new StringBuilder(64 + message.length());
    sb.append(Timestamps.format(Instant.now(), localTime)).append(' ');
    for (int i = name.length(); i < 5; i++) {
      sb.append(' ');
    }
    sb.append(name).append(' ').append(target).append(": ");
    appendSingleLine(sb, message);
    return sb.toString();
  }

  String jsonLine(Level level, String message) {
    StringBuilder sb = new StringBuilder(96 + message.length());
    sb.append("{\"time\":\"").append(Timestamps.format(Instant.now(), localTime));
    sb.append("\",\"level\":\"").append(level.name());
    sb.append("\",\"target\":");
    JsonText.appendString(sb, target);
    sb.append(",\"message\":");
    JsonText.appendString(sb, message);
    sb.append('}');
    return sb.toString();
  }

  /** Control characters (newlines included) are escaped so one event is always one line. */
  private static void appendSingleLine(StringBuilder sb, String message) {
    for (int i = 0; i < message.length(); i++) {
      char c = message.charAt(i);
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
  }

  /** For tests: capture output. */
  public static void redirect(PrintStream stream) {
    out = stream;
  }

  /** Dynamo's timestamp format: 6 fraction digits, {@code Z} or a numeric offset. */
  public static final class Timestamps {
    private Timestamps() {}

    public static String format(Instant instant, boolean local) {
      OffsetDateTime t =
          local
              ? OffsetDateTime.ofInstant(instant, ZoneId.systemDefault())
              : OffsetDateTime.ofInstant(instant, java.time.ZoneOffset.UTC);
      StringBuilder sb = new StringBuilder(32);
      pad(sb, t.getYear(), 4).append('-');
      pad(sb, t.getMonthValue(), 2).append('-');
      pad(sb, t.getDayOfMonth(), 2).append('T');
      pad(sb, t.getHour(), 2).append(':');
      pad(sb, t.getMinute(), 2).append(':');
      pad(sb, t.getSecond(), 2).append('.');
      pad(sb, t.getNano() / 1000, 6);
      int offset = t.getOffset().getTotalSeconds();
      if (!local) {
        sb.append('Z');
      } else {
        sb.append(offset < 0 ? '-' : '+');
        int abs = Math.abs(offset);
        pad(sb, abs / 3600, 2).append(':');
        pad(sb, (abs / 60) % 60, 2);
      }
      return sb.toString();
    }

    private static StringBuilder pad(StringBuilder sb, int value, int width) {
      String s = Integer.toString(value);
      for (int i = s.length(); i < width; i++) {
        sb.append('0');
      }
      return sb.append(s);
    }
  }
}
