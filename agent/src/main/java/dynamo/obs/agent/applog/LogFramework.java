package dynamo.obs.agent.applog;

import dynamo.obs.agent.config.LogFilter.Level;
import dynamo.obs.agent.targets.jul.JulInstrumentation;
import dynamo.obs.agent.targets.log4j.Log4jInstrumentation;
import dynamo.obs.agent.targets.logback.LogbackInstrumentation;

/**
 * The logging frameworks whose events are captured, each with its level scale mapped onto Dynamo's
 * five levels. Levels between the standard ones (custom levels) take the next lower standard one.
 */
public enum LogFramework {
  /** SEVERE → ERROR, WARNING → WARN, INFO and CONFIG → INFO, FINE → DEBUG, FINER and FINEST → TRACE. */
  JUL(JulInstrumentation.NAME) {
    @Override
    public Level level(int value) {
      return value >= 1000
          ? Level.ERROR
          : value >= 900
              ? Level.WARN
              : value >= 700
                  ? Level.INFO
                  : value >= 500 ? Level.DEBUG : Level.TRACE;
    }
  },
  /** Logback's {@code Level.toInt()}: ERROR 40000, WARN 30000, INFO 20000, DEBUG 10000, TRACE 5000. */
  LOGBACK(LogbackInstrumentation.NAME) {
    @Override
    public Level level(int value) {
      return value >= 40000
          ? Level.ERROR
          : value >= 30000
              ? Level.WARN
              : value >= 20000
                  ? Level.INFO
                  : value >= 10000 ? Level.DEBUG : Level.TRACE;
    }
  },
  /** Log4j's {@code intLevel()}, smaller is more severe: FATAL 100 and ERROR 200 → ERROR, WARN 300 … TRACE 600. */
  LOG4J(Log4jInstrumentation.NAME) {
    @Override
    public Level level(int value) {
      return value <= 200
          ? Level.ERROR
          : value <= 300
              ? Level.WARN
              : value <= 400
                  ? Level.INFO
                  : value <= 500 ? Level.DEBUG : Level.TRACE;
    }
  };

  /** The instrumentation that weaves this framework (its switch, and its label on advice errors). */
  public final String instrumentation;

  LogFramework(String instrumentation) {
    this.instrumentation = instrumentation;
  }

  /** Dynamo's level for one of this framework's level numbers. */
  public abstract Level level(int value);
}
