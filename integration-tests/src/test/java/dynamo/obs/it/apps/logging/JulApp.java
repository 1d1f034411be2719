package dynamo.obs.it.apps.logging;

import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@link LoggingScenario} through java.util.logging: the root logger's ConsoleHandler (stderr), every level on. */
public final class JulApp {
  private static final Map<String, Level> LEVELS = Map.of("error", Level.SEVERE, "warn", Level.WARNING,
      "info", Level.INFO, "debug", Level.FINE, "trace", Level.FINEST);

  private JulApp() {
  }

  public static void main(String[] args) throws Exception {
    Logger root = Logger.getLogger("");
    root.setLevel(Level.ALL);
    for (Handler h : root.getHandlers()) {
      h.setLevel(Level.ALL);
    }
    LoggingScenario.run(args,
        (logger, level, message, thrown, fields) -> Logger.getLogger(logger).log(LEVELS.get(level), message, thrown)); // JUL has no MDC
  }
}
