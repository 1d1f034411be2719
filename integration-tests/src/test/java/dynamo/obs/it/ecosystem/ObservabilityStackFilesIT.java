package dynamo.obs.it.ecosystem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * dev/docker-observability.yml and dev/observability/ checked as files (no Docker engine here): the
 * compose file's services, images, ports and mounts; the Prometheus, Collector, Tempo and Loki
 * configurations agree with each other and with the datasources; the dashboards are well formed and
 * their queries are valid PromQL; the docs describe what is shipped.
 */
class ObservabilityStackFilesIT {
  static final String COMPOSE = "dev/docker-observability.yml";
  /** Published host ports of the seed's topology. */
  static final Map<String, List<Integer>> SEED_PORTS = Map.of(
      "prometheus", List.of(9090),
      "grafana", List.of(3000),
      "tempo", List.of(3200),
      "loki", List.of(3100),
      "otel-collector", List.of(4317, 4318),
      "dcgm-exporter", List.of(9401),
      "nats-prometheus-exporter", List.of(7777));
  static final Map<String, String> IMAGES = Map.of(
      "prometheus", "prom/prometheus",
      "grafana", "grafana/grafana",
      "tempo", "grafana/tempo",
      "loki", "grafana/loki",
      "otel-collector", "otel/opentelemetry-collector-contrib",
      "dcgm-exporter", "nvidia/dcgm-exporter",
      "nats-prometheus-exporter", "natsio/prometheus-nats-exporter");

  static Map<String, Object> services() {
    return Yaml.map(Yaml.at(Repo.yaml(COMPOSE), "services"), COMPOSE + " services");
  }

  static Map<String, Object> service(String name) {
    return Yaml.map(services().get(name), "service " + name);
  }

  static List<String> strings(Object o, String what) {
    List<String> out = new ArrayList<>();
    if (o == null) {
      return out;
    }
    for (Object item : Yaml.list(o, what)) {
      assertTrue(item instanceof String, what + ": " + item + " should be a (quoted) string");
      out.add((String) item);
    }
    return out;
  }

  /** Bind mounts of a service: container path → host path relative to the compose file's folder. */
  static Map<String, String> mounts(String service) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String v : strings(service(service).get("volumes"), service + " volumes")) {
      String[] parts = v.split(":");
      assertTrue(parts.length >= 2 && parts[0].startsWith("./"), service + ": a bind mount of a file of dev/: " + v);
      out.put(parts[1], parts[0]);
    }
    return out;
  }

  @Test
  void composeHasTheStackWithPinnedImagesAndTheSeedsPorts() {
    Map<String, Object> services = services();
    assertEquals(SEED_PORTS.keySet(), services.keySet(), "services of " + COMPOSE);
    Set<Integer> published = new HashSet<>();
    for (Map.Entry<String, List<Integer>> e : SEED_PORTS.entrySet()) {
      Map<String, Object> s = service(e.getKey());
      String image = (String) s.get("image");
      Matcher m = Pattern.compile("([a-z0-9./-]+):([A-Za-z0-9._-]+)").matcher(image);
      assertTrue(m.matches(), e.getKey() + ": image with an explicit tag: " + image);
      assertEquals(IMAGES.get(e.getKey()), m.group(1), e.getKey() + " image");
      assertFalse(m.group(2).equals("latest"), e.getKey() + ": a pinned tag, not latest");
      List<Integer> hostPorts = new ArrayList<>();
      for (String p : strings(s.get("ports"), e.getKey() + " ports")) {
        String[] hc = p.split(":");
        assertEquals(2, hc.length, e.getKey() + ": HOST:CONTAINER port " + p);
        assertEquals(hc[0], hc[1], e.getKey() + ": the same port outside and inside: " + p);
        int port = Integer.parseInt(hc[0]);
        assertTrue(published.add(port), "host port " + port + " published twice");
        hostPorts.add(port);
      }
      assertEquals(e.getValue(), hostPorts, e.getKey() + " ports (seed topology)");
    }
    assertEquals(List.of("nvidia"), service("dcgm-exporter").get("profiles"), "the GPU exporter is optional");
    assertEquals(List.of("nats"), service("nats-prometheus-exporter").get("profiles"), "the NATS exporter is optional");
    assertEquals(":9401", Yaml.at(service("dcgm-exporter"), "environment", "DCGM_EXPORTER_LISTEN"));
    assertTrue(strings(service("prometheus").get("extra_hosts"), "extra_hosts")
        .contains("host.docker.internal:host-gateway"), "Prometheus reaches the host's services on Linux too");
  }

  @Test
  void everyMountedFileExistsAndEachServiceReadsItsConfigFromIt() {
    Path dev = Repo.file("dev");
    Map<String, String> configFlags = Map.of("prometheus", "--config.file=", "otel-collector", "--config=",
        "tempo", "-config.file=", "loki", "-config.file=");
    for (String name : List.of("prometheus", "otel-collector", "tempo", "loki", "grafana")) {
      Map<String, String> mounts = mounts(name);
      assertFalse(mounts.isEmpty(), name + " mounts its configuration");
      for (Map.Entry<String, String> m : mounts.entrySet()) {
        assertTrue(Files.exists(dev.resolve(m.getValue()).normalize()), name + " mounts " + m.getValue()
            + ", which does not exist in dev/");
      }
      if (configFlags.containsKey(name)) {
        String flag = configFlags.get(name);
        String arg = strings(service(name).get("command"), name + " command").stream()
            .filter(a -> a.startsWith(flag)).findFirst()
            .orElseThrow(() -> new AssertionError(name + " has no " + flag));
        String path = arg.substring(flag.length());
        assertTrue(mounts.containsKey(path), name + " reads " + path + ", which is not mounted: " + mounts);
      }
    }
  }

  @Test
  void grafanaHasTheDocumentedLoginAndProvisionsDatasourcesAndDashboards() {
    Map<String, Object> env = Yaml.map(service("grafana").get("environment"), "grafana environment");
    assertEquals("dynamo", env.get("GF_SECURITY_ADMIN_USER"), "login as in the seed and docs");
    assertEquals("dynamo", env.get("GF_SECURITY_ADMIN_PASSWORD"));
    assertEquals("false", env.get("GF_USERS_ALLOW_SIGN_UP"));
    Map<String, String> mounts = mounts("grafana");
    for (String ds : Dashboards.DATASOURCE_FILES) {
      String relative = "./" + ds.substring("dev/".length());
      String target = mounts.entrySet().stream().filter(e -> e.getValue().equals(relative)).map(Map.Entry::getKey)
          .findFirst().orElseThrow(() -> new AssertionError("grafana does not mount " + relative));
      assertTrue(target.startsWith("/etc/grafana/provisioning/datasources/"), relative + " → " + target);
    }
    String dashboards = mounts.entrySet().stream()
        .filter(e -> e.getValue().equals("./observability/grafana_dashboards"))
        .map(Map.Entry::getKey).findFirst().orElseThrow(() -> new AssertionError("dashboards folder not mounted"));
    Map<String, Object> provider = Yaml.map(Yaml.list(Yaml.at(Repo.yaml(Dashboards.DIR + "/dashboard-providers.yml"),
        "providers"), "providers").get(0), "provider");
    assertEquals("file", provider.get("type"));
    assertEquals(dashboards, Yaml.at(provider, "options", "path"), "the provider reads the mounted folder");
    String home = (String) env.get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH");
    assertTrue(home.startsWith(dashboards + "/"), home);
    Repo.file(Dashboards.DIR + home.substring(dashboards.length()));
  }

  @Test
  void prometheusScrapesTheDemosSystemPortsAndTheOptionalExporters() {
    Map<String, List<String>> targets = new LinkedHashMap<>();
    for (Object o : Yaml.list(Yaml.at(Repo.yaml("dev/observability/prometheus.yml"), "scrape_configs"),
        "scrape_configs")) {
      Map<String, Object> job = Yaml.map(o, "job");
      List<String> t = new ArrayList<>();
      for (Object sc : Yaml.list(job.get("static_configs"), "static_configs")) {
        t.addAll(strings(Yaml.map(sc, "static config").get("targets"), "targets"));
      }
      targets.put((String) job.get("job_name"), t);
    }
    Map<String, Integer> demo = demoSystemPorts();
    assertEquals(List.of("host.docker.internal:" + demo.get("frontend")), targets.get("dynamo-frontend"));
    assertEquals(List.of("host.docker.internal:" + demo.get("router")), targets.get("dynamo-router"));
    assertEquals(List.of("host.docker.internal:" + demo.get("worker1"), "host.docker.internal:" + demo.get("worker2")),
        targets.get("dynamo-backend"));
    assertEquals(List.of("dcgm-exporter:9401"), targets.get("dcgm-exporter"));
    assertEquals(List.of("nats-prometheus-exporter:7777"), targets.get("nats-prometheus-exporter"));
    assertEquals(Map.of("frontend", 8081, "worker1", 8082, "worker2", 8083, "router", 8084), demo,
        "the demo's system ports (examples/demo.sh)");
  }

  /** The defaults of examples/demo.sh: frontend_sys=${DEMO_FRONTEND_SYSTEM_PORT:-8081} … */
  static Map<String, Integer> demoSystemPorts() {
    Map<String, Integer> out = new HashMap<>();
    Matcher m = Pattern.compile("(?m)^(frontend|router|worker1|worker2)_sys=\\$\\{DEMO_[A-Z0-9_]+:-(\\d+)\\}")
        .matcher(Repo.read("examples/demo.sh"));
    while (m.find()) {
      out.put(m.group(1), Integer.parseInt(m.group(2)));
    }
    return out;
  }

  @Test
  void theShippedPrometheusConfigurationPassesPromtool() {
    Optional<Path> promtool = Tools.onPath("promtool");
    assumeTrue(promtool.isPresent(), "skipped: " + Tools.PACKAGE_HINT);
    Tools.Result r = Tools.run(promtool.get().toString(), "check", "config",
        Repo.file("dev/observability/prometheus.yml").toString());
    assertEquals(0, r.exitCode(), r.all());
  }

  @Test
  void theCollectorSendsTracesToTempoAndLogsToLokiAndListensOnBothOtlpPorts() {
    Object c = Repo.yaml("dev/observability/otel-collector.yaml");
    assertEquals("0.0.0.0:4317", Yaml.at(c, "receivers", "otlp", "protocols", "grpc", "endpoint"));
    assertEquals("0.0.0.0:4318", Yaml.at(c, "receivers", "otlp", "protocols", "http", "endpoint"));
    Map<String, Object> pipelines = Yaml.map(Yaml.at(c, "service", "pipelines"), "pipelines");
    assertEquals(Set.of("traces", "logs"), pipelines.keySet(), "traces and logs; Prometheus scrapes the metrics");
    Map<String, String> sinks = Map.of("traces", "tempo:4317", "logs", "http://loki:3100/otlp");
    for (Map.Entry<String, String> e : sinks.entrySet()) {
      Map<String, Object> p = Yaml.map(pipelines.get(e.getKey()), e.getKey());
      assertEquals(List.of("otlp"), p.get("receivers"));
      for (Object proc : Yaml.list(p.get("processors"), "processors")) {
        assertTrue(Yaml.map(Yaml.at(c, "processors"), "processors").containsKey(proc),
            "processor " + proc + " defined");
      }
      List<Object> exporters = Yaml.list(p.get("exporters"), "exporters");
      assertEquals(1, exporters.size());
      Object exporter = Yaml.at(c, "exporters", (String) exporters.get(0));
      assertNotNull(exporter, "exporter " + exporters.get(0) + " defined");
      assertEquals(e.getValue(), Yaml.at(exporter, "endpoint"), e.getKey() + " exporter endpoint");
    }
    Object tempo = Repo.yaml("dev/observability/tempo.yaml");
    assertEquals("0.0.0.0:4317", Yaml.at(tempo, "distributor", "receivers", "otlp", "protocols", "grpc", "endpoint"),
        "Tempo takes OTLP gRPC where the Collector sends it");
    assertEquals(3200L, Yaml.at(tempo, "server", "http_listen_port"));
    Object loki = Repo.yaml("dev/observability/loki.yaml");
    assertEquals(3100L, Yaml.at(loki, "server", "http_listen_port"));
    assertEquals(Boolean.TRUE, Yaml.at(loki, "limits_config", "allow_structured_metadata"),
        "OTLP logs keep trace_id as structured metadata");
    assertEquals(Boolean.FALSE, Yaml.at(loki, "auth_enabled"));
  }

  @Test
  void datasourcesHaveFixedUidsAndLinkTempoAndLokiByTraceId() {
    Map<String, Map<String, Object>> byUid = new LinkedHashMap<>();
    for (String f : Dashboards.DATASOURCE_FILES) {
      for (Object o : Yaml.list(Yaml.at(Repo.yaml(f), "datasources"), f)) {
        Map<String, Object> ds = Yaml.map(o, f);
        assertTrue(byUid.put((String) ds.get("uid"), ds) == null, "uid " + ds.get("uid") + " defined twice");
      }
    }
    assertEquals(Set.of("prometheus", "tempo", "loki", "dynamo-resource-monitor"), byUid.keySet());
    Map<String, String> urls = Map.of("prometheus", "http://prometheus:9090", "tempo", "http://tempo:3200",
        "loki", "http://loki:3100");
    for (Map.Entry<String, String> e : urls.entrySet()) {
      assertEquals(e.getKey(), byUid.get(e.getKey()).get("type"));
      assertEquals(e.getValue(), byUid.get(e.getKey()).get("url"), "a compose service and its port");
      assertTrue(services().containsKey(e.getKey()));
    }
    // upstream's resource-monitor dashboard asks for this uid; the agents' series are in the main Prometheus
    assertEquals("prometheus", byUid.get("dynamo-resource-monitor").get("type"));
    assertEquals("http://prometheus:9090", byUid.get("dynamo-resource-monitor").get("url"));
    assertEquals(Boolean.TRUE, byUid.get("prometheus").get("isDefault"));
    Object toLogs = Yaml.at(byUid.get("tempo"), "jsonData", "tracesToLogsV2");
    assertEquals("loki", Yaml.at(toLogs, "datasourceUid"));
    String query = (String) Yaml.at(toLogs, "query");
    // Grafana expands $VAR in provisioning files: "$$" keeps the "$" of Grafana's own ${__trace.traceId}
    assertTrue(query.contains("trace_id = \"$${__trace.traceId}\""), query);
    List<Object> derived = Yaml.list(Yaml.at(byUid.get("loki"), "jsonData", "derivedFields"), "derivedFields");
    Map<String, Object> field = Yaml.map(derived.get(0), "derived field");
    assertEquals("tempo", field.get("datasourceUid"));
    assertEquals("trace_id", field.get("matcherRegex"));
    assertEquals("label", field.get("matcherType"), "trace_id is structured metadata, matched like a label");
    assertEquals("$${__value.raw}", field.get("url"));
  }

  @Test
  void dashboardsAreWellFormed() {
    Map<String, String> datasources = Dashboards.provisionedDatasources();
    List<Dashboards.Dashboard> all = Dashboards.load();
    Set<String> uids = new HashSet<>();
    Set<String> titles = new HashSet<>();
    for (Dashboards.Dashboard d : all) {
      String uid = (String) d.json().get("uid");
      assertTrue(uid != null && uid.length() <= 40 && uids.add(uid), d.file() + ": a unique uid: " + uid);
      titles.add(d.title());
      Set<Object> ids = new HashSet<>();
      List<int[]> boxes = new ArrayList<>();
      for (Map<String, Object> p : Dashboards.panels(d)) {
        String where = d.file() + " panel \"" + p.get("title") + "\"";
        assertTrue(p.get("id") instanceof Double && ids.add(p.get("id")),
            where + ": a unique numeric id: " + p.get("id"));
        Map<String, Object> g = Json.object(p.get("gridPos"));
        int x = num(g.get("x"));
        int y = num(g.get("y"));
        int w = num(g.get("w"));
        int h = num(g.get("h"));
        assertTrue(x >= 0 && w > 0 && h > 0 && x + w <= 24, where + ": inside the 24-column grid: " + g);
        for (int[] b : boxes) {
          boolean overlap = x < b[0] + b[2] && b[0] < x + w && y < b[1] + b[3] && b[1] < y + h;
          assertFalse(overlap, where + " overlaps another panel at " + g);
        }
        boxes.add(new int[]{x, y, w, h});
        if ("row".equals(p.get("type"))) {
          continue;
        }
        assertTrue(p.get("title") instanceof String && !((String) p.get("title")).isBlank(), where + ": a title");
        String ds = Dashboards.uid(p.get("datasource"));
        assertTrue(datasources.containsKey(ds), where + ": datasource uid " + ds + " is provisioned " + datasources);
      }
      Set<String> defined = new LinkedHashSet<>();
      Set<String> used = new HashSet<>();
      for (Dashboards.Variable v : Dashboards.variables(d)) {
        assertEquals("query", v.type(), d.file() + " variable " + v.name());
        assertTrue(datasources.containsKey(v.datasourceUid()), d.file() + " variable " + v.name() + ": datasource");
        assertNotNull(Dashboards.labelValues(v.query()), d.file() + " variable " + v.name() + ": label_values(…): "
            + v.query());
        for (String ref : Dashboards.referencedVariables(v.query())) {
          assertTrue(defined.contains(ref),
              d.file() + " variable " + v.name() + " uses $" + ref + " before it is defined");
          used.add(ref);
        }
        defined.add(v.name());
      }
      List<Dashboards.Expr> exprs = Dashboards.expressions(d);
      assertFalse(exprs.isEmpty(), d.file() + " has queries");
      for (Dashboards.Expr e : exprs) {
        assertTrue(e.expr() != null && !e.expr().isBlank(), e + ": an expression");
        assertEquals("prometheus", datasources.get(e.datasourceUid()), e + ": a Prometheus datasource");
        for (String ref : Dashboards.referencedVariables(e.expr())) {
          assertTrue(defined.contains(ref), e + ": $" + ref + " is not a variable of the dashboard " + defined);
          used.add(ref);
        }
      }
      for (String v : defined) {
        assertTrue(used.contains(v), d.file() + ": variable $" + v + " is used by no query");
      }
      for (Object link : Json.array(d.json().get("links"))) {
        String url = (String) Json.object(link).get("url");
        String target = url.substring(url.lastIndexOf('/') + 1);
        assertTrue(all.stream().anyMatch(o -> target.equals(o.json().get("uid"))), d.file() + ": link to " + url);
      }
    }
    assertEquals(Set.of("Dynamo", "dynamo-obs agent"), titles);
  }

  private static int num(Object o) {
    double d = (Double) o;
    assertEquals(Math.rint(d), d, "an integer grid position");
    return (int) d;
  }

  @Test
  void everyDashboardQueryIsValidPromQl() throws IOException {
    Optional<Path> promtool = Tools.onPath("promtool");
    assumeTrue(promtool.isPresent(), "skipped: " + Tools.PACKAGE_HINT);
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboards\n    rules:\n");
    List<Dashboards.Expr> all = new ArrayList<>();
    for (Dashboards.Dashboard d : Dashboards.load()) {
      Map<String, String> values = new HashMap<>();
      for (Dashboards.Variable v : Dashboards.variables(d)) {
        values.put(v.name(), "x");
      }
      for (Dashboards.Expr e : Dashboards.expressions(d)) {
        all.add(e);
        rules.append("      - record: dashboard_query_").append(all.size()).append('\n')
            .append("        expr: ").append(jsonString(Dashboards.substitute(e.expr(), values))).append('\n');
      }
    }
    Path file = Repo.scratch("promql").resolve("dashboard-queries.rules.yml");
    Files.writeString(file, rules, StandardCharsets.UTF_8);
    Tools.Result r = Tools.run(promtool.get().toString(), "check", "rules", file.toString());
    StringBuilder which = new StringBuilder();
    Matcher m = Pattern.compile("dashboard_query_(\\d+)").matcher(r.all());
    while (m.find()) {
      which.append('\n').append(all.get(Integer.parseInt(m.group(1)) - 1));
    }
    assertEquals(0, r.exitCode(), "promtool check rules " + file + ":\n" + r.all() + which);
    assertTrue(r.stdout().contains("SUCCESS: " + all.size() + " rules found"), r.all());
  }

  static String jsonString(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Test
  void theStackDocumentDescribesPortsLoginAndEveryPanel() {
    String doc = Repo.read("docs/observability-stack.md");
    assertTrue(doc.contains("docker compose -f dev/docker-observability.yml up -d"), "how to start it");
    for (List<Integer> ports : SEED_PORTS.values()) {
      for (int p : ports) {
        assertTrue(doc.contains(Integer.toString(p)), "docs/observability-stack.md names port " + p);
      }
    }
    assertTrue(doc.contains("dynamo") && doc.contains("`dynamo` / `dynamo`"), "the Grafana login");
    for (Dashboards.Dashboard d : Dashboards.load()) {
      assertTrue(doc.contains("## Dashboard \"" + d.title() + "\""), "the doc has a section for " + d.title());
      for (Map<String, Object> p : Dashboards.panels(d)) {
        String title = (String) p.get("title");
        if (!"row".equals(p.get("type"))) {
          assertTrue(doc.contains("\n| " + title + " | "), "docs/observability-stack.md has a table row saying what"
              + " the panel \"" + title + "\" of " + d.title() + " shows");
        }
      }
    }
  }
}
