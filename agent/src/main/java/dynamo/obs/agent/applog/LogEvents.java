package dynamo.obs.agent.applog;

import dynamo.obs.bootstrap.Handler;
import java.time.Instant;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.logging.Logger;
import java.util.logging.LogRecord;

/**
 * The events of the logging targets (java.util.logging, Logback, Log4j 2), one handler per framework, for
 * {@link LogCapture}. The numbers are shared: every framework's advice reports the same events.
 */
public final class LogEvents extends Handler {
  /**
   * (values): a logger hands one event to its appenders, after its own level check; values are {@code {level (the
   * framework's number), logger, message, parameters, bundle, thrown, time, location, fields}}. Returns the token for
   * {@link #ENDED}.
   */
  public static final int LOG = 0;
  /** (token): the framework has dispatched the event. */
  public static final int ENDED = 1;
  /**
   * (Boolean.TRUE for stderr, else stdout): a console appender is about to render the event being dispatched on this
   * thread; non-null when the agent printed it (or filtered it out) so the framework must skip its own rendering.
   */
  public static final int CONSOLE = 2;
  /** (logger, record): {@code java.util.logging.Logger.log(LogRecord)}, which may be called without a level check. */
  public static final int JUL_LOG = 3;
  /** (handler, record): a {@code ConsoleHandler} publishes a record; non-null: it must skip its own rendering. */
  public static final int JUL_CONSOLE = 4;

  private final LogFramework framework;
  private final LogCapture capture;

  public LogEvents(LogFramework framework, LogCapture capture) {
    this.framework = framework;
    this.capture = capture;
  }

  @Override
  @SuppressWarnings("unchecked")
  public Object on(int event, Object a, Object b, Object c, Object d) {
    switch (event) {
      case LOG : {
        Object[] v = (Object[]) a;
        return capture.started(framework, (Integer) v[0], (String) v[1], (String) v[2], (Object[]) v[3],
            (ResourceBundle) v[4], (Throwable) v[5], (Instant) v[6], (StackTraceElement) v[7],
            (Map<String, String>) v[8]);
      }
      case JUL_LOG : {
        LogRecord r = (LogRecord) b;
        if (r == null || !((Logger) a).isLoggable(r.getLevel())) {
          return null;
        }
        return capture.started(framework, r.getLevel().intValue(), r.getLoggerName(), r.getMessage(),
            r.getParameters(), r.getResourceBundle(), r.getThrown(), r.getInstant(), null, null);
      }
      case ENDED :
        if (a != null) { // null: nothing was opened at the start (JUL's exit is woven whatever the start returned)
          capture.ended(a);
        }
        return null;
      case CONSOLE :
        return capture.consoleLine(a == Boolean.TRUE) ? Boolean.TRUE : null;
      case JUL_CONSOLE :
        // the handler's own level and filter decide first whether the record is printed at all
        return ((java.util.logging.Handler) a).isLoggable((LogRecord) b) && capture.consoleLine(true)
            ? Boolean.TRUE
            : null;
      default :
        return null;
    }
  }
}
