package dynamo.obs.agent.applog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dynamo.obs.agent.config.LogFilter.Level;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogFrameworkTest {
  @ParameterizedTest(name = "{0} {1} → {2}")
  @CsvSource({
      // java.util.logging.Level.intValue(); ALL and OFF are the extremes of int
      "JUL, 1000, ERROR", "JUL, 900, WARN", "JUL, 800, INFO", "JUL, 700, INFO", "JUL, 500, DEBUG",
      "JUL, 400, TRACE", "JUL, 300, TRACE", "JUL, -2147483648, TRACE", "JUL, 2147483647, ERROR", "JUL, 650, DEBUG",
      // ch.qos.logback.classic.Level.toInt()
      "LOGBACK, 40000, ERROR", "LOGBACK, 30000, WARN", "LOGBACK, 20000, INFO", "LOGBACK, 10000, DEBUG",
      "LOGBACK, 5000, TRACE", "LOGBACK, 25000, INFO",
      // org.apache.logging.log4j.Level.intLevel(): smaller is more severe
      "LOG4J, 100, ERROR", "LOG4J, 200, ERROR", "LOG4J, 300, WARN", "LOG4J, 400, INFO", "LOG4J, 500, DEBUG",
      "LOG4J, 600, TRACE", "LOG4J, 2147483647, TRACE", "LOG4J, 350, INFO"})
  void levelsMapOntoDynamosFive(LogFramework framework, int value, Level expected) {
    assertEquals(expected, framework.level(value));
  }

  @ParameterizedTest
  @CsvSource({"JUL, java-util-logging", "LOGBACK, logback", "LOG4J, log4j2"})
  void eachFrameworkNamesItsInstrumentation(LogFramework framework, String instrumentation) {
    assertEquals(instrumentation, framework.instrumentation);
  }
}
