package dynamo.obs.agent.targets.logback;

import static dynamo.obs.agent.applog.LogEvents.CONSOLE;
import static dynamo.obs.agent.applog.LogEvents.LOG;
import static dynamo.obs.agent.targets.logback.LogbackInstrumentation.CALL_APPENDERS;
import static dynamo.obs.agent.targets.logback.LogbackInstrumentation.SUB_APPEND;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxy;
import ch.qos.logback.core.ConsoleAppender;
import dynamo.obs.bootstrap.Dispatch;
import dynamo.obs.bootstrap.Handler;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.event.KeyValuePair;

/**
 * What the woven Logback calls carry, read with Logback's own types: this class is defined in the class loader of
 * the application's Logback ({@code LibraryHandlers}), never loaded by the agent's, and refers only to Logback,
 * SLF4J, the JDK and the bootstrap API (the event numbers it names are constants, compiled in). It reports the framework-neutral events of {@code LogEvents}.
 */
public final class LogbackEvents extends Handler {
  private final int target;

  public LogbackEvents(int target) {
    this.target = target;
  }

  @Override
  public Object on(int event, Object a, Object b, Object c, Object d) {
    if (event == CALL_APPENDERS) {
      return log((ILoggingEvent) a);
    }
    if (event == SUB_APPEND && a instanceof ConsoleAppender<?> console && console.isStarted()) {
      return Dispatch.on("System.err".equals(console.getTarget()), null, null, null, target, CONSOLE);
    }
    return null;
  }

  /** One event on its way to the appenders; returns the capture's token for its end. */
  private Object log(ILoggingEvent event) {
    IThrowableProxy proxy = event.getThrowableProxy();
    StackTraceElement[] caller = event.hasCallerData() ? event.getCallerData() : null;
    Map<String, String> fields = event.getMDCPropertyMap();
    List<KeyValuePair> pairs = event.getKeyValuePairs();
    if (pairs != null && !pairs.isEmpty()) {
      fields = new HashMap<>(fields);
      for (KeyValuePair pair : pairs) {
        fields.put(pair.key, String.valueOf(pair.value));
      }
    }
    return Dispatch.on(new Object[]{event.getLevel().toInt(), event.getLoggerName(), event.getFormattedMessage(),
        null, null, proxy instanceof ThrowableProxy ? ((ThrowableProxy) proxy).getThrowable() : null,
        event.getInstant(), caller != null && caller.length > 0 ? caller[0] : null, fields}, null, null, null, target,
        LOG);
  }
}
