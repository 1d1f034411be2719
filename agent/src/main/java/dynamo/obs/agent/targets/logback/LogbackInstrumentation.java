package dynamo.obs.agent.targets.logback;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxy;
import ch.qos.logback.core.ConsoleAppender;
import dynamo.obs.agent.applog.LogDispatchEnd;
import dynamo.obs.agent.applog.LogEvents;
import dynamo.obs.agent.applog.LogFramework;
import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.agent.weaving.InstrumentationModule;
import dynamo.obs.agent.weaving.TargetId;
import dynamo.obs.bootstrap.Dispatch;
import dynamo.obs.bootstrap.Handler;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.bytebuddy.asm.Advice;
import org.slf4j.event.KeyValuePair;

/**
 * Logback 1.3+ (SLF4J 2): {@code Logger.callAppenders} runs once per event that passed the
 * logger's level and turbo filters, before any appender, so each event is captured once whatever
 * the appenders are. With {@code DYN_LOGGING_JSONL}, a {@code ConsoleAppender} prints Dynamo JSONL
 * instead of its encoder's text (other output-stream appenders, such as files, are untouched).
 */
public final class LogbackInstrumentation implements InstrumentationModule {
  public static final String NAME = "logback";

  @Override
  public List<String> triggers() {
    return List.of("ch/qos/logback/classic/Logger", "ch/qos/logback/core/OutputStreamAppender");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Logback loggers: each log event (level-filtered by DYN_LOG, with MDC and key-value pairs) exported with"
        + " the active span; ConsoleAppender prints Dynamo JSONL when DYN_LOGGING_JSONL is on";
  }

  @Override
  public Handler handler(AgentServices services) {
    return new LogEvents(LogFramework.LOGBACK, services.logs());
  }

  @Override
  public List<TypeAdvice> typeAdvice() {
    String self = LogbackInstrumentation.class.getName();
    return List.of(
        TypeAdvice.named("ch.qos.logback.classic.Logger", List.of(
            new AdviceBinding(named("callAppenders")
                .and(takesArgument(0, named("ch.qos.logback.classic.spi.ILoggingEvent"))).and(takesArguments(1)),
                self + "$LogAdvice", LogDispatchEnd.class.getName()))),
        TypeAdvice.named("ch.qos.logback.core.OutputStreamAppender", List.of(
            new AdviceBinding(named("subAppend").and(takesArguments(1)), self + "$ConsoleAdvice"))));
  }

  @SuppressWarnings("unused")
  public static final class LogAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@TargetId int target, @Advice.Argument(0) ILoggingEvent event) {
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
          event.getInstant(), caller != null && caller.length > 0 ? caller[0] : null, fields},
          null, null, null, target, LogEvents.LOG);
    }
  }

  @SuppressWarnings("unused")
  public static final class ConsoleAdvice {
    /** subAppend runs after the appender's filters: what reaches it is printed. */
    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
    static boolean enter(@TargetId int target, @Advice.This Object appender) {
      return appender instanceof ConsoleAppender && ((ConsoleAppender<?>) appender).isStarted()
          && Dispatch.on("System.err".equals(((ConsoleAppender<?>) appender).getTarget()), null, null, null, target,
              LogEvents.CONSOLE) != null;
    }
  }
}
