package dynamo.obs.it.ecosystem;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The shipped Grafana dashboards and datasources (dev/observability/), read as a test sees them. */
final class Dashboards {
  static final String DIR = "dev/observability/grafana_dashboards";
  static final List<String> DATASOURCE_FILES = List.of("dev/observability/grafana-datasources.yml",
      "dev/observability/tempo-datasource.yml", "dev/observability/loki-datasource.yml",
      "dev/observability/grafana-datasource-local-resource-monitor.yml");
  /** Upstream Dynamo's dashboards, unchanged (docs/upstream-metrics.md). */
  static final String UPSTREAM_DIR = "dev/observability/upstream/grafana_dashboards";
  /** Upstream's Kubernetes ConfigMaps, each holding one dashboard's JSON. */
  static final String UPSTREAM_CONFIGMAPS = "dev/observability/upstream/kubernetes";

  /** Grafana's built-in interval variables, as the tests substitute them (1 s scrapes). */
  static final Map<String, String> BUILT_INS = Map.of(
      "__rate_interval", "30s",
      "__interval", "5s",
      "__range", "5m",
      "__range_s", "300",
      "__range_ms", "300000");

  private static final Pattern LABEL_VALUES = Pattern
      .compile("label_values\\(\\s*(?:(.*\\S)\\s*,\\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)");
  /** {@code $name}, {@code ${name}}, {@code ${name:format}}, {@code [[name]]} with a name that starts with a letter or _. */
  private static final Pattern VARIABLE = Pattern.compile(
      "\\$\\{([a-zA-Z_][a-zA-Z0-9_]*)(?::[^}]*)?\\}|\\[\\[([a-zA-Z_][a-zA-Z0-9_]*)\\]\\]|\\$([a-zA-Z_][a-zA-Z0-9_]*)");

  record Dashboard(String file, Map<String, Object> json) {
    String title() {
      return String.valueOf(json.get("title"));
    }
  }

  record Variable(String name, String type, String query, String datasourceUid) {
  }

  record Expr(String dashboard, Object panelId, String panelTitle, String refId, String expr, String datasourceUid,
      String datasourceType) {
    @Override
    public String toString() {
      Object id = panelId instanceof Double && (Double) panelId == Math.rint((Double) panelId)
          ? (Object) ((Double) panelId).longValue()
          : panelId;
      return dashboard + " / " + panelTitle + " (panel " + id + ", " + refId + "): " + expr;
    }
  }

  private Dashboards() {
  }

  static List<Dashboard> load() {
    return load(DIR);
  }

  /** Every dashboard JSON file of a folder of the repository. */
  static List<Dashboard> load(String dir) {
    try (Stream<Path> files = Files.list(Repo.file(dir))) {
      List<Path> json = files.filter(p -> p.toString().endsWith(".json")).sorted().collect(Collectors.toList());
      List<Dashboard> out = new ArrayList<>();
      for (Path p : json) {
        String name = Repo.root().relativize(p).toString();
        out.add(new Dashboard(name, Json.object(Json.parse(Files.readString(p, StandardCharsets.UTF_8)))));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The dashboards of every Kubernetes ConfigMap of a folder: each {@code data} key ending in .json. */
  static List<Dashboard> loadConfigMaps(String dir) {
    try (Stream<Path> files = Files.list(Repo.file(dir))) {
      List<Dashboard> out = new ArrayList<>();
      for (Path p : files.filter(f -> f.toString().endsWith(".yaml")).sorted().collect(Collectors.toList())) {
        String name = Repo.root().relativize(p).toString();
        Map<String, String> json = configMapJson(Files.readString(p, StandardCharsets.UTF_8), name);
        for (Map.Entry<String, String> e : json.entrySet()) {
          out.add(new Dashboard(name + ":" + e.getKey(), Json.object(Json.parse(e.getValue()))));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final Pattern BLOCK_KEY = Pattern.compile("^( +)([A-Za-z0-9._-]+\\.json): \\|-?$");

  /**
   * The literal block scalars ({@code key: |} or {@code |-}) under a ConfigMap's {@code data}, by key: our YAML
   * reader takes no block scalars, and these hold whole JSON documents, lines indented deeper than their key.
   */
  static Map<String, String> configMapJson(String yaml, String source) {
    Map<String, String> out = new LinkedHashMap<>();
    String[] lines = yaml.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      Matcher m = BLOCK_KEY.matcher(lines[i]);
      if (!m.matches()) {
        continue;
      }
      int keyIndent = m.group(1).length();
      StringBuilder block = new StringBuilder();
      int blockIndent = -1;
      int j = i + 1;
      for (; j < lines.length; j++) {
        String line = lines[j];
        int indent = 0;
        while (indent < line.length() && line.charAt(indent) == ' ') {
          indent++;
        }
        if (indent == line.length()) {
          block.append('\n');
          continue;
        }
        if (indent <= keyIndent) {
          break;
        }
        if (blockIndent < 0) {
          blockIndent = indent;
        }
        block.append(line.substring(Math.min(blockIndent, indent))).append('\n');
      }
      out.put(m.group(2), block.toString());
      i = j - 1;
    }
    if (out.isEmpty()) {
      throw new AssertionError(source + ": no dashboard JSON under data");
    }
    return out;
  }

  /** Every panel, rows' children included, in document order. */
  static List<Map<String, Object>> panels(Dashboard d) {
    List<Map<String, Object>> out = new ArrayList<>();
    Object panels = d.json().get("panels");
    if (panels != null) {
      collect(Json.array(panels), out);
    }
    return out;
  }

  private static void collect(List<Object> panels, List<Map<String, Object>> out) {
    for (Object o : panels) {
      Map<String, Object> p = Json.object(o);
      out.add(p);
      if (p.get("panels") instanceof List) {
        collect(Json.array(p.get("panels")), out);
      }
    }
  }

  static String uid(Object datasource) {
    if (datasource instanceof Map) {
      Object uid = ((Map<?, ?>) datasource).get("uid");
      return uid == null ? null : String.valueOf(uid);
    }
    return datasource == null ? null : String.valueOf(datasource);
  }

  static List<Expr> expressions(Dashboard d) {
    List<Expr> out = new ArrayList<>();
    for (Map<String, Object> p : panels(d)) {
      Object targets = p.get("targets");
      if (!(targets instanceof List)) {
        continue;
      }
      for (Object t : Json.array(targets)) {
        Map<String, Object> target = Json.object(t);
        Object datasource = target.containsKey("datasource") ? target.get("datasource") : p.get("datasource");
        Object type = datasource instanceof Map ? ((Map<?, ?>) datasource).get("type") : null;
        out.add(new Expr(d.title(), p.get("id"), String.valueOf(p.get("title")), String.valueOf(target.get("refId")),
            (String) target.get("expr"), uid(datasource), type == null ? null : String.valueOf(type)));
      }
    }
    return out;
  }

  static List<Variable> variables(Dashboard d) {
    List<Variable> out = new ArrayList<>();
    Object templating = d.json().get("templating");
    if (templating == null) {
      return out;
    }
    for (Object o : Json.array(Json.object(templating).get("list"))) {
      Map<String, Object> v = Json.object(o);
      Object q = v.get("query");
      String query = q instanceof Map ? String.valueOf(((Map<?, ?>) q).get("query")) : (String) q;
      out.add(new Variable((String) v.get("name"), (String) v.get("type"), query, uid(v.get("datasource"))));
    }
    return out;
  }

  /** {@code label_values(selector, label)}: [selector or null, label]; null if the query is not of that form. */
  static String[] labelValues(String query) {
    Matcher m = LABEL_VALUES.matcher(query.trim());
    return m.matches() ? new String[]{m.group(1), m.group(2)} : null;
  }

  /** Names of the dashboard variables an expression uses (built-ins excluded). */
  static List<String> referencedVariables(String text) {
    List<String> names = new ArrayList<>();
    Matcher m = VARIABLE.matcher(text);
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
      if (!BUILT_INS.containsKey(name) && !names.contains(name)) {
        names.add(name);
      }
    }
    return names;
  }

  /**
   * The expression with built-ins and the given variables substituted; a variable left over is an
   * error. ({@code $1} of label_replace is no variable: names start with a letter or _.)
   */
  static String substitute(String expr, Map<String, String> values) {
    Map<String, String> all = new LinkedHashMap<>(BUILT_INS);
    all.putAll(values);
    StringBuilder sb = new StringBuilder();
    Matcher m = VARIABLE.matcher(expr);
    int last = 0;
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
      String value = all.get(name); // the pattern takes the whole name: $__range_s is not $__range
      if (value == null) {
        throw new AssertionError("unknown variable $" + name + " in " + expr);
      }
      sb.append(expr, last, m.start()).append(value);
      last = m.end();
    }
    return sb.append(expr.substring(last)).toString();
  }

  /** uid → type of every datasource the provisioning files define. */
  static Map<String, String> provisionedDatasources() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String f : DATASOURCE_FILES) {
      for (Object o : Yaml.list(Yaml.at(Repo.yaml(f), "datasources"), f + " datasources")) {
        Map<String, Object> ds = Yaml.map(o, f + " datasource");
        out.put(String.valueOf(ds.get("uid")), String.valueOf(ds.get("type")));
      }
    }
    return out;
  }

}
