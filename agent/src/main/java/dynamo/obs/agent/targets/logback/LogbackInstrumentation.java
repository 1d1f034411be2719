package dynamo.obs.agent.targets.logback;

import dynamo.obs.agent.applog.LogEvents;
import dynamo.obs.agent.applog.LogFramework;
import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.agent.weaving.Instrumentations;
import dynamo.obs.agent.weaving.JdkWeave;
import dynamo.obs.agent.weaving.JdkWeave.Kind;
import dynamo.obs.agent.weaving.InstrumentationModule;
import dynamo.obs.agent.weaving.LibraryHandlers;
import dynamo.obs.bootstrap.Handler;
import java.util.List;

/**
 * Logback 1.3+ (SLF4J 2): {@code Logger.callAppenders} runs once per event that passed the
 * logger's level and turbo filters, before any appender, so each event is captured once whatever
 * the appenders are. With {@code DYN_LOGGING_JSONL}, a {@code ConsoleAppender} prints Dynamo JSONL
 * instead of its encoder's text (other output-stream appenders, such as files, are untouched).
 *
 * <p>Both classes are known by name: the agent's own weaver weaves them ({@linkplain #libraryWeaves library weaves},
 * no Byte Buddy), with calls that hand Logback's objects to {@link LogbackEvents}, defined in the loader of the
 * application's Logback, which reads them with Logback's types.
 */
public final class LogbackInstrumentation implements InstrumentationModule {
  public static final String NAME = "logback";
  private static final String LOGGER = "ch.qos.logback.classic.Logger";

  // the woven calls, for LogbackEvents (after LogEvents' numbers, which the handler shares)
  /** (ILoggingEvent): {@code callAppenders} begins; returns the token for {@link LogEvents#ENDED}. */
  static final int CALL_APPENDERS = 10;
  /** (appender): an output-stream appender's {@code subAppend} begins; non-null: the agent printed the event. */
  static final int SUB_APPEND = 11;

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
    LogEvents events = new LogEvents(LogFramework.LOGBACK, services.logs());
    LibraryHandlers code = new LibraryHandlers(LOGGER,
        LogbackInstrumentation.class.getPackageName() + ".LogbackEvents", Instrumentations.number(NAME));
    return new Handler() {
      @Override
      public Object on(int event, Object a, Object b, Object c, Object d) throws Throwable {
        return event == CALL_APPENDERS || event == SUB_APPEND
            ? code.of(a).on(event, a, b, c, d)
            : events.on(event, a, b, c, d);
      }
    };
  }

  @Override
  public List<JdkWeave> libraryWeaves() {
    String event = "(Lch/qos/logback/classic/spi/ILoggingEvent;)";
    return List.of(
        new JdkWeave(LOGGER, "callAppenders", event, Kind.ENTER_TOKEN, CALL_APPENDERS, "arg0"),
        new JdkWeave(LOGGER, "callAppenders", event, Kind.EXIT_ALWAYS, LogEvents.ENDED, "token"),
        // subAppend runs after the appender's filters: what reaches it is printed
        new JdkWeave("ch.qos.logback.core.OutputStreamAppender", "subAppend", "(Ljava/lang/Object;)",
            Kind.ENTER_SKIP, SUB_APPEND, "this"));
  }
}
