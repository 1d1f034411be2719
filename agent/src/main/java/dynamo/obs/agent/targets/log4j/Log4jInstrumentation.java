package dynamo.obs.agent.targets.log4j;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dynamo.obs.agent.applog.LogDispatchEnd;
import dynamo.obs.agent.applog.LogEvents;
import dynamo.obs.agent.applog.LogFramework;
import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.agent.weaving.InstrumentationModule;
import dynamo.obs.agent.weaving.TargetId;
import dynamo.obs.bootstrap.Dispatch;
import dynamo.obs.bootstrap.Handler;
import java.util.List;
import java.util.Set;
import net.bytebuddy.asm.Advice;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.ThreadContext;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.message.Message;

/**
 * Log4j 2: every enabled event of an {@code AbstractLogger} reaches
 * {@code log(Level, Marker, fqcn, location, Message, Throwable)} on the logging thread — also with
 * asynchronous loggers, whose appenders run later on another thread — and bridges that call the
 * {@code ExtendedLogger} SPI directly reach {@code logMessage(fqcn, Level, Marker, Message,
 * Throwable)}. Where one calls the other, the event is captured once. With
 * {@code DYN_LOGGING_JSONL}, a {@code ConsoleAppender} prints Dynamo JSONL instead of its layout.
 */
public final class Log4jInstrumentation implements InstrumentationModule {
  public static final String NAME = "log4j2";

  private static final String LEVEL = "org.apache.logging.log4j.Level";
  private static final String MESSAGE = "org.apache.logging.log4j.message.Message";

  /**
   * Log4j's implementation, not its API: Spring Boot puts {@code log4j-api} on every application's class path with
   * {@code log4j-to-slf4j}, which hands the API's events to SLF4J (captured there, by Logback's target), and Spring's
   * logging adapter loads the API's interfaces to look for it. Without {@code log4j-core} Byte Buddy stays unloaded.
   */
  @Override
  public List<String> triggers() {
    return List.of("org/apache/logging/log4j/core/Logger",
        "org/apache/logging/log4j/core/appender/AbstractOutputStreamAppender");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Log4j 2 loggers: each log event (level-filtered by DYN_LOG, with the ThreadContext map) exported with the"
        + " active span; ConsoleAppender prints Dynamo JSONL when DYN_LOGGING_JSONL is on";
  }

  @Override
  public Handler handler(AgentServices services) {
    return new LogEvents(LogFramework.LOG4J, services.logs());
  }

  @Override
  public List<TypeAdvice> typeAdvice() {
    String self = Log4jInstrumentation.class.getName();
    return List.of(
        TypeAdvice.subtypesOf(Set.of("org.apache.logging.log4j.spi.AbstractLogger"), List.of(
            new AdviceBinding(named("log").and(takesArguments(6)).and(takesArgument(0, named(LEVEL)))
                .and(takesArgument(3, StackTraceElement.class)).and(takesArgument(4, named(MESSAGE))),
                self + "$LogAdvice", LogDispatchEnd.class.getName()),
            new AdviceBinding(named("logMessage").and(takesArguments(5)).and(takesArgument(0, String.class))
                .and(takesArgument(1, named(LEVEL))).and(takesArgument(3, named(MESSAGE))),
                self + "$LogMessageAdvice", LogDispatchEnd.class.getName()))),
        TypeAdvice.named("org.apache.logging.log4j.core.appender.AbstractOutputStreamAppender", List.of(
            new AdviceBinding(named("append").and(takesArguments(1)), self + "$ConsoleAdvice"))));
  }

  @SuppressWarnings("unused")
  public static final class LogAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@TargetId int target, @Advice.This Logger logger, @Advice.Argument(0) Level level,
        @Advice.Argument(3) StackTraceElement location, @Advice.Argument(4) Message message,
        @Advice.Argument(5) Throwable thrown) {
      return Dispatch.on(new Object[]{level.intLevel(), logger.getName(),
          message == null ? null : message.getFormattedMessage(), null, null,
          thrown != null || message == null ? thrown : message.getThrowable(), null, location,
          ThreadContext.getImmutableContext()}, null, null, null, target, LogEvents.LOG);
    }
  }

  @SuppressWarnings("unused")
  public static final class LogMessageAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@TargetId int target, @Advice.This Logger logger, @Advice.Argument(1) Level level,
        @Advice.Argument(3) Message message, @Advice.Argument(4) Throwable thrown) {
      return Dispatch.on(new Object[]{level.intLevel(), logger.getName(),
          message == null ? null : message.getFormattedMessage(), null, null,
          thrown != null || message == null ? thrown : message.getThrowable(), null, null,
          ThreadContext.getImmutableContext()}, null, null, null, target, LogEvents.LOG);
    }
  }

  @SuppressWarnings("unused")
  public static final class ConsoleAdvice {
    /** append runs after the appender's filters (AppenderControl): what reaches it is printed. */
    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
    static boolean enter(@TargetId int target, @Advice.This Object appender) {
      return appender instanceof ConsoleAppender
          && Dispatch.on(((ConsoleAppender) appender).getTarget() == ConsoleAppender.Target.SYSTEM_ERR, null, null,
              null, target, LogEvents.CONSOLE) != null;
    }
  }
}
