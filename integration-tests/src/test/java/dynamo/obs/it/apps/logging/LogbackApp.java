package dynamo.obs.it.apps.logging;

import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * {@link LoggingScenario} through SLF4J 2 and Logback (configured by {@code logging/logback.xml}): fields as
 * MDC entries, except {@code attempt}, a key-value pair of the fluent API.
 */
public final class LogbackApp {
  private LogbackApp() {
  }

  public static void main(String[] args) throws Exception {
    LoggingScenario.run(args, (logger, level, message, thrown, fields) -> {
      fields.forEach((k, v) -> {
        if (!k.equals("attempt")) {
          MDC.put(k, v);
        }
      });
      LoggingEventBuilder event = LoggerFactory.getLogger(logger).atLevel(Level.valueOf(level.toUpperCase()))
          .setCause(thrown);
      if (fields.containsKey("attempt")) {
        event = event.addKeyValue("attempt", fields.get("attempt"));
      }
      event.log(message);
      MDC.clear();
    });
  }
}
