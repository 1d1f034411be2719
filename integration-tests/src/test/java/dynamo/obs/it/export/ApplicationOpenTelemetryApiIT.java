package dynamo.obs.it.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dynamo.obs.it.apps.OtelApiApp;
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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §5: an application that uses the OpenTelemetry API (an old and the newest 1.x, no SDK) joins the
 * agent: {@code Span.current()} in a chat request is the agent's http-request span, a span the application
 * starts is its child and is exported by the agent (its scope, attributes, event and status kept), and the
 * outgoing call made inside it carries that span and the application's baggage. Exported through real
 * receivers: gRPC over TLS with headers, and http/protobuf over mTLS with gzip. Without the API on the
 * class path, nothing of the bridge is woven.
 */
class ApplicationOpenTelemetryApiIT {
  private static final Pattern ANSWER = Pattern
      .compile("current=([0-9a-f]{32})/([0-9a-f]{16}) app=([0-9a-f]{32})/([0-9a-f]{16}) downstream=ok");

  /** {@code 0}: the old API (1.40) over gRPC with TLS; {@code 1}: the newest over http/protobuf with mTLS. */
  @ParameterizedTest
  @ValueSource(ints = {0, 1})
  void applicationSpansAreChildrenOfTheRequestSpanAndExportedByTheAgent(int variant) throws Exception {
    Path api = Path.of(System.getProperty("otel.api.libs").split(",")[variant]);
    TestCertificates certs = TestCertificates.get();
    List<Map<String, List<String>>> downstream = new CopyOnWriteArrayList<>();
    HttpServer next = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    next.createContext("/next", ex -> {
      downstream.add(Map.copyOf(ex.getRequestHeaders()));
      byte[] ok = "ok".getBytes();
      ex.sendResponseHeaders(200, ok.length);
      ex.getResponseBody().write(ok);
      ex.close();
    });
    next.start();
    boolean grpc = variant == 0;
    try (OtlpReceiver<?> collector = grpc ? new OtlpGrpcReceiver() : new OtlpHttpReceiver()) {
      collector.tls(grpc ? OtlpReceiver.Tls.SERVER : OtlpReceiver.Tls.MUTUAL).start();
      int system = FreePort.pick();
      AgentProcess.Builder b = AgentProcess.app(OtelApiApp.class).classpath(api.resolve("*"))
          .args("http://127.0.0.1:" + next.getAddress().getPort() + "/next")
          .env("DYN_SYSTEM_PORT", "" + system).env("DYN_SYSTEM_HOST", "127.0.0.1")
          .env("DYN_LOG", "info,dynamo_obs.instrumentation=debug")
          .env("OTEL_EXPORT_ENABLED", "true").env("OTEL_SERVICE_NAME", "chat-svc")
          .env("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint())
          .env("OTEL_EXPORTER_OTLP_CERTIFICATE", certs.caPem().toString());
      if (grpc) {
        b.env("OTEL_EXPORTER_OTLP_HEADERS", "x-tenant=acme");
      } else {
        b.env("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf").env("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip")
            .env("OTEL_EXPORTER_OTLP_CLIENT_KEY", certs.clientKeyPem().toString())
            .env("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", certs.clientCertificatePem().toString());
      }
      try (AgentProcess app = b.start()) {
        new SystemServer(app, system).awaitInstrumentationActive();
        int port = Integer.parseInt(app.awaitStdout(Pattern.compile("READY (\\d+)")).group(1));
        HttpResponse<String> r = Http.send(HttpRequest.newBuilder(Http.uri(port, "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\"}")).build());
        assertEquals(200, r.statusCode(), Http.describe(r));
        Matcher m = ANSWER.matcher(r.body());
        assertTrue(m.matches(), r.body());

        List<ReceivedSpan> spans = collector.awaitSpans(l -> l.size() >= 3, Duration.ofSeconds(30));
        ReceivedSpan request = spans.stream().filter(s -> s.name().equals("http-request")).findFirst().orElseThrow();
        ReceivedSpan work = spans.stream().filter(s -> s.name().equals("app.work")).findFirst()
            .orElseThrow(() -> new AssertionError("the application's span was exported: " + spans));
        assertEquals(request.traceId(), m.group(1), "Span.current() is the agent's request span");
        assertEquals(request.spanId(), m.group(2));
        assertEquals(request.traceId(), work.traceId(), "one trace");
        assertEquals(request.spanId(), work.parentSpanId(), "the application's span is a child of http-request");
        assertEquals(m.group(4), work.spanId());
        assertEquals("com.acme.chat", work.scopeName());
        assertEquals("chat-svc", work.serviceName());
        assertEquals("INTERNAL", work.kind());
        assertEquals("retrieve", work.attributes().get("app.step"));
        assertEquals(3L, work.attributes().get("app.documents"));
        assertEquals("OK", work.statusCode());
        ReceivedSpan early = spans.stream().filter(s -> s.name().equals("app.early")).findFirst().orElseThrow();
        assertEquals(work.spanId(), early.parentSpanId(), "a span of the tracer taken at start: " + early);
        // its scope is the tracer's when the agent's weaving was in place before it was taken, else "application"
        assertTrue(early.scopeName().equals("com.acme.early") || early.scopeName().equals("application"),
            early.scopeName());

        assertEquals(1, downstream.size(), downstream.toString());
        Map<String, List<String>> h = downstream.get(0);
        List<String> traceparent = h.get("Traceparent");
        assertEquals(1, traceparent.size(), h.toString());
        assertEquals("00-" + work.traceId() + "-" + work.spanId() + "-01", traceparent.get(0),
            "the outgoing call's parent is the application's span");
        assertEquals(List.of("tenant=acme"), h.get("Baggage"), h.toString());
        assertFalse(app.stderrLinesContaining("instrumented io.opentelemetry.api.GlobalOpenTelemetry").isEmpty(),
            app.stderr());
        assertTrue(app.stderrLinesContaining(" WARN ").isEmpty(), app.stderr());
        if (grpc) {
          assertEquals("acme", collector.lastHeaders(OtlpReceiver.Signal.TRACES).get("x-tenant"));
        } else {
          assertEquals("gzip", collector.lastHeaders(OtlpReceiver.Signal.TRACES).get("content-encoding"));
        }
      }
    } finally {
      next.stop(0);
    }
  }

  /** Without the API on the class path, nothing of the bridge is woven (its triggers never load Byte Buddy for it). */
  @Test
  void anApplicationWithoutTheApiPaysNothing() {
    try (OtlpGrpcReceiver collector = new OtlpGrpcReceiver()) {
      collector.start();
      int system = FreePort.pick();
      try (AgentProcess app = AgentProcess.app(TracedLoggingApp.class).env("DYN_SYSTEM_PORT", "" + system)
          .env("DYN_SYSTEM_HOST", "127.0.0.1").env("DYN_LOG", "info,dynamo_obs.instrumentation=debug")
          .env("OTEL_EXPORT_ENABLED", "true").env("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint()).start()) {
        new SystemServer(app, system).awaitInstrumentationActive();
        int port = Integer.parseInt(app.awaitStdout(Pattern.compile("READY (\\d+)")).group(1));
        Http.send(HttpRequest.newBuilder(Http.uri(port, "/v1/chat/completions")).timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\"}")).build());
        collector.awaitSpans(l -> !l.isEmpty(), Duration.ofSeconds(30));
        Poll.until("the request's lines", () -> app.stderrLinesContaining("request completed"), l -> !l.isEmpty(), app);
        assertTrue(app.stderrLinesContaining("instrumented io.opentelemetry").isEmpty(), app.stderr());
        assertTrue(app.stderrLinesContaining("loading Byte Buddy").isEmpty(), "no trigger class of any module loaded:\n"
            + app.stderr());
      }
    }
  }
}
