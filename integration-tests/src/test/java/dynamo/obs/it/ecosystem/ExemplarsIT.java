package dynamo.obs.it.ecosystem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dynamo.obs.it.apps.OpenAiStubApp;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.Http;
import dynamo.obs.it.support.OtlpGrpcReceiver;
import dynamo.obs.it.support.Poll;
import dynamo.obs.it.support.ReceivedSpan;
import dynamo.obs.it.support.SystemServer;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §4/§5 with export on: the TTFT, ITL and request-duration histograms carry trace-id exemplars in
 * the OpenMetrics exposition, and a real Prometheus (exemplar storage on) scraping the agent gives them
 * back through its exemplars API, each naming a trace the collector received. Without export, none.
 */
class ExemplarsIT {
  private static final List<String> HISTOGRAMS = List.of("dynamo_frontend_time_to_first_token_seconds",
      "dynamo_frontend_inter_token_latency_seconds", "dynamo_frontend_request_duration_seconds");

  private static void streamedChats(AgentProcess app, int n) {
    int port = Integer.parseInt(app.awaitStdout(Pattern.compile("READY (\\d+)")).group(1));
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = Http.send(HttpRequest.newBuilder(Http.uri(port, "/v1/chat/completions"))
          .timeout(Duration.ofSeconds(10)).header("x-scenario", "stream")
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"stream\":true}")).build());
      assertEquals(200, r.statusCode(), Http.describe(r));
    }
  }

  private static String openMetrics(int systemPort) {
    return Http.send(HttpRequest.newBuilder(Http.uri(systemPort, "/metrics"))
        .header("Accept", "application/openmetrics-text; version=1.0.0").timeout(Duration.ofSeconds(10)).GET()
        .build()).body();
  }

  @Test
  void latencyHistogramsCarryTraceExemplarsThatPrometheusKeeps(@TempDir Path dir) throws Exception {
    Optional<Path> prom = Tools.onPath("prometheus");
    assumeTrue(prom.isPresent(), "skipped: " + Tools.PACKAGE_HINT);
    int system = FreePort.pick();
    try (OtlpGrpcReceiver collector = new OtlpGrpcReceiver()) {
      collector.start();
      try (AgentProcess app = AgentProcess.app(OpenAiStubApp.class).env("DYN_SYSTEM_PORT", "" + system)
          .env("DYN_SYSTEM_HOST", "127.0.0.1").env("OTEL_EXPORT_ENABLED", "true")
          .env("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint()).start()) {
        new SystemServer(app, system).awaitInstrumentationActive();
        streamedChats(app, 5);
        Set<String> traces = new HashSet<>();
        for (ReceivedSpan s : collector.awaitSpans(l -> l.size() >= 5, Duration.ofSeconds(30))) {
          traces.add(s.traceId());
        }

        // the exposition itself: OpenMetrics exemplars on the three histograms' buckets
        String text = openMetrics(system);
        for (String h : HISTOGRAMS) {
          Pattern exemplar = Pattern.compile("(?m)^" + h + "_bucket\\{[^}]*} \\S+ # \\{span_id=\"[0-9a-f]{16}\","
              + "trace_id=\"([0-9a-f]{32})\"} \\S+ \\S+$");
          var m = exemplar.matcher(text);
          assertTrue(m.find(), h + " has an exemplar:\n" + text);
          assertTrue(traces.contains(m.group(1)), "the exemplar names an exported trace: " + m.group(1) + " " + traces);
        }

        // and read back through Prometheus
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: dynamo-frontend\n"
            + "    static_configs:\n      - targets: ['127.0.0.1:" + system + "']\n");
        int promPort = PrometheusServer.pickPort();
        try (PrometheusServer prometheus = PrometheusServer.start(prom.get(), config, dir, promPort,
            List.of("--enable-feature=exemplar-storage"))) {
          Poll.until("prometheus ready", prometheus::ready, r -> r, Duration.ofSeconds(60), prometheus::log);
          long start = System.currentTimeMillis() / 1000 - 300;
          for (String h : HISTOGRAMS) {
            List<Object> found = Poll.until("exemplars of " + h, () -> exemplars(prometheus, h + "_bucket", start),
                l -> !l.isEmpty(), Duration.ofSeconds(60), prometheus::log);
            for (Object e : found) {
              Map<String, Object> labels = Json.object(Json.object(e).get("labels"));
              String traceId = String.valueOf(labels.get("trace_id"));
              assertTrue(traces.contains(traceId), h + ": " + traceId + " is one of the exported traces " + traces);
              assertTrue(String.valueOf(labels.get("span_id")).matches("[0-9a-f]{16}"), labels.toString());
            }
          }
        }
      }
    }
  }

  /** Every exemplar Prometheus keeps for the series of {@code selector} since {@code startSeconds}. */
  private static List<Object> exemplars(PrometheusServer prometheus, String selector, long startSeconds) {
    Map<String, Object> r = prometheus.get("/api/v1/query_exemplars?query="
        + URLEncoder.encode(selector, StandardCharsets.UTF_8) + "&start=" + startSeconds + "&end="
        + (System.currentTimeMillis() / 1000 + 60));
    assertEquals("success", r.get("status"), r.toString());
    List<Object> out = new ArrayList<>();
    for (Object series : Json.array(r.get("data"))) {
      out.addAll(Json.array(Json.object(series).get("exemplars")));
    }
    return out;
  }

  @Test
  void withoutExportThereAreNoExemplars() {
    int system = FreePort.pick();
    try (AgentProcess app = AgentProcess.app(OpenAiStubApp.class).env("DYN_SYSTEM_PORT", "" + system)
        .env("DYN_SYSTEM_HOST", "127.0.0.1").env("DYN_LOGGING_JSONL", "true").start()) {
      new SystemServer(app, system).awaitInstrumentationActive();
      streamedChats(app, 3);
      String text = openMetrics(system);
      assertTrue(text.contains("dynamo_frontend_time_to_first_token_seconds_bucket"), text);
      assertFalse(text.contains("trace_id"), "spans exist for the log lines, but none is exported:\n" + text);
    }
  }
}
