package dynamo.obs.it.logs;

import static dynamo.obs.it.apps.logging.LoggingScenario.APP;
import static dynamo.obs.it.apps.logging.LoggingScenario.NOISY;
import static dynamo.obs.it.apps.logging.LoggingScenario.OTHER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.it.apps.logging.JulApp;
import dynamo.obs.it.apps.logging.Log4jApp;
import dynamo.obs.it.apps.logging.LogbackApp;
import dynamo.obs.it.apps.logging.LoggingScenario;
import dynamo.obs.it.ecosystem.Json;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.SystemServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SPEC §6, reference §4.2–4.5: what java.util.logging, Logback 1.5 and Log4j 2 print on the console
 * in a real JVM with the agent — Dynamo JSONL with {@code DYN_LOGGING_JSONL}, filtered by
 * {@code DYN_LOG} and the TOML file, and without it exactly what they print without the agent.
 */
class LoggingFrameworksIT {
  static final Pattern UTC_TIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
  static final Pattern KOLKATA_TIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\+05:30");
  /** The agent's own readable lines, the only difference the agent may make without JSONL. */
  static final Pattern AGENT_LINE = Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT\\S+Z +(ERROR|WARN|INFO|DEBUG) dynamo_obs");

  /** Each framework as its application is configured (src/test/resources/logging/). */
  enum Framework {
    /** The root logger's ConsoleHandler writes everything to stderr; JUL has no MDC. */
    JUL(JulApp.class, null, "java.util.logging.SimpleFormatter.format", "%4$s %3$s: %5$s%6$s%n", ""),
    /** Everything on stdout, warnings and errors also on stderr. */
    LOGBACK(LogbackApp.class, "logback.libs", "logback.configurationFile", "logback.xml", ""),
    /** As Logback; the layout asks for the caller's file and line, so Log4j computes them. */
    LOG4J(Log4jApp.class, "log4j.libs", "log4j2.configurationFile", "log4j2.xml", "null");

    final Class<?> main;
    final String libs;
    final String property;
    final String value;
    /** What the framework makes of a null message. */
    final String nullMessage;

    Framework(Class<?> main, String libs, String property, String value, String nullMessage) {
      this.main = main;
      this.libs = libs;
      this.property = property;
      this.value = value;
      this.nullMessage = nullMessage;
    }

    AgentProcess.Builder app(String script) {
      AgentProcess.Builder b = AgentProcess.app(main).args(script);
      if (libs == null) {
        return b.sysProp(property, value);
      }
      return b.classpath(Paths.get(System.getProperty(libs)).resolve("*"))
          .sysProp(property, AgentProcess.testClasses().resolve("logging").resolve(value).toString());
    }

    boolean everythingOnStdout() {
      return this != JUL;
    }

    boolean hasFields() {
      return this != JUL;
    }
  }

  /**
   * Runs the script to its end; with the agent, only once its instrumentation is active: /health
   * answers 200 from then on. (Not /metrics: its first scrape registers the JVM metrics through JMX,
   * whose JDK loggers would log FINER lines through an application's java.util.logging.)
   */
  static AgentProcess run(AgentProcess.Builder builder, boolean agent) {
    int port = FreePort.pick();
    AgentProcess app = builder.withAgent(agent).env("DYN_SYSTEM_PORT", "" + port)
        .env("DYN_SYSTEM_STARTING_HEALTH_STATUS", "ready").start();
    app.awaitStdout(Pattern.compile("^READY$"));
    if (agent) {
      new SystemServer(app, port).awaitHealth("/health", 200, Pattern.compile(".*"));
    }
    app.send("go");
    assertEquals(0, app.awaitExit(), "the application ends normally");
    assertTrue(app.stdoutLines().contains("DONE"), "the application logged every event");
    return app;
  }

  /**
   * Every line of an output is a Dynamo JSONL record (keys time, level, file/line, target, message,
   * then alphabetically) or the application's READY/DONE; returns the records of the application's
   * loggers (not the agent's own), in order.
   */
  static List<Map<String, Object>> records(List<String> lines, Pattern time) {
    List<Map<String, Object>> records = new ArrayList<>();
    for (String line : lines) {
      if (line.equals("READY") || line.equals("DONE")) {
        continue;
      }
      Map<String, Object> record;
      try {
        record = Json.object(Json.parse(line));
      } catch (IllegalArgumentException e) {
        throw new AssertionError("not one JSON object: " + abbreviate(line), e);
      }
      List<String> keys = new ArrayList<>(record.keySet());
      List<String> head = new ArrayList<>(List.of("time", "level"));
      if (record.containsKey("file")) {
        head.add("file");
      }
      if (record.containsKey("line")) {
        head.add("line");
      }
      head.addAll(List.of("target", "message"));
      assertEquals(head, keys.subList(0, Math.min(head.size(), keys.size())), abbreviate(line));
      List<String> rest = keys.subList(head.size(), keys.size());
      assertEquals(rest.stream().sorted().collect(Collectors.toList()), rest, "other fields alphabetically: " + line);
      assertTrue(time.matcher((String) record.get("time")).matches(), "time of " + abbreviate(line));
      if (!((String) record.get("target")).startsWith("dynamo_obs")) {
        records.add(record);
      }
    }
    return records;
  }

  static String abbreviate(String line) {
    return line.length() > 400 ? line.substring(0, 400) + "…" : line;
  }

  /** "LEVEL target: message" of each record, for comparing sequences. */
  static List<String> summary(List<Map<String, Object>> records) {
    return records.stream()
        .map(r -> r.get("level") + " " + r.get("target") + ": " + abbreviate((String) r.get("message")))
        .collect(Collectors.toList());
  }

  static List<String> levels(String logger, String... levels) {
    List<String> out = new ArrayList<>();
    for (String level : levels) {
      out.add(level.toUpperCase() + " " + logger + ": " + level + " from " + logger);
    }
    return out;
  }

  /** The events after the per-level ones, in order. */
  static List<String> awkwardEvents(Framework f) {
    return List.of("WARN " + APP + ": " + LoggingScenario.MULTI_LINE, "ERROR " + APP + ": failed",
        "INFO " + APP + ": with fields", "INFO " + APP + ": " + f.nullMessage,
        "INFO " + APP + ": " + abbreviate("x".repeat(LoggingScenario.HUGE) + "END"));
  }

  @ParameterizedTest
  @EnumSource(Framework.class)
  void jsonlConsoleLinesAreDynamoRecords(Framework f) {
    AgentProcess app = run(f.app("basic").env("DYN_LOGGING_JSONL", "true"), true);
    List<Map<String, Object>> all = records(f.everythingOnStdout() ? app.stdoutLines() : app.stderrLines(), UTC_TIME);
    List<String> expected = new ArrayList<>();
    for (String logger : List.of(APP, NOISY, OTHER)) {
      expected.addAll(levels(logger, "error", "warn", "info")); // DYN_LOG's default: info
    }
    expected.addAll(awkwardEvents(f));
    assertEquals(expected, summary(all));

    Map<String, Object> failed = all.get(10);
    assertEquals("java.lang.IllegalStateException", failed.get("exception.type"));
    assertEquals("bad\nstate", failed.get("exception.message"));
    String stack = (String) failed.get("exception.stacktrace");
    assertTrue(stack.startsWith("java.lang.IllegalStateException: bad\nstate\n\tat dynamo.obs.it.apps.logging."),
        stack);
    assertTrue(stack.contains("\nCaused by: java.lang.RuntimeException: root cause\n"), stack);

    Map<String, Object> withFields = all.get(11);
    if (f.hasFields()) {
      assertEquals("alice", withFields.get("user"));
      assertEquals(42.0, withFields.get("attempt"), "a field that is a JSON number is a number");
      assertEquals(Map.of("a", List.of(1.0, 2.0)), withFields.get("payload"), "a JSON field is embedded as JSON");
    } else {
      assertEquals(Set.of("time", "level", "target", "message"), withFields.keySet());
    }
    assertEquals(LoggingScenario.HUGE + 3, ((String) all.get(13).get("message")).length());
    for (Map<String, Object> r : all) {
      if (f == Framework.LOG4J) {
        assertEquals("Log4jApp.java", r.get("file"), "Log4j computed the caller for its layout");
        assertTrue((Double) r.get("line") > 0);
      } else {
        assertNull(r.get("file"));
      }
      assertNull(r.get("trace_id"), "outside any request");
    }
    if (f.everythingOnStdout()) {
      // the stderr appender (warnings and errors only) prints the same records
      List<String> severe = summary(all).stream().filter(s -> s.startsWith("WARN") || s.startsWith("ERROR"))
          .collect(Collectors.toList());
      assertEquals(severe, summary(records(app.stderrLines(), UTC_TIME)));
    }
  }

  @ParameterizedTest
  @EnumSource(Framework.class)
  void dynLogTheTomlFileAndLocalTimeDecideWhatIsPrinted(Framework f, @TempDir Path dir) throws Exception {
    Path toml = dir.resolve("logging.toml");
    Files.writeString(toml, "log_level = \"trace\"\n[log_filters]\n\"com.acme.noisy\" = \"error\"\n");
    AgentProcess app = run(f.app("basic").env("DYN_LOGGING_JSONL", "true")
        .env("DYN_LOG", "warn,com.acme=debug,com.acme.noisy=trace")
        .env("DYN_LOGGING_CONFIG_PATH", toml.toString())
        .env("DYN_LOG_USE_LOCAL_TZ", "true").env("TZ", "Asia/Kolkata"), true);
    List<String> expected = new ArrayList<>(levels(APP, "error", "warn", "info", "debug")); // com.acme=debug
    expected.addAll(levels(NOISY, "error")); // the file's filter wins over DYN_LOG for the very same target
    expected.addAll(levels(OTHER, "error", "warn")); // DYN_LOG's default wins over the file's log_level
    expected.addAll(awkwardEvents(f));
    assertEquals(expected,
        summary(records(f.everythingOnStdout() ? app.stdoutLines() : app.stderrLines(), KOLKATA_TIME)));
  }

  @ParameterizedTest
  @EnumSource(Framework.class)
  void eventsFromManyThreadsAreWholeLinesEach(Framework f) {
    AgentProcess app = run(f.app("threads").env("DYN_LOGGING_JSONL", "true"), true);
    List<Map<String, Object>> all = records(f.everythingOnStdout() ? app.stdoutLines() : app.stderrLines(), UTC_TIME);
    Set<Object> messages = new HashSet<>();
    for (Map<String, Object> r : all) {
      messages.add(r.get("message"));
    }
    assertEquals(1 + LoggingScenario.THREADS * LoggingScenario.PER_THREAD, all.size());
    assertEquals(all.size(), messages.size(), "each event once");
    for (int i = 0; i < LoggingScenario.PER_THREAD; i++) {
      assertTrue(messages.contains("thread " + (LoggingScenario.THREADS - 1) + " event " + i));
    }
  }

  @ParameterizedTest
  @EnumSource(Framework.class)
  void withoutJsonlTheConsoleIsExactlyWhatItIsWithoutTheAgent(Framework f) {
    AgentProcess without = run(f.app("basic"), false);
    AgentProcess with = run(f.app("basic"), true);
    assertSameLines(without.stdoutLines(), with.stdoutLines(), "stdout");
    assertSameLines(without.stderrLines(), with.stderrLines().stream().filter(l -> !AGENT_LINE.matcher(l).find())
        .collect(Collectors.toList()), "stderr without the agent's own lines");
    assertTrue(without.stdoutLines().size() + without.stderrLines().size() > 30, "the framework's text, line by line");
  }

  /** Equal line lists; a difference is reported by its first line, abbreviated (one line is 100 kB). */
  static void assertSameLines(List<String> expected, List<String> actual, String what) {
    for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
      if (!expected.get(i).equals(actual.get(i))) {
        throw new AssertionError(what + " line " + (i + 1) + " differs:\nwithout the agent: "
            + abbreviate(expected.get(i)) + "\nwith the agent:    " + abbreviate(actual.get(i)));
      }
    }
    assertEquals(expected.size(), actual.size(), what + ": number of lines");
  }

  @ParameterizedTest
  @EnumSource(Framework.class)
  void theInstrumentationSwitchLeavesTheFrameworkAlone(Framework f) {
    String name = f == Framework.JUL ? "JAVA_UTIL_LOGGING" : f == Framework.LOGBACK ? "LOGBACK" : "LOG4J2";
    AgentProcess app = run(f.app("basic").env("DYN_LOGGING_JSONL", "true")
        .env("DYN_OBS_INSTRUMENTATION_" + name + "_ENABLED", "false"), true);
    List<String> lines = f.everythingOnStdout() ? app.stdoutLines() : app.stderrLines();
    assertTrue(lines.stream().anyMatch(l -> l.contains("trace from com.acme.app")), "the framework's own text");
    assertFalse(lines.stream().anyMatch(l -> l.startsWith("{\"time\"") && l.contains("com.acme.app")), "no JSONL");
  }
}
