package dynamo.obs.agent.console;

import dynamo.obs.agent.config.LogFilter;
import dynamo.obs.agent.applog.LogEvent;
import dynamo.obs.agent.trace.ActiveSpan;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's own log lines: always stderr, in Dynamo's readable form or, with
 * {@code DYN_LOGGING_JSONL}, in Dynamo's JSONL form (both written by {@link LogLines}; JSONL lines
 * carry the span ids when the agent logs inside a request). Each target's level comes from
 * {@code DYN_LOG} like any logger's. Deliberately not java.util.logging or any framework: touching
 * the application's logging set-up from an agent breaks applications that configure it later
 * (custom LogManagers).
 */
public final class AgentLog {

  public enum Level {
    ERROR, WARN, INFO, DEBUG;

    LogFilter.Level filterLevel() {
      return LogFilter.Level.valueOf(name());
    }
  }

  private static volatile boolean jsonl;
  private static volatile boolean localTime;
  private static volatile LogFilter filter = LogFilter.DEFAULT;
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

  /** Output form and levels, set once configuration is read. */
  public static void configure(boolean jsonlFormat, boolean useLocalTime, LogFilter levels) {
    jsonl = jsonlFormat;
    localTime = useLocalTime;
    filter = levels;
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
    return enabled(target, level.filterLevel());
  }

  /** Whether {@code DYN_LOG} lets an event of the agent at {@code level} under {@code target} through. */
  public static boolean enabled(String target, LogFilter.Level level) {
    return filter.enabled(target, level);
  }

  public void log(Level level, String message) {
    if (enabled(level)) {
      print(new LogEvent(LogEvent.epochNanos(Instant.now()), level.filterLevel(), target, message, null,
          Thread.currentThread().getName(), null, 0, Map.of(), ActiveSpan.current()));
    }
  }

  /** Prints an event of the agent in the configured console form (no level check: the caller made it). */
  public static void print(LogEvent event) {
    LogLines.print(out, jsonl ? LogLines.jsonl(event, localTime) : LogLines.readable(event, localTime));
  }

  private static volatile BackgroundConsole background;

  /**
   * Prints an event of the agent later, from the agent's console thread: for the lines every request
   * makes, so that the request's thread does no console I/O (no level check: the caller made it).
   */
  public static void printLater(LogEvent event) {
    BackgroundConsole b = background;
    if (b == null) {
      synchronized (AgentLog.class) {
        b = background;
        if (b == null) {
          b = new BackgroundConsole(e -> jsonl ? LogLines.jsonl(e, localTime) : LogLines.readable(e, localTime),
              () -> out);
          background = b;
        }
      }
    }
    b.add(event);
  }

  /** Writes what {@link #printLater} queued, now (tests; the console thread does it by itself). */
  public static void flushLater() {
    BackgroundConsole b = background;
    if (b != null) {
      b.flush();
    }
  }

  /** For tests: capture output. */
  public static void redirect(PrintStream stream) {
    out = stream;
  }
}
