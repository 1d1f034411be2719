package dynamo.obs.it.apps.logging;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.ThreadContext;

/** {@link LoggingScenario} through Log4j 2 (configured by {@code logging/log4j2.xml}): fields in the ThreadContext. */
public final class Log4jApp {
  private Log4jApp() {
  }

  public static void main(String[] args) throws Exception {
    LoggingScenario.run(args, (logger, level, message, thrown, fields) -> {
      ThreadContext.putAll(fields);
      LogManager.getLogger(logger).log(Level.valueOf(level.toUpperCase()), message, thrown);
      ThreadContext.clearMap();
    });
  }
}
