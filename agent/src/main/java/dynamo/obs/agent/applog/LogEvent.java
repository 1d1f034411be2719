package dynamo.obs.agent.applog;

import dynamo.obs.agent.config.LogFilter;
import java.time.Instant;
import java.util.Map;

/**
 * One log event as the agent keeps it: from an application logging framework (JUL, Logback,
 * Log4j 2) or from the agent itself. Immutable; made on the logging thread, exported later.
 */
public final class LogEvent {
  public final long epochNanos;
  public final LogFilter.Level level;
  /** The logger name (Dynamo's "target"). */
  public final String target;
  public final String message;
  /** The exception attached to the event, or null. */
  public final Throwable thrown;
  public final String threadName;
  /** Source file and line when the framework knows them (null / 0 otherwise). */
  public final String file;
  public final int line;
  /** Further fields (framework key-values, MDC), or an empty map. */
  public final Map<String, String> fields;
  /** The span the event happened in, or null. */
  public final dynamo.obs.agent.trace.ActiveSpan span;

  public LogEvent(long epochNanos, LogFilter.Level level, String target, String message, Throwable thrown,
      String threadName, String file, int line, Map<String, String> fields, dynamo.obs.agent.trace.ActiveSpan span) {
    this.epochNanos = epochNanos;
    this.level = level;
    this.target = target;
    this.message = message;
    this.thrown = thrown;
    this.threadName = threadName;
    this.file = file;
    this.line = line;
    this.fields = fields == null ? Map.of() : fields;
    this.span = span;
  }

  /** {@code instant} as nanoseconds since the epoch (this event's time scale). */
  public static long epochNanos(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }
}
