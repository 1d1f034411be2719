package dynamo.obs.it.ecosystem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.Http;
import dynamo.obs.it.support.Poll;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Upstream Dynamo as it is (main of 2026-08-21 at 2a6da14c) on Java services with the agent: the demo
 * deployment (frontend, router, two workers, each a JVM with the agent and the resource monitor on) under load,
 * scraped by a real Prometheus configured as upstream's {@code prometheus.yml} (dev/observability/upstream/), and
 * <ul>
 *   <li>every family docs/upstream-metrics.md calls <em>filled</em> is in the exposition of the process it names,
 *       with upstream's type, label names and buckets;</li>
 *   <li>every PromQL expression of upstream's dashboards (dev and Kubernetes ones, unchanged) is accepted by
 *       Prometheus, and every one that uses only filled families returns data; the others are exempt for the
 *       reason the table gives (GPU, KV events, Kubernetes, …), and are printed with it.</li>
 * </ul>
 * Runs once, on the default JDK; skipped when the Debian package {@code prometheus} is not installed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UpstreamDashboardsIT {
  static final String TABLE = "docs/upstream-metrics.md";
  static final String UPSTREAM_PROMETHEUS = "dev/observability/upstream/prometheus.yml";
  /** The frontend's generations at once: the test's burst beyond it gets upstream's overload answer, 529. */
  static final int MAX_INFLIGHT = 6;
  static final Duration DEADLINE = Duration.ofSeconds(90);

  private static DemoDeployment demo;
  private static PrometheusServer prometheus;
  private static DemoLoad load;
  private static Path dir;
  private static Path promtool;
  private static Path generatedConfig;
  private static int frontendMetricsPort;
  private static String skipped;

  @BeforeAll
  static void start() throws IOException {
    skipped = Tools.whyNotRunnable(UpstreamDashboardsIT.class);
    if (skipped != null) {
      return;
    }
    Optional<Path> prom = Tools.onPath("prometheus");
    promtool = Tools.onPath("promtool").orElseThrow();
    dir = Repo.scratch("upstream-prometheus");
    // every outcome upstream's dashboard breaks down: one generation in 25 fails (500, internal), the preferred
    // model serves no embeddings (404 for a served model: not_found under its name), a burst meets the limit (529)
    demo = DemoDeployment.start(Map.of("DYN_OBS_RESOURCE_MONITOR", "true", "PATH", StandInNvidiaSmi.pathWithStandIn()),
        List.of("--max-inflight=" + MAX_INFLIGHT, "--embedding-models=" + DemoDeployment.MODELS.get(1)),
        List.of("--fail-every=25"));
    demo.awaitReady();
    load = new DemoLoad(demo.frontendPort, 4, Duration.ofSeconds(180)).start();
    overloadBurst();
    frontendMetricsPort = frontendMetricsPort();
    int promPort = PrometheusServer.pickPort();
    generatedConfig = dir.resolve("prometheus.yml");
    Files.writeString(generatedConfig, loopbackConfig(Repo.read(UPSTREAM_PROMETHEUS)));
    prometheus = PrometheusServer.start(prom.get(), generatedConfig, dir, promPort);
    Poll.until("prometheus ready", prometheus::ready, r -> r, Duration.ofSeconds(30), prometheus::log);
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
  }

  /**
   * Three times the frontend's limit of streamed generations at once: those beyond it are answered 529,
   * upstream's overload answer (model_rejection_total).
   */
  private static void overloadBurst() {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<Integer>> answers = new ArrayList<>();
    for (int i = 0; i < 3 * MAX_INFLIGHT; i++) {
      String body = "{\"model\":\"" + DemoDeployment.MODELS.get(i % 2) + "\",\"stream\":true,\"max_tokens\":48,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"burst " + i + "\"}]}";
      answers.add(CompletableFuture.supplyAsync(() -> {
        try {
          go.await();
          return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + demo.frontendPort
              + "/v1/chat/completions")).timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body))
              .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
          return -1;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return -1;
        }
      }));
    }
    go.countDown();
    long overloaded = answers.stream().map(CompletableFuture::join).filter(s -> s == 529).count();
    assertTrue(overloaded > 0, "the burst met the frontend's limit");
  }

  /** Where the frontend's metrics are: on its HTTP port, where upstream's prometheus.yml scrapes a frontend. */
  private static int frontendMetricsPort() {
    HttpResponse<String> r = Http.get(demo.frontendPort, "/metrics");
    assertEquals(200, r.statusCode(), "/metrics on the frontend's HTTP port: " + r.statusCode());
    assertTrue(r.body().contains("dynamo_frontend_"), "the frontend's families on its HTTP port");
    return demo.frontendPort;
  }

  /**
   * Upstream's configuration with the deployment's loopback addresses and 1 s scrapes: its frontend target is
   * the frontend's HTTP port, its two backends the workers' system ports, and the router's system port is one more
   * backend (upstream's standalone router is started with DYN_SYSTEM_PORT as a backend is). The exporters it also
   * scrapes (NATS, etcd, DCGM, NIXL, KVBM) are a closed loopback port: down, as they are without them.
   */
  static String loopbackConfig(String shipped) {
    String text = shipped.replaceAll("(?m)^(\\s*)scrape_interval: \\S+", "$1scrape_interval: 1s")
        .replaceAll("(?m)^(\\s*)evaluation_interval: \\S+", "$1evaluation_interval: 1s");
    text = replaceOnce(text, "'host.docker.internal:8000'", "'127.0.0.1:" + frontendMetricsPort + "'");
    text = replaceOnce(text, "'host.docker.internal:8081'", "'127.0.0.1:" + demo.member("worker1").systemPort() + "'");
    Matcher second = Pattern.compile("(?m)^(\\s*)- 'host.docker.internal:8082'$").matcher(text);
    assertTrue(second.find(), "upstream's second backend target:\n" + text);
    text = second.replaceFirst("$1- '127.0.0.1:" + demo.member("worker2").systemPort() + "'\n$1- '127.0.0.1:"
        + demo.member("router").systemPort() + "'");
    String closed = "127.0.0.1:" + FreePort.pick();
    text = text.replaceAll("host\\.docker\\.internal:\\d+|nats-prometheus-exporter:7777|etcd-server:2379"
        + "|dcgm-exporter:9401", closed);
    assertFalse(Pattern.compile("host\\.docker\\.internal:\\d").matcher(text).find(),
        "every target is substituted:\n" + text);
    return text;
  }

  private static String replaceOnce(String text, String target, String replacement) {
    assertEquals(1, text.split(Pattern.quote(target), -1).length - 1, "upstream's prometheus.yml has " + target);
    return text.replace(target, replacement);
  }

  @Test
  @Order(1)
  void upstreamsPrometheusConfigurationPassesPromtoolAsShippedAndAsRun() {
    for (Path config : List.of(Repo.file(UPSTREAM_PROMETHEUS), generatedConfig)) {
      Tools.Result r = Tools.run(promtool.toString(), "check", "config", config.toString());
      assertEquals(0, r.exitCode(), "promtool check config " + config + "\n" + r.all());
    }
  }

  @Test
  @Order(2)
  void everyFamilyTheTableCallsFilledIsExposedWithUpstreamsTypeLabelsAndBuckets() {
    List<UpstreamTable.Family> filled = UpstreamTable.read(Repo.read(TABLE)).stream()
        .filter(UpstreamTable.Family::filled).toList();
    assertTrue(filled.size() > 30, filled.size() + " filled families in " + TABLE);
    Map<String, List<String>> members = Map.of("frontend", List.of("frontend"), "router", List.of("router"),
        "worker", List.of("worker1", "worker2"), "every", List.of("frontend", "router", "worker1", "worker2"));
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    List<String> problems;
    while (true) {
      problems = new ArrayList<>();
      Map<String, String> expositions = new LinkedHashMap<>();
      for (DemoDeployment.Member m : demo.members) {
        expositions.put(m.name(), m.system().metrics());
      }
      for (UpstreamTable.Family f : filled) {
        List<String> where = members.get(f.process());
        assertTrue(where != null, f.name() + ": process " + f.process() + " is frontend, router, worker or every");
        for (String member : where) {
          String problem = f.problemIn(expositions.get(member));
          if (problem != null) {
            problems.add(member + ": " + problem);
          }
        }
      }
      if (problems.isEmpty() || System.nanoTime() > deadline) {
        break;
      }
      Tools.sleep(1000);
    }
    assertTrue(problems.isEmpty(), problems.size() + " families the table calls filled are not as upstream has them"
        + " (load: " + load.outcomes() + "):\n" + String.join("\n", problems));
    System.out.println("[it] " + filled.size() + " upstream families filled as " + TABLE + " says");
  }

  @Test
  @Order(3)
  void prometheusScrapesTheFrontendAndTheBackendsAsUpstreamConfiguresThem() {
    Map<Integer, String> targets = Map.of(frontendMetricsPort, "dynamo-frontend",
        demo.member("worker1").systemPort(), "dynamo-backend", demo.member("worker2").systemPort(), "dynamo-backend",
        demo.member("router").systemPort(), "dynamo-backend");
    for (Map.Entry<Integer, String> t : targets.entrySet()) {
      String expr = "up{job=\"" + t.getValue() + "\", instance=\"127.0.0.1:" + t.getKey() + "\"}";
      Poll.until(expr + " == 1", () -> prometheus.query(expr), a -> a.ok() && !a.empty()
          && "1".equals(String.valueOf(Json.array(Json.object(a.result().get(0)).get("value")).get(1))),
          Duration.ofSeconds(30), prometheus::log);
    }
  }

  @Test
  @Order(4)
  void everyExpressionOfUpstreamsDashboardsThatNeedsNoGpuKvEventsOrKubernetesReturnsData() {
    List<UpstreamTable.Family> table = UpstreamTable.read(Repo.read(TABLE));
    List<Dashboards.Dashboard> dashboards = new ArrayList<>(Dashboards.load(Dashboards.UPSTREAM_DIR));
    dashboards.addAll(Dashboards.loadConfigMaps(Dashboards.UPSTREAM_CONFIGMAPS));
    assertTrue(dashboards.size() >= 14, dashboards.size() + " upstream dashboards");
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    List<String> failing = new ArrayList<>();
    List<String> exempt = new ArrayList<>();
    int withData = 0;
    for (Dashboards.Dashboard d : dashboards) {
      Map<String, String> values = resolveVariables(d, deadline);
      List<Dashboards.Expr> pending = new ArrayList<>();
      int dashboardExempt = 0;
      for (Dashboards.Expr e : Dashboards.expressions(d)) {
        if (e.expr() == null || e.expr().isBlank()) {
          continue; // a target left empty in the dashboard: no query
        }
        if ("loki".equals(e.datasourceType()) || isLoki(d)) {
          exempt.add(e + "\n    not PromQL: a LogQL query for Loki");
          dashboardExempt++;
          continue;
        }
        String why = UpstreamTable.exemption(table, e.expr());
        String q = Dashboards.substitute(e.expr(), values);
        PrometheusServer.Answer a = prometheus.query(q);
        if (!a.ok()) {
          fail("Prometheus rejects a query of " + e + "\n  as sent: " + q + "\n  " + a.error());
        }
        if (why != null) {
          exempt.add(e + "\n    " + why);
          dashboardExempt++;
        } else {
          pending.add(e);
        }
      }
      int total = pending.size();
      while (!pending.isEmpty()) {
        List<Dashboards.Expr> still = new ArrayList<>();
        for (Dashboards.Expr e : pending) {
          if (prometheus.query(Dashboards.substitute(e.expr(), values)).empty()) {
            still.add(e);
          }
        }
        pending = still;
        if (pending.isEmpty() || System.nanoTime() > deadline) {
          break;
        }
        Tools.sleep(1000);
      }
      for (Dashboards.Expr e : pending) {
        failing.add(e + "\n    as sent: " + Dashboards.substitute(e.expr(), values));
      }
      withData += total - pending.size();
      System.out.println("[it] upstream dashboard \"" + d.title() + "\" (" + d.file() + ") with " + values + ": "
          + (total - pending.size()) + " of " + total + " expressions return data; " + dashboardExempt + " exempt");
    }
    for (String e : exempt) {
      System.out.println("[it] exempt: " + e);
    }
    assertTrue(withData > 100, withData + " expressions with data");
    assertTrue(failing.isEmpty(), failing.size() + " expressions that need no GPU, KV events or Kubernetes returned no"
        + " data within " + DEADLINE + " (load: " + load.outcomes() + "):\n" + String.join("\n", failing));
  }

  private static boolean isLoki(Dashboards.Dashboard d) {
    return Dashboards.variables(d).stream().anyMatch(v -> "datasource".equals(v.type()) && "loki".equals(v.query()));
  }

  /**
   * Each label_values variable through Prometheus's label API: a demo model for {@code model}, else the first
   * value; a variable with no values (Kubernetes' namespace, an exporter's device) gets "none", and the
   * expressions that use it are exempt for the family they ask for.
   */
  private static Map<String, String> resolveVariables(Dashboards.Dashboard d, long deadline) {
    Map<String, String> values = new LinkedHashMap<>();
    for (Dashboards.Variable v : Dashboards.variables(d)) {
      if ("datasource".equals(v.type())) {
        values.put(v.name(), "prometheus");
        continue;
      }
      String[] lv = v.query() == null ? null : Dashboards.labelValues(v.query());
      if (lv == null) {
        values.put(v.name(), ""); // a text box or a custom list: only the Loki dashboard has them
        continue;
      }
      String selector = lv[0] == null ? null : Dashboards.substitute(lv[0], values);
      List<Object> found = List.of();
      long until = Math.min(deadline, System.nanoTime() + Duration.ofSeconds(5).toNanos());
      while (true) {
        found = prometheus.labelValues(lv[1], selector);
        if (!found.isEmpty() || System.nanoTime() > until) {
          break;
        }
        Tools.sleep(500);
      }
      String preferred = DemoDeployment.MODELS.get(0);
      Object value = found.isEmpty() ? "none" : found.contains(preferred) ? preferred : found.get(0);
      values.put(v.name(), String.valueOf(value));
    }
    return values;
  }

  /** The families table of docs/upstream-metrics.md, as the tests read it. */
  static final class UpstreamTable {
    private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\|(.*)\\|$");
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*");

    private UpstreamTable() {
    }

    /** One row: a family (or a prefix ending in *), its type, labels, buckets, process and the agent's word. */
    record Family(String name, String type, List<String> labels, String buckets, String process, String agent) {
      boolean filled() {
        return agent.startsWith("filled");
      }

      boolean matches(String metric) {
        if (name.endsWith("*")) {
          return metric.startsWith(name.substring(0, name.length() - 1));
        }
        return metric.equals(name) || metric.equals(name + "_bucket") || metric.equals(name + "_sum")
            || metric.equals(name + "_count");
      }

      /** What is wrong with this family in an exposition, or null. */
      String problemIn(String exposition) {
        if (!Pattern.compile("(?m)^# TYPE " + Pattern.quote(name) + " " + Pattern.quote(type) + "$").matcher(exposition)
            .find()) {
          return name + ": no \"# TYPE " + name + " " + type + "\" line";
        }
        List<String> samples = new ArrayList<>();
        for (String line : exposition.split("\n")) {
          if (line.startsWith(name + "{") || line.startsWith(name + " ") || line.startsWith(name + "_bucket{")
              || line.startsWith(name + "_count") || line.startsWith(name + "_sum")) {
            samples.add(line);
          }
        }
        if (samples.isEmpty()) {
          return name + ": no sample";
        }
        String firstSeries = null;
        List<Double> le = new ArrayList<>();
        for (String line : samples) {
          Map<String, String> labels = UpstreamTable.labels(line);
          TreeSet<String> names = new TreeSet<>(labels.keySet());
          boolean bucket = line.startsWith(name + "_bucket{");
          if (bucket) {
            names.remove("le");
          }
          if (!names.equals(new TreeSet<>(this.labels))) {
            return name + ": labels " + names + ", upstream's " + new TreeSet<>(this.labels) + " (" + line + ")";
          }
          if (bucket) {
            Map<String, String> series = new LinkedHashMap<>(labels);
            String bound = series.remove("le");
            if (firstSeries == null) {
              firstSeries = series.toString();
            }
            if (series.toString().equals(firstSeries) && !bound.equals("+Inf")) {
              le.add(Double.parseDouble(bound));
            }
          }
        }
        if (!buckets.isEmpty()) {
          double[] expected = expectedBuckets(buckets);
          double[] got = le.stream().mapToDouble(Double::doubleValue).toArray();
          if (!sameBounds(expected, got)) {
            return name + ": buckets " + java.util.Arrays.toString(got) + ", upstream's " + buckets + " = "
                + java.util.Arrays.toString(expected);
          }
        }
        return null;
      }
    }

    /** The rows of the section "## Families" (its tables, up to the next section). */
    static List<Family> read(String markdown) {
      List<Family> out = new ArrayList<>();
      boolean inSection = false;
      for (String line : markdown.split("\n")) {
        if (line.startsWith("## ")) {
          inSection = line.equals("## Families");
          continue;
        }
        if (!inSection) {
          continue;
        }
        Matcher m = ROW.matcher(line.trim());
        if (!m.matches()) {
          continue;
        }
        String[] cells = m.group(2).split("\\|", -1);
        if (cells.length != 5) {
          throw new AssertionError("a families row has 6 cells: " + line);
        }
        List<String> labels = new ArrayList<>();
        Matcher l = Pattern.compile("`([^`]+)`").matcher(cells[1]);
        while (l.find()) {
          labels.add(l.group(1));
        }
        String agent = cells[4].trim();
        if (!agent.startsWith("filled") && !agent.startsWith("cannot: ")) {
          throw new AssertionError("the agent's word on " + m.group(1) + " is \"filled…\" or \"cannot: why\": "
              + line);
        }
        out.add(new Family(m.group(1), cells[0].trim(), labels, cells[2].trim(), cells[3].trim(), agent));
      }
      return out;
    }

    /**
     * Null when every family an expression asks for is filled; else why it is exempt (the reason of the first
     * family that is not). A dynamo_ family the table does not know fails the test: the table must cover them.
     */
    static String exemption(List<Family> table, String expr) {
      String bare = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"").replaceAll("\\{[^}]*\\}", "");
      Matcher t = TOKEN.matcher(bare);
      while (t.find()) {
        String token = t.group();
        Family f = table.stream().filter(x -> x.matches(token)).findFirst().orElse(null);
        if (f == null) {
          if (token.startsWith("dynamo_")) {
            throw new AssertionError("docs/upstream-metrics.md lacks " + token + ", asked for by " + expr);
          }
          continue;
        }
        if (!f.filled()) {
          return f.name() + ": " + f.agent();
        }
      }
      return null;
    }

    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    static Map<String, String> labels(String sample) {
      Map<String, String> out = new LinkedHashMap<>();
      int open = sample.indexOf('{');
      int close = sample.lastIndexOf('}');
      if (open < 0 || close < open) {
        return out;
      }
      Matcher m = LABEL.matcher(sample.substring(open + 1, close));
      while (m.find()) {
        out.put(m.group(1), m.group(2));
      }
      return out;
    }

    private static final Pattern LOG = Pattern.compile("log\\(([^,]+), ([^,]+), (\\d+)\\)");
    private static final Pattern POWERS = Pattern.compile("([0-9.]+) × ([0-9.]+)\\^k, k = 0…(\\d+)");

    static double[] expectedBuckets(String spec) {
      Matcher log = LOG.matcher(spec);
      if (log.matches()) {
        return upstreamLogBuckets(Double.parseDouble(log.group(1)), Double.parseDouble(log.group(2)),
            Integer.parseInt(log.group(3)));
      }
      Matcher powers = POWERS.matcher(spec);
      if (powers.matches()) {
        double start = Double.parseDouble(powers.group(1));
        double factor = Double.parseDouble(powers.group(2));
        double[] b = new double[Integer.parseInt(powers.group(3)) + 1];
        double v = start;
        for (int i = 0; i < b.length; i++) {
          b[i] = v;
          v *= factor; // as prometheus::exponential_buckets
        }
        return b;
      }
      if (spec.startsWith("[") && spec.endsWith("]")) {
        return java.util.Arrays.stream(spec.substring(1, spec.length() - 1).split(","))
            .mapToDouble(x -> Double.parseDouble(x.trim())).toArray();
      }
      throw new AssertionError("buckets \"" + spec + "\" are log(min, max, count), [..] or a × b^k, k = 0…n");
    }

    /** Upstream's generate_log_buckets (metrics.rs): 0, then log-spaced values to two significant figures. */
    static double[] upstreamLogBuckets(double min, double max, int count) {
      List<Double> b = new ArrayList<>();
      b.add(0.0);
      for (int i = 1; i < count; i++) {
        double v = Math.exp(Math.log(min) + (Math.log(max) - Math.log(min)) * i / (count - 1));
        double magnitude = Math.floor(Math.log10(Math.abs(v)));
        double scale = Math.pow(10, 2 - 1 - magnitude);
        double rounded = Math.round(v * scale) / scale; // Rust's round: half away from zero (all positive here)
        if (rounded != b.get(b.size() - 1)) {
          b.add(rounded);
        }
      }
      return b.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static boolean sameBounds(double[] a, double[] b) {
      if (a.length != b.length) {
        return false;
      }
      for (int i = 0; i < a.length; i++) {
        if (Math.abs(a[i] - b[i]) > 1e-9 * Math.max(1, Math.abs(a[i]))) {
          return false;
        }
      }
      return true;
    }
  }
}
