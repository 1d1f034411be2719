package dynamo.obs.instrumentation.jul;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dynamo.obs.bootstrap.Hooks;
import dynamo.obs.instrumentation.InstrumentationModule;
import dynamo.obs.instrumentation.LogDispatchEnd;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import net.bytebuddy.asm.Advice;

/**
 * {@code java.util.logging}: every record a logger publishes passes through
 * {@code Logger.log(LogRecord)} (the convenience methods end there), so each event is captured
 * once, whichever handlers are attached. With {@code DYN_LOGGING_JSONL}, {@code ConsoleHandler}
 * prints Dynamo JSONL instead of its formatter's text.
 */
public final class JulInstrumentation implements InstrumentationModule {
  public static final String NAME = "java-util-logging";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "java.util.logging loggers: each log event (level-filtered by DYN_LOG) exported with the active span;"
        + " ConsoleHandler prints Dynamo JSONL when DYN_LOGGING_JSONL is on";
  }

  @Override
  public List<TypeAdvice> typeAdvice() {
    String self = JulInstrumentation.class.getName();
    return List.of(
        TypeAdvice.named("java.util.logging.Logger", List.of(
            new AdviceBinding(named("log").and(takesArguments(LogRecord.class)), self + "$LogAdvice",
                LogDispatchEnd.class.getName()))),
        TypeAdvice.named("java.util.logging.ConsoleHandler", List.of(
            new AdviceBinding(named("publish").and(takesArguments(LogRecord.class)), self + "$ConsoleAdvice"))));
  }

  @SuppressWarnings("unused")
  public static final class LogAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@Advice.This Logger logger, @Advice.Argument(0) LogRecord record) {
      // Logger.log(LogRecord) may be called directly, without the level check of the other methods
      if (record == null || !logger.isLoggable(record.getLevel())) {
        return null;
      }
      return Hooks.get().logEventStarted(Hooks.LOG_JUL, record.getLevel().intValue(), record.getLoggerName(),
          record.getMessage(), record.getParameters(), record.getResourceBundle(), record.getThrown(),
          record.getInstant(), null, null);
    }
  }

  @SuppressWarnings("unused")
  public static final class ConsoleAdvice {
    /** The handler's own level and filter still decide whether the record is printed at all. */
    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
    static boolean enter(@Advice.This Handler handler, @Advice.Argument(0) LogRecord record) {
      return handler.isLoggable(record) && Hooks.get().logConsoleLine(Hooks.LOG_JUL, true);
    }
  }
}
