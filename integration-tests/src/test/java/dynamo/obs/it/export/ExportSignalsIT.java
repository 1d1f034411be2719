package dynamo.obs.it.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.it.apps.TracedLoggingApp;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.Http;
import dynamo.obs.it.support.OtlpGrpcReceiver;
import dynamo.obs.it.support.OtlpHttpReceiver;
import dynamo.obs.it.support.OtlpReceiver;
import dynamo.obs.it.support.Poll;
import dynamo.obs.it.support.ReceivedLog;
import dynamo.obs.it.support.ReceivedSpan;
import dynamo.obs.it.support.SystemServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Which signals leave the process and how they are joined (SPEC §2, §5, §6): an application's log
 * record exported with the trace and span of the request it was logged in; traces only; a separate
 * logs endpoint and protocol; parent-based ratio sampling.
 */
class ExportSignalsIT {
  private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  private static final String PARENT = "b7ad6b7169203331";

  private static AgentProcess app(int systemPort, String... env) {
    AgentProcess.Builder b = AgentProcess.app(TracedLoggingApp.class).env("DYN_SYSTEM_PORT", "" + systemPort)
        .env("DYN_SYSTEM_HOST", "127.0.0.1").env("OTEL_EXPORT_ENABLED", "true").env("OTEL_SERVICE_NAME", "chat-svc");
    for (int i = 0; i + 1 < env.length; i += 2) {
      b.env(env[i], env[i + 1]);
    }
    AgentProcess p = b.start();
    new SystemServer(p, systemPort).awaitInstrumentationActive();
    return p;
  }

  private static void chat(AgentProcess app, String traceparent) {
    int port = Integer.parseInt(app.awaitStdout(Pattern.compile("READY (\\d+)")).group(1));
    HttpRequest.Builder b = HttpRequest.newBuilder(Http.uri(port, "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\"}"));
    if (traceparent != null) {
      b.header("traceparent", traceparent);
    }
    HttpResponse<String> r = Http.send(b.build());
    assertEquals(200, r.statusCode(), Http.describe(r));
  }

  @Test
  void anApplicationLogRecordCarriesItsRequestsTraceAndSpan() {
    try (OtlpGrpcReceiver collector = new OtlpGrpcReceiver()) {
      collector.start();
      try (AgentProcess app = app(FreePort.pick(), "OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint())) {
        chat(app, "00-" + TRACE + "-" + PARENT + "-01");
        ReceivedSpan span = collector.awaitSpans(l -> !l.isEmpty(), Duration.ofSeconds(20)).get(0);
        List<ReceivedLog> logs = collector.awaitLogs(l -> l.stream().anyMatch(x -> x.body().equals("handling chat")),
            Duration.ofSeconds(20));
        ReceivedLog log = logs.stream().filter(x -> x.body().equals("handling chat")).findFirst().orElseThrow();
        assertEquals(TRACE, span.traceId());
        assertEquals(TRACE, log.traceId(), "the log record is in the request's trace: " + log);
        assertEquals(span.spanId(), log.spanId(), "and in its http-request span");
        assertEquals("com.acme.chat", log.scopeName(), "the logger name");
        assertEquals("INFO", log.severityText());
        assertEquals(9, log.severityNumber(), "OTel's INFO");
        assertEquals("chat-svc", log.serviceName());
        assertTrue(logs.stream().anyMatch(x -> x.body().equals("request completed") && x.traceId().equals(TRACE)),
            "the agent's lifecycle events too: " + logs);
        // upstream's fields (InflightGuard, lib/llm/src/http/service/metrics.rs): the completion repeats the
        // request's own, as the receipt has them
        ReceivedLog received = collector.awaitLogs(l -> l.stream().anyMatch(x -> x.body().equals("request received")),
            Duration.ofSeconds(20)).stream().filter(x -> x.body().equals("request received")).findFirst().orElseThrow();
        ReceivedLog completed = logs.stream().filter(x -> x.body().equals("request completed")).findFirst()
            .orElseThrow();
        for (String field : List.of("request_id", "model", "endpoint", "request_type")) {
          assertNotNull(received.attributes().get(field), field + ": " + received);
          assertEquals(received.attributes().get(field), completed.attributes().get(field), field + ": " + completed);
        }
        assertEquals("m", completed.attributes().get("model"));
        assertEquals("chat_completions", completed.attributes().get("endpoint"));
        assertEquals("unary", completed.attributes().get("request_type"));
        assertEquals("success", completed.attributes().get("status"));
        assertNotNull(completed.attributes().get("elapsed_ms"), completed.toString());
        assertNull(completed.attributes().get("error_type"), "only a failure has one: " + completed);
      }
    }
  }

  @Test
  void exportLogsDisabledSendsTracesOnly() throws Exception {
    try (OtlpGrpcReceiver collector = new OtlpGrpcReceiver()) {
      collector.start();
      try (AgentProcess app = app(FreePort.pick(), "OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint(),
          "OTEL_EXPORT_LOGS_ENABLED", "false")) {
        chat(app, null);
        collector.awaitSpans(l -> !l.isEmpty(), Duration.ofSeconds(20));
        Thread.sleep(2_500); // more than the export period: logs would have gone with the spans
        assertEquals(0, collector.exportCalls(OtlpReceiver.Signal.LOGS), "no log export at all");
      }
    }
  }

  @Test
  void logsGoToTheirOwnEndpointAndProtocol() {
    try (OtlpGrpcReceiver traces = new OtlpGrpcReceiver(); OtlpHttpReceiver logs = new OtlpHttpReceiver()) {
      traces.start();
      logs.start();
      try (AgentProcess app = app(FreePort.pick(), "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", traces.endpoint(),
          "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", logs.endpoint() + "/v1/logs",
          "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "http/protobuf")) {
        chat(app, null);
        traces.awaitSpans(l -> !l.isEmpty(), Duration.ofSeconds(20));
        logs.awaitLogs(l -> l.stream().anyMatch(x -> x.body().equals("handling chat")), Duration.ofSeconds(20));
        assertEquals(0, traces.exportCalls(OtlpReceiver.Signal.LOGS), "logs went to their own endpoint");
        assertEquals(0, logs.exportCalls(OtlpReceiver.Signal.TRACES), "spans went to theirs");
      }
    }
  }

  @Test
  void sampleRatioZeroDropsNewTracesButFollowsASampledParent() {
    try (OtlpGrpcReceiver collector = new OtlpGrpcReceiver()) {
      collector.start();
      try (AgentProcess app = app(FreePort.pick(), "OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint(),
          "OTEL_TRACES_SAMPLE_RATIO", "0")) {
        chat(app, null); // a new trace: not sampled
        chat(app, "00-" + TRACE + "-" + PARENT + "-01"); // the caller sampled it: parent-based
        chat(app, "00-" + TRACE.replace('0', '1') + "-" + PARENT + "-00"); // the caller did not
        List<ReceivedSpan> spans = collector.awaitSpans(l -> !l.isEmpty(), Duration.ofSeconds(20));
        collector.awaitLogs(l -> l.stream().filter(x -> x.body().equals("handling chat")).count() == 3,
            Duration.ofSeconds(20)); // by then every span that was to go has gone
        spans = collector.spans();
        assertEquals(1, spans.size(), spans.toString());
        assertEquals(TRACE, spans.get(0).traceId());
      }
    }
  }

  /**
   * JSONL without export (SPEC §6): spans exist for the log lines' sake; the application's line
   * inside the request carries its trace and span, and DYN_LOGGING_SPAN_EVENTS adds the span records.
   */
  @Test
  void jsonlLinesCarryTheRequestsSpanWithoutExport() {
    try (AgentProcess app = app(FreePort.pick(), "OTEL_EXPORT_ENABLED", "false", "DYN_LOGGING_JSONL", "true",
        "DYN_LOGGING_SPAN_EVENTS", "true")) {
      chat(app, "00-" + TRACE + "-" + PARENT + "-01");
      String line = Poll.until("the application's JSONL line", () -> app.stderrLinesContaining("handling chat"),
          l -> !l.isEmpty(), app).get(0);
      assertTrue(line.startsWith("{\"time\":\""), line);
      assertTrue(line.contains("\"target\":\"com.acme.chat\""), line);
      assertTrue(line.contains("\"trace_id\":\"" + TRACE + "\""), line);
      assertTrue(line.contains("\"span_name\":\"http-request\""), line);
      assertTrue(line.matches(".*\"span_id\":\"[0-9a-f]{16}\".*"), line);
      List<String> closed = Poll.until("SPAN_CLOSED", () -> app.stderrLinesContaining("SPAN_CLOSED"), l -> !l.isEmpty(),
          app);
      assertTrue(
          closed.get(0).matches(".*\"time.busy_us\":\\d+.*\"time.duration_us\":\\d+.*\"trace_id\":\"" + TRACE + "\".*"),
          closed.get(0));
      assertEquals(1, app.stderrLinesContaining("SPAN_FIRST_ENTRY").size(), app.stderr());
    }
  }
}
