package dynamo.obs.it.ecosystem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dynamo.obs.it.support.OtlpGrpcReceiver;
import dynamo.obs.it.support.ReceivedLog;
import dynamo.obs.it.support.ReceivedSpan;
import dynamo.obs.it.support.Poll;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The demo deployment (four JVMs with the agent) under load, scraped by a real Prometheus whose
 * configuration is the shipped dev/observability/prometheus.yml with loopback targets and 1 s scrapes;
 * every query of every shipped dashboard must return data through Prometheus's HTTP API, and every
 * process's exposition must pass {@code promtool check metrics}.
 *
 * <p>Runs once, on the default JDK (the agent's exposition does not depend on the JDK; the other agent
 * tests cover both). Skipped when the Debian package {@code prometheus} is not installed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoDeploymentPrometheusIT {
  /** Shipped target → which member of the deployment it stands for (the demo's system ports). */
  static final Map<String, String> SHIPPED_TARGETS = Map.of(
      "host.docker.internal:8081", "frontend",
      "host.docker.internal:8084", "router",
      "host.docker.internal:8082", "worker1",
      "host.docker.internal:8083", "worker2");
  static final Duration DASHBOARD_DEADLINE = Duration.ofSeconds(60);

  private static Path promtool;
  private static Path dir;
  private static Path generatedConfig;
  private static DemoDeployment demo;
  private static OtlpGrpcReceiver collector;
  private static PrometheusServer prometheus;
  private static DemoLoad load;

  /** Why the tests are skipped (reported on each of them), or null. */
  private static String skipped;

  @BeforeAll
  static void start() throws IOException {
    skipped = Tools.whyNotRunnable(DemoDeploymentPrometheusIT.class);
    if (skipped != null) {
      return;
    }
    Optional<Path> prom = Tools.onPath("prometheus");
    promtool = Tools.onPath("promtool").orElseThrow();
    dir = Repo.scratch("prometheus");

    // export on, to a real OTLP receiver: the agent dashboard's export panels have data, and spans flow too
    collector = new OtlpGrpcReceiver();
    collector.start();
    demo = DemoDeployment.start(Map.of("DYN_OBS_RESOURCE_MONITOR", "true",
        "PATH", StandInNvidiaSmi.pathWithStandIn(), "OTEL_EXPORT_ENABLED", "true",
        "OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint()));
    int promPort = PrometheusServer.pickPort();
    generatedConfig = dir.resolve("prometheus.yml");
    Files.writeString(generatedConfig, loopbackConfig(Repo.read("dev/observability/prometheus.yml"), promPort));
    prometheus = PrometheusServer.start(prom.get(), generatedConfig, dir, promPort);
    Poll.until("prometheus ready", prometheus::ready, r -> r, Duration.ofSeconds(30), prometheus::log);
    demo.awaitReady();
    load = new DemoLoad(demo.frontendPort, 4, Duration.ofSeconds(150)).start();
  }

  @BeforeEach
  void skipWhenNotRunnable() {
    assumeTrue(skipped == null, skipped);
  }

  @AfterAll
  static void stop() {
    if (load != null) {
      load.close();
      System.out.println("[it] load: " + load.sent() + " requests, " + load.outcomes());
    }
    if (prometheus != null) {
      prometheus.close();
    }
    if (demo != null) {
      demo.close();
    }
    if (collector != null) {
      collector.close();
    }
  }

  /** The shipped configuration with the deployment's loopback ports, 1 s scrapes and this Prometheus's port. */
  static String loopbackConfig(String shipped, int prometheusPort) {
    String text = shipped.replaceAll("(?m)^(\\s*)scrape_interval: \\S+", "$1scrape_interval: 1s")
        .replaceAll("(?m)^(\\s*)evaluation_interval: \\S+", "$1evaluation_interval: 1s");
    for (Map.Entry<String, String> e : SHIPPED_TARGETS.entrySet()) {
      assertTrue(text.contains(e.getKey()), "the shipped prometheus.yml scrapes " + e.getKey());
      text = text.replace(e.getKey(), "127.0.0.1:" + demo.member(e.getValue()).systemPort());
    }
    text = text.replace("localhost:9090", "127.0.0.1:" + prometheusPort);
    assertFalse(text.contains("host.docker.internal"), "every host target is substituted:\n" + text);
    return text;
  }

  @Test
  @Order(1)
  void shippedAndGeneratedConfigurationsPassPromtool() {
    for (Path config : List.of(Repo.file("dev/observability/prometheus.yml"), generatedConfig)) {
      Tools.Result r = Tools.run(promtool.toString(), "check", "config", config.toString());
      assertEquals(0, r.exitCode(), "promtool check config " + config + "\n" + r.all());
    }
  }

  @Test
  @Order(2)
  void prometheusScrapesEveryProcessOfTheDeployment() {
    for (DemoDeployment.Member m : demo.members) {
      String expr = "up{job=\"" + m.job() + "\", instance=\"127.0.0.1:" + m.systemPort() + "\"}";
      Poll.until(expr + " == 1", () -> prometheus.query(expr),
          a -> a.ok() && !a.empty()
              && String.valueOf(Json.array(Json.object(a.result().get(0)).get("value")).get(1)).equals("1"),
          Duration.ofSeconds(30), () -> prometheus.log() + "\n" + demo.outputs());
    }
  }

  @Test
  @Order(3)
  void everyProcessExpositionPassesPromtoolCheckMetrics() throws IOException {
    // after traffic has reached every process, so the lazily created families are there too
    Poll.until("requests counted by the frontend and the workers", () -> demo.member("frontend").system().metrics()
        .contains("dynamo_frontend_requests_total{")
        && demo.member("worker1").system().metrics()
            .contains("dynamo_component_requests_total{"),
        ok -> ok, Duration.ofSeconds(30), demo::outputs);
    List<String> lint = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (DemoDeployment.Member m : demo.members) {
      String text = m.system().metrics();
      Tools.Result r = Tools.run(List.of(promtool.toString(), "check", "metrics"), text, 60);
      if (r.exitCode() == 3) {
        for (String line : r.all().split("\n")) {
          if (!line.isBlank()) {
            lint.add(m.name() + ": " + line.trim());
          }
        }
      } else if (r.exitCode() != 0) {
        errors.add(m.name() + " (exit " + r.exitCode() + "): " + r.all());
      }
    }
    Path report = dir.resolve("promtool-check-metrics-lint.txt");
    Files.writeString(report, String.join("\n", lint) + "\n", StandardCharsets.UTF_8);
    for (String l : lint) {
      System.out.println("[promtool lint] " + l);
    }
    System.out.println("[it] promtool check metrics: " + lint.size() + " lint line(s), written to " + report);
    assertTrue(errors.isEmpty(), "promtool check metrics found errors (exit 1 = the exposition does not parse):\n"
        + String.join("\n", errors));
  }

  @Test
  @Order(4)
  void everyQueryOfEveryShippedDashboardReturnsData() {
    List<String> failing = new ArrayList<>();
    List<String> nanOnly = new ArrayList<>();
    long deadline = System.nanoTime() + DASHBOARD_DEADLINE.toNanos();
    int checked = 0;
    for (Dashboards.Dashboard d : Dashboards.load()) {
      Map<String, String> values = resolveVariables(d, deadline);
      List<Dashboards.Expr> pending = new ArrayList<>(Dashboards.expressions(d));
      checked += pending.size();
      Map<Dashboards.Expr, String> last = new LinkedHashMap<>();
      while (true) {
        List<Dashboards.Expr> still = new ArrayList<>();
        for (Dashboards.Expr e : pending) {
          String q = Dashboards.substitute(e.expr(), values);
          PrometheusServer.Answer a = prometheus.query(q);
          if (!a.ok()) {
            fail("Prometheus rejects a query of " + e + "\n  as sent: " + q + "\n  " + a.error());
          }
          if (a.empty()) {
            still.add(e);
            last.put(e, q);
          } else if (allNaN(a)) {
            nanOnly.add(e + " → NaN only");
          }
        }
        pending = still;
        if (pending.isEmpty() || System.nanoTime() > deadline) {
          break;
        }
        Tools.sleep(1000);
      }
      for (Dashboards.Expr e : pending) {
        failing.add(e + "\n    as sent: " + last.get(e));
      }
      System.out.println("[it] dashboard \"" + d.title() + "\" with " + values + ": "
          + (Dashboards.expressions(d).size() - pending.size()) + " of " + Dashboards.expressions(d).size()
          + " queries return data");
    }
    for (String n : nanOnly) {
      System.out.println("[it] (no traffic in the window, values NaN) " + n);
    }
    assertTrue(checked > 0, "the dashboards have queries");
    assertTrue(failing.isEmpty(), failing.size() + " dashboard queries returned no data within " + DASHBOARD_DEADLINE
        + " (load: " + load.outcomes() + "):\n" + String.join("\n", failing));
  }

  private static boolean allNaN(PrometheusServer.Answer a) {
    if (!"vector".equals(a.resultType())) {
      return false;
    }
    for (Object o : a.result()) {
      Object v = Json.array(Json.object(o).get("value")).get(1);
      if (!"NaN".equals(v)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Each variable's {@code label_values} query run through Prometheus's label API (polled until it
   * has values); the value taken is a demo model for {@code model}, else the first in order.
   */
  private static Map<String, String> resolveVariables(Dashboards.Dashboard d, long deadline) {
    Map<String, String> values = new LinkedHashMap<>();
    for (Dashboards.Variable v : Dashboards.variables(d)) {
      String[] lv = Dashboards.labelValues(v.query());
      assertTrue(lv != null, d.title() + ": variable " + v.name() + " is not a label_values query: " + v.query());
      String selector = lv[0] == null ? null : Dashboards.substitute(lv[0], values);
      List<Object> found = Poll.until(d.title() + " variable $" + v.name() + " = " + v.query(),
          () -> prometheus.labelValues(lv[1], selector), l -> !l.isEmpty(),
          Duration.ofNanos(Math.max(deadline - System.nanoTime(), Duration.ofSeconds(5).toNanos())), prometheus::log);
      String preferred = DemoDeployment.MODELS.get(0);
      values.put(v.name(), String.valueOf(found.contains(preferred) ? preferred : found.get(0)));
    }
    return values;
  }

  /** Under the same load the traces and logs reach the collector, the logs joined to their spans (SPEC §5, §6). */
  @Test
  void spansAndLogsReachTheCollectorJoinedByTraceId() {
    List<ReceivedSpan> spans = collector.awaitSpans(
        list -> list.stream().map(ReceivedSpan::name).distinct().count() >= 4,
        Duration.ofSeconds(60));
    java.util.Set<String> names = new java.util.TreeSet<>();
    java.util.Set<String> traceIds = new java.util.HashSet<>();
    for (ReceivedSpan span : spans) {
      names.add(span.serviceName() + " " + span.name());
      traceIds.add(span.traceId());
    }
    assertTrue(names.containsAll(List.of("dynamo-frontend http-request", "dynamo-router router.route_request",
        "dynamo-backend handle_payload", "dynamo-backend engine.generate")), names.toString());
    List<ReceivedLog> logs = collector
        .awaitLogs(list -> list.stream().anyMatch(l -> l.body().equals("request completed")
            && traceIds.contains(l.traceId())), Duration.ofSeconds(60));
    ReceivedLog completed = logs.stream().filter(l -> l.body().equals("request completed")
        && traceIds.contains(l.traceId())).findFirst().orElseThrow();
    assertEquals("dynamo_obs.request", completed.scopeName(), "the logger name is the scope (Dynamo's target)");
    assertTrue(completed.spanId().matches("[0-9a-f]{16}"), completed.toString());
  }
}
