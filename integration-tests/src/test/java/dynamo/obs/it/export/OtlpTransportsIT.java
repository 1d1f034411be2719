package dynamo.obs.it.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.it.apps.TracedLoggingApp;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.Http;
import dynamo.obs.it.support.OtlpGrpcReceiver;
import dynamo.obs.it.support.OtlpHttpReceiver;
import dynamo.obs.it.support.OtlpReceiver;
import dynamo.obs.it.support.Poll;
import dynamo.obs.it.support.ReceivedSpan;
import dynamo.obs.it.support.SystemServer;
import dynamo.obs.it.support.TestCertificates;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The OTLP exporter options of the specification (SPEC §2), against real receivers: gRPC and http/protobuf,
 * gzip, headers (generic and per signal), TLS with OTEL_EXPORTER_OTLP_CERTIFICATE and mTLS with
 * OTEL_EXPORTER_OTLP_CLIENT_KEY / _CLIENT_CERTIFICATE, certificates made by the test's own CA; and doctor,
 * which exports through the same settings.
 */
class OtlpTransportsIT {
  private static AgentProcess app(int systemPort, Map<String, String> env) {
    AgentProcess p = AgentProcess.app(TracedLoggingApp.class).env("DYN_SYSTEM_PORT", "" + systemPort)
        .env("DYN_SYSTEM_HOST", "127.0.0.1").env("OTEL_EXPORT_ENABLED", "true").env("OTEL_SERVICE_NAME", "chat-svc")
        .env(env).start();
    new SystemServer(p, systemPort).awaitInstrumentationActive();
    return p;
  }

  private static void chat(AgentProcess app) {
    int port = Integer.parseInt(app.awaitStdout(Pattern.compile("READY (\\d+)")).group(1));
    HttpResponse<String> r = Http.send(HttpRequest.newBuilder(Http.uri(port, "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\"}")).build());
    assertEquals(200, r.statusCode(), Http.describe(r));
  }

  /** The span and the application's log record of one chat request arrived at {@code receiver}. */
  private static void awaitRequest(OtlpReceiver<?> receiver) {
    List<ReceivedSpan> spans = receiver.awaitSpans(l -> !l.isEmpty(), Duration.ofSeconds(30));
    assertEquals("http-request", spans.get(0).name());
    assertEquals("chat-svc", spans.get(0).serviceName());
    receiver.awaitLogs(l -> l.stream().anyMatch(x -> x.body().equals("handling chat")), Duration.ofSeconds(30));
  }

  private static long failures(String metrics) {
    Matcher m = Pattern.compile("(?m)^dynamo_obs_export_failures_total\\{signal=\"spans\"} (\\S+)$").matcher(metrics);
    return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
  }

  @Test
  void grpcOverTlsWithGzipAndHeaders() {
    TestCertificates certs = TestCertificates.get();
    try (OtlpGrpcReceiver collector = new OtlpGrpcReceiver()) {
      collector.tls(OtlpReceiver.Tls.SERVER).start();
      try (AgentProcess app = app(FreePort.pick(), Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint(),
          "OTEL_EXPORTER_OTLP_CERTIFICATE", certs.caPem().toString(),
          "OTEL_EXPORTER_OTLP_COMPRESSION", "gzip",
          "OTEL_EXPORTER_OTLP_HEADERS", "api-key=s3cret%20value,x-tenant=acme"))) {
        chat(app);
        awaitRequest(collector);
        Map<String, String> headers = collector.lastHeaders();
        assertEquals("s3cret value", headers.get("api-key"), "percent-decoded: " + headers);
        assertEquals("acme", headers.get("x-tenant"), headers.toString());
        assertEquals("gzip", headers.get("grpc-encoding"), "the messages were gzipped: " + headers);
        assertTrue(app.stderrLinesContaining(" WARN ").isEmpty(), app.stderr());
      }
    }
  }

  @Test
  void grpcWithMutualTlsAndWithoutTheClientCertificate() {
    TestCertificates certs = TestCertificates.get();
    try (OtlpGrpcReceiver collector = new OtlpGrpcReceiver()) {
      collector.tls(OtlpReceiver.Tls.MUTUAL).start();
      int system = FreePort.pick();
      try (AgentProcess app = app(system, Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", collector.endpoint(),
          "OTEL_EXPORTER_OTLP_CERTIFICATE", certs.caPem().toString(),
          "OTEL_EXPORTER_OTLP_CLIENT_KEY", certs.clientKeyPem().toString(),
          "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", certs.clientCertificatePem().toString()))) {
        chat(app);
        awaitRequest(collector);
      }
      // the same collector refuses the handshake of an agent without a client certificate: nothing arrives,
      // every attempt is counted as a failure, and the spans wait in the buffer
      collector.clear();
      try (AgentProcess app = app(system, Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", collector.endpoint(),
          "OTEL_EXPORTER_OTLP_CERTIFICATE", certs.caPem().toString()))) {
        chat(app);
        Poll.until("failed exports counted", () -> failures(new SystemServer(app, system).metrics()), f -> f >= 2, app);
        assertTrue(collector.spans().isEmpty(), collector.spans().toString());
        assertEquals(1, app.stderrLinesContaining("did not take spans").size(), app.stderr());
      }
    }
  }

  @Test
  void httpProtobufWithMutualTlsGzipAndPerSignalHeaders() {
    TestCertificates certs = TestCertificates.get();
    try (OtlpHttpReceiver collector = new OtlpHttpReceiver()) {
      collector.tls(OtlpReceiver.Tls.MUTUAL).start();
      try (AgentProcess app = app(FreePort.pick(), Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint(),
          "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
          "OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE", certs.caPem().toString(),
          "OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE", certs.caPem().toString(),
          "OTEL_EXPORTER_OTLP_CLIENT_KEY", certs.clientKeyPem().toString(),
          "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", certs.clientCertificatePem().toString(),
          "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "gzip",
          "OTEL_EXPORTER_OTLP_HEADERS", "x-generic=1",
          "OTEL_EXPORTER_OTLP_LOGS_HEADERS", "x-logs=2"))) {
        chat(app);
        awaitRequest(collector);
        Map<String, String> traceHeaders = collector.lastHeaders(OtlpReceiver.Signal.TRACES);
        assertEquals("1", traceHeaders.get("x-generic"), traceHeaders.toString());
        assertEquals("gzip", traceHeaders.get("content-encoding"), traceHeaders.toString());
        Map<String, String> logHeaders = collector.lastHeaders(OtlpReceiver.Signal.LOGS);
        assertEquals("2", logHeaders.get("x-logs"), logHeaders.toString());
        assertTrue(!logHeaders.containsKey("x-generic"), "a signal's headers replace the generic ones: " + logHeaders);
        assertTrue(!logHeaders.containsKey("content-encoding"), "logs are not gzipped: " + logHeaders);
      }
    }
  }

  @Test
  void doctorExportsThroughTheSameTlsSettings() {
    TestCertificates certs = TestCertificates.get();
    try (OtlpGrpcReceiver collector = new OtlpGrpcReceiver()) {
      collector.tls(OtlpReceiver.Tls.MUTUAL).start();
      try (AgentProcess p = AgentProcess.agentCli("doctor").env("OTEL_EXPORT_ENABLED", "true")
          .env("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint())
          .env("OTEL_EXPORTER_OTLP_CERTIFICATE", certs.caPem().toString())
          .env("OTEL_EXPORTER_OTLP_CLIENT_KEY", certs.clientKeyPem().toString())
          .env("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", certs.clientCertificatePem().toString()).start()) {
        assertEquals(0, p.awaitExit(Duration.ofSeconds(60)), p.outputs());
        String out = p.stdout();
        assertEquals(2, out.split("gRPC handshake ok", -1).length - 1, "traces and logs: " + out);
        assertTrue(out.contains("client key " + certs.clientKeyPem()), out);
        assertTrue(out.contains("(mTLS)"), out);
      }
      try (AgentProcess p = AgentProcess.agentCli("doctor").env("OTEL_EXPORT_ENABLED", "true")
          .env("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint()).env("OTEL_EXPORT_LOGS_ENABLED", "false").start()) {
        p.awaitExit(Duration.ofSeconds(60));
        assertTrue(p.stdout().contains("[no answer:"), "an untrusted server certificate: " + p.stdout());
      }
    }
  }
}
