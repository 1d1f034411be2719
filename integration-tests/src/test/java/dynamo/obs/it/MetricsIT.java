package dynamo.obs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.it.apps.IdleApp;
import dynamo.obs.it.apps.InferenceServerApp;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.Http;
import dynamo.obs.it.support.Poll;
import dynamo.obs.it.support.RawHttp;
import dynamo.obs.it.support.SystemServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SPEC §3 / §4: the {@code /metrics} route. One application process serves every test here. */
class MetricsIT {
  static final Pattern UPTIME = Pattern
      .compile("(?m)^dynamo_component_uptime_seconds\\{worker_id=\"([0-9a-f]+)\"\\} (\\S+)$");
  /** A sample line of the text formats: name, optional labels, value, optional timestamp. */
  static final Pattern SAMPLE = Pattern.compile(
      "^[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*\\})? "
          + "(-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)( -?\\d+(\\.\\d+)?)?$");

  private static AgentProcess app;
  private static int port;

  @BeforeAll
  static void start() {
    port = FreePort.pick();
    app = AgentProcess.app(InferenceServerApp.class).env("DYN_SYSTEM_PORT", "" + port).start();
    new SystemServer(app, port).awaitInstrumentationActive();
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  /** Every line is a HELP/TYPE/UNIT comment or a well-formed sample. */
  static void assertValidExposition(String text, boolean openMetrics) {
    assertTrue(text.endsWith("\n"), "ends with a newline");
    for (String line : text.split("\n")) {
      if (openMetrics && line.equals("# EOF")) {
        continue;
      }
      if (line.startsWith("# HELP ") || line.startsWith("# TYPE ") || (openMetrics && line.startsWith("# UNIT "))) {
        continue;
      }
      assertTrue(SAMPLE.matcher(line).matches(), "not a valid exposition line: '" + line + "'");
    }
  }

  @Test
  void prometheusTextIsTheDefault() {
    HttpResponse<String> r = Http.get(port, "/metrics");
    assertEquals(200, r.statusCode());
    String type = r.headers().firstValue("content-type").orElse("");
    assertTrue(type.startsWith("text/plain; version=0.0.4"), type);
    String text = r.body();
    assertValidExposition(text, false);
    assertTrue(UPTIME.matcher(text).find(), text);
    assertTrue(text.contains("\njvm_memory_used_bytes{"), "jvm_memory_used_bytes\n" + text);
    assertTrue(text.contains("\nprocess_cpu_seconds_total "), "process_cpu_seconds_total\n" + text);
    assertTrue(Pattern.compile("(?m)^dynamo_obs_info\\{version=\"[^\"]+\"\\} 1(\\.0)?$").matcher(text).find(), text);
    assertTrue(text.contains("# TYPE dynamo_component_uptime_seconds gauge"), text);
    assertFalse(r.headers().firstValue("content-encoding").isPresent(), "not compressed unless asked");
  }

  @Test
  void uptimeIncreasesBetweenScrapesWithAStableLowerCaseHexWorkerId() {
    Matcher first = UPTIME.matcher(Http.get(port, "/metrics").body());
    assertTrue(first.find());
    String worker = first.group(1);
    double up = Double.parseDouble(first.group(2));
    assertTrue(up > 0, first.group());
    Matcher later = Poll.until("a larger dynamo_component_uptime_seconds", () -> {
      Matcher m = UPTIME.matcher(Http.get(port, "/metrics").body());
      assertTrue(m.find());
      return m;
    }, m -> Double.parseDouble(m.group(2)) > up, app);
    assertEquals(worker, later.group(1), "worker_id is stable");
  }

  @Test
  void openMetricsWhenTheAcceptHeaderAsksForIt() {
    HttpResponse<String> r = Http.get(port, "/metrics", "Accept", "application/openmetrics-text; version=1.0.0");
    assertEquals(200, r.statusCode());
    String type = r.headers().firstValue("content-type").orElse("");
    assertTrue(type.startsWith("application/openmetrics-text"), type);
    assertTrue(r.body().endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
    assertValidExposition(r.body(), true);
    assertTrue(UPTIME.matcher(r.body()).find(), r.body());
  }

  @Test
  void gzipWhenAccepted() {
    HttpResponse<byte[]> r = Http.getBytes(port, "/metrics", "Accept-Encoding", "gzip");
    assertEquals(200, r.statusCode());
    assertEquals("gzip", r.headers().firstValue("content-encoding").orElse(null), Http.describe(r));
    String type = r.headers().firstValue("content-type").orElse("");
    assertTrue(type.startsWith("text/plain; version=0.0.4"), type);
    String text = Http.gunzip(r.body());
    assertValidExposition(text, false);
    assertTrue(UPTIME.matcher(text).find(), text);
    // both at once
    HttpResponse<byte[]> om = Http.getBytes(port, "/metrics", "Accept-Encoding", "gzip, deflate",
        "Accept", "application/openmetrics-text; version=1.0.0");
    assertEquals("gzip", om.headers().firstValue("content-encoding").orElse(null));
    assertTrue(Http.gunzip(om.body()).endsWith("# EOF\n"));
  }

  @Test
  void labelledFamilyWithoutSeriesShowsNothingInAFreshProcess() {
    int freshPort = FreePort.pick();
    try (AgentProcess fresh = AgentProcess.app(IdleApp.class).env("DYN_SYSTEM_PORT", "" + freshPort).start()) {
      SystemServer sys = new SystemServer(fresh, freshPort);
      String text = sys.awaitInstrumentationActive();
      assertFalse(text.contains("dynamo_obs_instrumentation_errors"), "no series, no HELP/TYPE:\n" + text);
      String om = Http.get(freshPort, "/metrics", "Accept", "application/openmetrics-text; version=1.0.0").body();
      assertFalse(om.contains("dynamo_obs_instrumentation_errors"), "no series, no HELP/TYPE:\n" + om);
      // the unlabelled families are there
      assertTrue(UPTIME.matcher(text).find(), text);
    }
  }

  @Test
  void headSendsTheHeadersOnly() throws IOException {
    try (RawHttp c = new RawHttp(port)) {
      RawHttp.Response head = c.exchange(RawHttp.request("HEAD", "/metrics", "HTTP/1.1"));
      assertEquals(200, head.status(), head.statusLine());
      assertTrue(Integer.parseInt(head.header("content-length")) > 0, head.headers().toString());
      assertTrue(head.header("content-type").startsWith("text/plain; version=0.0.4"));
      // had a body followed, the next response's status line would not come first
      RawHttp.Response next = c.exchange(RawHttp.request("GET", "/health", "HTTP/1.1"));
      assertTrue(next.statusLine().startsWith("HTTP/1.1 "), next.statusLine());
      assertTrue(SystemServer.HEALTH_BODY.matcher(next.bodyText()).matches(), next.bodyText());
    }
  }
}
