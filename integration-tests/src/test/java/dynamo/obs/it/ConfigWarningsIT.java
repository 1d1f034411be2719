package dynamo.obs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.it.apps.InferenceServerApp;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.Http;
import dynamo.obs.it.support.SystemServer;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC §2: every invalid value produces exactly one WARN line naming the variable and the value,
 * and the application always starts. One JVM per row so that each WARN is attributable.
 */
class ConfigWarningsIT {
  static final Pattern START_LINE = Pattern.compile(" INFO .*dynamo-obs \\S+ started: ");
  static final Pattern READY_LINE = Pattern.compile("^READY (\\d+)$");

  /**
   * Variable, raw value, and what the WARN line must also contain besides the variable's name:
   * by default the value as the agent quotes it ({@code "…"}); for list-like values the bad part.
   */
  static Stream<Arguments> badValues() {
    return Stream.of(
        row("DYN_SYSTEM_PORT", "abc"),
        row("DYN_SYSTEM_PORT", "70000"),
        row("DYN_SYSTEM_HOST", "bad host"),
        row("DYN_SYSTEM_STARTING_HEALTH_STATUS", "maybe"),
        row("DYN_SYSTEM_HEALTH_PATH", "health"),
        row("DYN_SYSTEM_LIVE_PATH", "/a b"),
        row("DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS", "[\"generate\""),
        row("DYN_HEALTH_CHECK_ENABLED", "perhaps"),
        row("DYN_CANARY_WAIT_TIME", "-5"),
        row("DYN_HEALTH_CHECK_REQUEST_TIMEOUT", "soon"),
        row("DYN_HEALTH_CHECK_PAYLOAD", "{not json"),
        row("DYN_HEALTH_CHECK_PAYLOAD", "@/no/such/file"),
        row("DYN_NAMESPACE", "my-ns", "\"my-ns\"", "\"my_ns\""),
        row("DYN_METRICS_PREFIX", "9bad-prefix"),
        row("DYN_HISTOGRAM_TTFT_MIN", "0"),
        row("DYN_HISTOGRAM_ITL_COUNT", "1000"),
        row("DYN_HISTOGRAM_FOO_MIN", "1"),
        row("DYN_HTTP_SVC_CHAT_PATH", "chat"),
        row("DYN_OBS_ROUTER_METHODS", "com.acme.Router[route];not a class[x]", "\"not a class[x]\"",
            "using the others"),
        row("DYN_OBS_WORKER_METHODS", "com.acme.Engine"),
        row("DYN_OBS_INSTRUMENTATION_NOPE_ENABLED", "false"),
        row("DYN_OBS_INSTRUMENTATION_JDK_HTTPSERVER_ENABLED", "maybe"),
        row("DYN_OBS_MAX_MODELS", "0"),
        row("DYN_LOG", "info,foo=loud", "\"foo=loud\""),
        row("DYN_LOGGING_CONFIG_PATH", "/no/such.toml"),
        row("DYN_LOGGING_JSONL", "2"),
        row("OTEL_EXPORT_ENABLED", "yesplease"),
        row("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
        row("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "localhost:4317"),
        row("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://collector:4318", "\"http://collector:4318\"",
            "looks like an OTLP/HTTP address"),
        row("OTEL_TRACES_SAMPLE_RATIO", "1.5"),
        row("OTEL_EXPORTER_OTLP_HEADERS", "novalue"),
        row("DYN_SYSTEM_ENABLED", "true", "\"true\"", "deprecated"));
  }

  private static Arguments row(String variable, String value, String... mustContain) {
    List<String> fragments = mustContain.length == 0 ? List.of(quoted(value)) : List.of(mustContain);
    return Arguments.of(variable, value, fragments);
  }

  /** How the agent quotes a raw value in its messages (Config.quote). */
  static String quoted(String raw) {
    return "\"" + raw.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @ParameterizedTest(name = "[{index}] {0}={1}")
  @MethodSource("badValues")
  void badValueGivesExactlyOneWarnAndTheApplicationStarts(String variable, String value, List<String> fragments) {
    boolean portValid = !variable.equals("DYN_SYSTEM_PORT");
    int port = FreePort.pick();
    AgentProcess.Builder b = AgentProcess.app(InferenceServerApp.class).env(variable, value);
    if (portValid) {
      b.env("DYN_SYSTEM_PORT", "" + port);
    }
    try (AgentProcess app = b.start()) {
      int appPort = Integer.parseInt(app.awaitStdout(READY_LINE).group(1));
      assertEquals("pong", Http.get(appPort, "/ping").body(), "the application serves its own requests");
      assertEquals(200, Http.post(appPort, "/v1/chat/completions", "{\"model\":\"m\"}").statusCode());
      app.awaitStderr(START_LINE); // printed after every configuration warning
      if (portValid) {
        SystemServer sys = new SystemServer(app, port);
        String metrics = sys.awaitInstrumentationActive();
        assertTrue(Pattern.compile("(?m)^dynamo_obs_config_warnings 1(\\.0)?$").matcher(metrics).find(),
            "dynamo_obs_config_warnings should be 1:\n" + metrics);
        int status = Http.get(port, "/health").statusCode();
        assertTrue(status == 200 || status == 503, "/health answered " + status);
        SystemServer.parseHealth(Http.get(port, "/health"));
      } else {
        assertTrue(app.stderrLinesContaining(" started: ").get(0).contains("system status server disabled"),
            app.outputs());
      }
      List<String> warns = app.stderrLinesContaining(" WARN ");
      assertEquals(1, warns.size(), "exactly one WARN line for " + variable + "=" + value + "\n" + app.outputs());
      String warn = warns.get(0);
      assertTrue(warn.contains(variable), "the WARN names the variable: " + warn);
      for (String f : fragments) {
        assertTrue(warn.contains(f), "the WARN contains " + f + ": " + warn);
      }
      assertTrue(app.stderrLinesContaining(" ERROR ").isEmpty(), app.outputs());
      app.assertAlive();
    }
  }
}
