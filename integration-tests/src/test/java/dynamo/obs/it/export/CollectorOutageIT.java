package dynamo.obs.it.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.it.apps.InferenceServerApp;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.Http;
import dynamo.obs.it.support.OtlpGrpcReceiver;
import dynamo.obs.it.support.OtlpReceiver;
import dynamo.obs.it.support.Poll;
import dynamo.obs.it.support.ReceivedSpan;
import dynamo.obs.it.support.SystemServer;
import io.grpc.Status;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * SPEC §7 with a real gRPC collector that is absent, goes away, answers slowly or refuses: the
 * application's requests are answered all the while, spans wait in the bounded buffer and arrive
 * when the collector takes them again, and beyond the buffer the oldest are dropped, counted and
 * logged once. Every request carries its own x-request-id, so the test knows exactly which spans
 * arrived.
 */
class CollectorOutageIT {

  private static AgentProcess app(int collectorPort, int systemPort, String... env) {
    AgentProcess.Builder b = AgentProcess.app(InferenceServerApp.class)
        .env("DYN_SYSTEM_PORT", "" + systemPort)
        .env("DYN_SYSTEM_HOST", "127.0.0.1")
        .env("OTEL_EXPORT_ENABLED", "true")
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + collectorPort);
    for (int i = 0; i + 1 < env.length; i += 2) {
      b.env(env[i], env[i + 1]);
    }
    return b.start();
  }

  private static int appPort(AgentProcess app) {
    return Integer.parseInt(app.awaitStdout(Pattern.compile("READY (\\d+)")).group(1));
  }

  /** Sends {@code n} requests tagged {@code prefix-<i>}; every one must be answered. */
  private static void requests(int port, String prefix, int from, int n) {
    for (int i = from; i < from + n; i++) {
      HttpResponse<String> r = Http.send(java.net.http.HttpRequest.newBuilder(Http.uri(port, "/v1/chat/completions"))
          .timeout(Duration.ofSeconds(10)).header("x-request-id", prefix + "-" + i)
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"model\":\"m\"}")).build());
      assertEquals(200, r.statusCode(), "the application answers while the collector is away: " + Http.describe(r));
    }
  }

  private static Set<String> requestIds(List<ReceivedSpan> spans) {
    Set<String> ids = new HashSet<>();
    for (ReceivedSpan s : spans) {
      ids.add(String.valueOf(s.attributes().get("x_request_id")));
    }
    return ids;
  }

  private static List<ReceivedSpan> awaitRequests(OtlpReceiver<?> receiver, String prefix, int from, int n) {
    return receiver.awaitSpans(spans -> {
      Set<String> ids = requestIds(spans);
      for (int i = from; i < from + n; i++) {
        if (!ids.contains(prefix + "-" + i)) {
          return false;
        }
      }
      return true;
    }, Duration.ofSeconds(40));
  }

  private static long counter(String metrics, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + "\\{signal=\"spans\"} (\\S+)$").matcher(metrics);
    return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
  }

  /** Absent at start, there later: everything made meanwhile arrives, none twice, nothing dropped. */
  @Test
  void absentAtStartThenThere() {
    int collector = FreePort.pick();
    int system = FreePort.pick();
    try (AgentProcess app = app(collector, system); OtlpGrpcReceiver receiver = new OtlpGrpcReceiver()) {
      int port = appPort(app);
      new SystemServer(app, system).awaitInstrumentationActive();
      requests(port, "early", 0, 200);
      Poll.until("a failed export counted", () -> counter(new SystemServer(app, system).metrics(),
          "dynamo_obs_export_failures_total"), f -> f > 0, app);
      receiver.start(collector);
      List<ReceivedSpan> spans = awaitRequests(receiver, "early", 0, 200);
      assertEquals(200, spans.size(), "each span once");
      // the collector keeps a batch before it answers; the agent counts it when the answer arrives
      String metrics = Poll.until("the deliveries counted", () -> new SystemServer(app, system).metrics(),
          m -> counter(m, "dynamo_obs_exported_total") == 200, app);
      assertEquals(0, counter(metrics, "dynamo_obs_export_dropped_total"), metrics);
      assertEquals(1, app.stderrLinesContaining("did not take spans").size(), "one WARN per outage:\n" + app.stderr());
      Poll.until("the recovery line", () -> app.stderrLinesContaining("takes spans again").size(), c -> c == 1, app);
    }
  }

  /** Goes away mid-run and comes back on the same port: before, during and after all arrive. */
  @Test
  void goesAwayAndComesBack() {
    int system = FreePort.pick();
    try (OtlpGrpcReceiver receiver = new OtlpGrpcReceiver()) {
      receiver.start();
      int collector = receiver.port();
      try (AgentProcess app = app(collector, system)) {
        int port = appPort(app);
        new SystemServer(app, system).awaitInstrumentationActive();
        requests(port, "before", 0, 50);
        awaitRequests(receiver, "before", 0, 50);
        receiver.stop();
        requests(port, "during", 0, 100);
        Poll.until("a failed export counted", () -> counter(new SystemServer(app, system).metrics(),
            "dynamo_obs_export_failures_total"), f -> f > 0, app);
        receiver.start(collector);
        requests(port, "after", 0, 50);
        awaitRequests(receiver, "during", 0, 100);
        awaitRequests(receiver, "after", 0, 50);
        assertEquals(0, counter(new SystemServer(app, system).metrics(), "dynamo_obs_export_dropped_total"));
      }
    }
  }

  /**
   * A collector that holds exports: while it holds them (20 s) the requests made meanwhile are all
   * answered and no export has finished (the request path does not wait for the collector); then
   * 5 s per export, and everything arrives.
   */
  @Test
  void slowCollectorDoesNotHoldRequests() {
    int system = FreePort.pick();
    try (OtlpGrpcReceiver receiver = new OtlpGrpcReceiver()) {
      receiver.start();
      receiver.slow(Duration.ofSeconds(20));
      try (AgentProcess app = app(receiver.port(), system)) {
        int port = appPort(app);
        new SystemServer(app, system).awaitInstrumentationActive();
        requests(port, "held", 0, 1);
        Poll.until("the first export to be under way", () -> receiver.exportCalls(OtlpReceiver.Signal.TRACES),
            c -> c >= 1, app);
        requests(port, "held", 1, 299);
        assertTrue(receiver.spans().isEmpty(), "no export finished yet, and every request was answered");
        receiver.slow(Duration.ofSeconds(5));
        requests(port, "slow", 0, 300);
        awaitRequests(receiver, "held", 0, 300);
        awaitRequests(receiver, "slow", 0, 300);
      }
    }
  }

  /** UNAVAILABLE and RESOURCE_EXHAUSTED: kept and sent again until the collector takes them. */
  @Test
  void refusalsAreRetried() {
    int system = FreePort.pick();
    try (OtlpGrpcReceiver receiver = new OtlpGrpcReceiver()) {
      receiver.start();
      receiver.refuse(Status.Code.UNAVAILABLE);
      try (AgentProcess app = app(receiver.port(), system)) {
        int port = appPort(app);
        new SystemServer(app, system).awaitInstrumentationActive();
        requests(port, "refused", 0, 100);
        Poll.until("a refused export", () -> receiver.refusedCalls(OtlpReceiver.Signal.TRACES), c -> c >= 1, app);
        receiver.refuse(Status.Code.RESOURCE_EXHAUSTED);
        int refused = receiver.refusedCalls(OtlpReceiver.Signal.TRACES);
        Poll.until("a refusal for lack of resources", () -> receiver.refusedCalls(OtlpReceiver.Signal.TRACES),
            c -> c > refused, app);
        assertTrue(receiver.spans().isEmpty());
        receiver.accept();
        List<ReceivedSpan> spans = awaitRequests(receiver, "refused", 0, 100);
        assertEquals(100, spans.size());
      }
    }
  }

  /**
   * INVALID_ARGUMENT: the collector refuses the batch itself, so it would refuse it again forever. The batch
   * is dropped and counted, that is logged once, and what comes after it is delivered.
   */
  @Test
  void aBatchRejectedAsInvalidIsDroppedAndDoesNotHoldUpTheRest() {
    int system = FreePort.pick();
    try (OtlpGrpcReceiver receiver = new OtlpGrpcReceiver()) {
      receiver.start();
      receiver.refuse(Status.Code.INVALID_ARGUMENT);
      try (AgentProcess app = app(receiver.port(), system)) {
        int port = appPort(app);
        SystemServer server = new SystemServer(app, system);
        server.awaitInstrumentationActive();
        requests(port, "rejected", 0, 50);
        Poll.until("the rejected spans dropped and counted", server::metrics,
            m -> counter(m, "dynamo_obs_export_dropped_total") == 50, app);
        int calls = receiver.refusedCalls(OtlpReceiver.Signal.TRACES);
        receiver.accept();
        requests(port, "after", 0, 50);
        awaitRequests(receiver, "after", 0, 50);
        Set<String> ids = requestIds(receiver.spans());
        assertTrue(ids.stream().noneMatch(id -> id.startsWith("rejected-")),
            "a rejected batch is not sent again: " + ids);
        assertEquals(calls, receiver.refusedCalls(OtlpReceiver.Signal.TRACES));
        List<String> warned = app.stderrLinesContaining("rejected a batch of");
        assertEquals(1, warned.stream().filter(l -> l.contains(" spans (gRPC status INVALID_ARGUMENT")).count(),
            "logged once per signal:\n" + app.stderr());
        assertTrue(warned.stream().filter(l -> l.contains(" logs (")).count() <= 1,
            "logged once per signal: " + warned);
      }
    }
  }

  /**
   * A buffer of 64 spans and 300 requests while the collector is away: the newest are delivered,
   * the oldest dropped and counted, and the drop is logged once.
   */
  @Test
  void beyondTheBufferTheOldestAreDroppedAndCounted() {
    int collector = FreePort.pick();
    int system = FreePort.pick();
    try (AgentProcess app = app(collector, system, "OTEL_BSP_MAX_QUEUE_SIZE", "64");
        OtlpGrpcReceiver receiver = new OtlpGrpcReceiver()) {
      int port = appPort(app);
      SystemServer server = new SystemServer(app, system);
      server.awaitInstrumentationActive();
      requests(port, "burst", 0, 300);
      Poll.until("drops counted", () -> counter(server.metrics(), "dynamo_obs_export_dropped_total"),
          d -> d > 0, app);
      // two more refused attempts after the burst: whatever was on its way is back in the buffer
      long failures = counter(server.metrics(), "dynamo_obs_export_failures_total");
      Poll.until("refused again", () -> counter(server.metrics(), "dynamo_obs_export_failures_total"),
          f -> f >= failures + 2, app);
      receiver.start(collector);
      awaitRequests(receiver, "burst", 300 - 64, 64);
      String metrics = Poll.until("every span accounted for", server::metrics,
          m -> counter(m, "dynamo_obs_exported_total") + counter(m, "dynamo_obs_export_dropped_total") == 300, app);
      long delivered = counter(metrics, "dynamo_obs_exported_total");
      assertEquals(64, delivered, "the buffer held 64, retried batches included:\n" + metrics);
      List<ReceivedSpan> spans = receiver.spans();
      assertEquals(delivered, spans.size(), "what was counted as exported arrived");
      Set<String> newest = new HashSet<>();
      for (int i = 300 - 64; i < 300; i++) {
        newest.add("burst-" + i);
      }
      assertEquals(newest, requestIds(spans), "exactly the newest 64, none twice");
      assertEquals(1, app.stderrLinesContaining("buffer is full").size(), "the drop is logged once:\n" + app.stderr());
    }
  }
}
