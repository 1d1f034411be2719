package dynamo.obs.agent.targets.jul;

import dynamo.obs.agent.applog.LogEvents;
import dynamo.obs.agent.applog.LogFramework;
import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.agent.weaving.InstrumentationModule;
import dynamo.obs.bootstrap.Handler;
import dynamo.obs.agent.weaving.JdkWeave;
import dynamo.obs.agent.weaving.JdkWeave.Kind;
import java.util.List;

/**
 * {@code java.util.logging}: every record a logger publishes passes through
 * {@code Logger.log(LogRecord)} (the convenience methods end there), so each event is captured
 * once, whichever handlers are attached. With {@code DYN_LOGGING_JSONL}, {@code ConsoleHandler}
 * prints Dynamo JSONL instead of its formatter's text.
 */
public final class JulInstrumentation implements InstrumentationModule {
  public static final String NAME = "java-util-logging";
  private static final String RECORD = "(Ljava/util/logging/LogRecord;)V";

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
  public Handler handler(AgentServices services) {
    return new LogEvents(LogFramework.JUL, services.logs());
  }

  @Override
  public List<JdkWeave> jdkWeaves() {
    return List.of(
        new JdkWeave("java.util.logging.Logger", "log", RECORD, Kind.ENTER_TOKEN, LogEvents.JUL_LOG, "this", "arg0"),
        new JdkWeave("java.util.logging.Logger", "log", RECORD, Kind.EXIT_ALWAYS, LogEvents.ENDED, "token"),
        // the handler's own level and filter still decide whether the record is printed at all
        new JdkWeave("java.util.logging.ConsoleHandler", "publish", RECORD, Kind.ENTER_SKIP, LogEvents.JUL_CONSOLE,
            "this", "arg0"));
  }
}
