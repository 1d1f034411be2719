package dynamo.obs.benchmarks.startup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the CSV written by {@code benchmarks/startup.sh} into the Markdown tables of BENCHMARKS.md, so
 * no figure there is typed by hand. Warm-up rows and failed rows are left out of the statistics
 * (failed rows are listed).
 *
 * <p>Usage: {@code StartupReport <results.csv> <configs, comma-separated, baseline first> <agent-config>
 * [<name>=<jar>...]}
 */
public final class StartupReport {
  private static final double MIB = 1024.0 * 1024.0;
  // targets of the project's issue
  static final double TARGET_ADDED_FIRST_RESPONSE_MS = 300;
  static final double TARGET_ADDED_PEAK_RSS_MIB = 40;
  static final double GOAL_JAR_MIB = 8;
  static final double LIMIT_JAR_MIB = 12;
  /** FirstResponseTimer's status when /health never answered 200 */
  static final String NOT_READY = "agent not ready";

  private StartupReport() {
  }

  record Row(String jdk, String javaVersion, String config, int run, String phase, Double ttfr, Double ready,
      Double cpu, Double hwmKib, int ok, String status, Double cpuFirst, Double load1, int otherJava) {
    /**
     * A run counts when it answered; one whose agent never reported ready (a stack the agent does not
     * instrument, whose /health stays notready) counts for everything but the ready time.
     */
    boolean measured() {
      return phase.equals("measure") && (status.equals("ok") || status.startsWith(NOT_READY)) && ttfr != null;
    }
  }

  public static void main(String[] args) throws IOException {
    List<String> lines = Files.readAllLines(Path.of(args[0]));
    List<String> order = List.of(args[1].split(","));
    String baseline = order.get(0);
    String agent = args[2];
    List<Row> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split(",", -1);
      rows.add(new Row(f[0], f[1], f[2], Integer.parseInt(f[3]), f[4], num(f[5]), num(f[6]), num(f[7]), num(f[8]),
          Integer.parseInt(f[10]), f[11], f.length > 12 ? num(f[12]) : null, f.length > 13 ? num(f[13]) : null,
          f.length > 14 && !f[14].isEmpty() ? Integer.parseInt(f[14]) : 0));
    }

    Map<String, Map<String, List<Row>>> byJdk = new LinkedHashMap<>();
    for (Row r : rows) {
      byJdk.computeIfAbsent(r.jdk + " (" + r.javaVersion + ")", k -> {
        Map<String, List<Row>> m = new LinkedHashMap<>();
        order.forEach(c -> m.put(c, new ArrayList<>()));
        return m;
      }).computeIfAbsent(r.config, k -> new ArrayList<>()).add(r);
    }

    StringBuilder out = new StringBuilder();
    List<String[]> targets = new ArrayList<>();
    for (Map.Entry<String, Map<String, List<Row>>> jdk : byJdk.entrySet()) {
      out.append("### ").append(jdk.getKey()).append("\n\n");
      out.append("| configuration | runs | first response median ms | p90 ms | added vs no agent ms (median diff)"
          + " | CPU to first response median ms | added vs no agent ms"
          + " | agent ready (/health 200) median ms | p90 ms | CPU median ms | peak RSS median MiB"
          + " | added vs no agent MiB |\n");
      out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      List<Row> base = measured(jdk.getValue().getOrDefault(baseline, List.of()));
      double baseTtfr = median(base, Row::ttfr);
      double baseHwm = median(base, Row::hwmKib);
      double baseCpuFirst = median(base, Row::cpuFirst);
      for (Map.Entry<String, List<Row>> cfg : jdk.getValue().entrySet()) {
        List<Row> m = measured(cfg.getValue());
        double ttfr = median(m, Row::ttfr);
        double hwm = median(m, Row::hwmKib);
        boolean isBase = cfg.getKey().equals(baseline);
        double addedTtfr = ttfr - baseTtfr;
        double addedMib = (hwm - baseHwm) / 1024.0;
        List<Row> withReady = m.stream().filter(r -> r.ready != null).toList();
        out.append("| ").append(cfg.getKey())
            .append(" | ").append(m.size())
            .append(" | ").append(f0(ttfr))
            .append(" | ").append(f0(p90(m, Row::ttfr)))
            .append(" | ").append(isBase ? "—" : signed(addedTtfr))
            .append(" | ").append(f0(median(m, Row::cpuFirst)))
            .append(" | ").append(isBase ? "—" : signed(median(m, Row::cpuFirst) - baseCpuFirst))
            .append(" | ").append(withReady.isEmpty() ? "—" : f0(median(withReady, Row::ready)))
            .append(" | ").append(withReady.isEmpty() ? "—" : f0(p90(withReady, Row::ready)))
            .append(" | ").append(f0(median(m, Row::cpu)))
            .append(" | ").append(f1(hwm / 1024.0))
            .append(" | ").append(isBase ? "—" : signed1(addedMib))
            .append(" |\n");
        if (!isBase) {
          String who = cfg.getKey() + ", " + jdk.getKey().substring(0, jdk.getKey().indexOf(' '));
          if (cfg.getKey().equals(agent)) {
            targets.add(new String[]{"added time to first response, " + who, "≤ " + f0(TARGET_ADDED_FIRST_RESPONSE_MS)
                + " ms", signed(addedTtfr) + " ms", verdict(addedTtfr, TARGET_ADDED_FIRST_RESPONSE_MS)});
            targets.add(new String[]{"added peak RSS, " + who, "≤ " + f0(TARGET_ADDED_PEAK_RSS_MIB) + " MiB",
                signed1(addedMib) + " MiB", verdict(addedMib, TARGET_ADDED_PEAK_RSS_MIB)});
          } else {
            targets.add(new String[]{"added time to first response, " + who + " (comparison)", "—",
                signed(addedTtfr) + " ms", "—"});
            targets.add(new String[]{"added peak RSS, " + who + " (comparison)", "—", signed1(addedMib) + " MiB",
                "—"});
          }
        }
      }
      out.append('\n');
      List<Row> all = measured(jdk.getValue().values().stream().flatMap(List::stream).toList());
      double[] loads = values(all, Row::load1);
      if (loads.length > 0) {
        long busy = all.stream().filter(r -> r.otherJava > 0).count();
        out.append("Machine load as the measured runs started: 1-min load average ").append(f1(loads[0])).append("–")
            .append(f1(loads[loads.length - 1])).append(" (median ").append(f1(median(all, Row::load1)))
            .append("); other java processes running at the start of ").append(busy).append(" of ")
            .append(all.size()).append(" runs.\n\n");
      }
      List<Row> failed = jdk.getValue().values().stream().flatMap(List::stream)
          .filter(r -> !r.status.equals("ok")).toList();
      for (Row r : failed) {
        out.append("- not ok: ").append(r.config).append(" run ").append(r.run).append(" (").append(r.phase)
            .append("): ").append(r.status).append('\n');
      }
      if (!failed.isEmpty()) {
        out.append('\n');
      }
    }

    out.append("### Jar sizes\n\n| jar | bytes | MiB |\n|---|---:|---:|\n");
    for (int i = 3; i < args.length; i++) {
      String name = args[i].substring(0, args[i].indexOf('='));
      Path jar = Path.of(args[i].substring(args[i].indexOf('=') + 1));
      long size = Files.size(jar);
      out.append("| ").append(name).append(" | ").append(size).append(" | ").append(f1(size / MIB)).append(" |\n");
      if (name.equals(agent)) {
        double mib = size / MIB;
        targets.add(new String[]{"jar size, " + name, "goal ≤ " + f0(GOAL_JAR_MIB) + " MiB, limit ≤ "
            + f0(LIMIT_JAR_MIB) + " MiB", f1(mib) + " MiB",
            mib <= GOAL_JAR_MIB ? "goal met" : mib <= LIMIT_JAR_MIB ? "limit met, goal not" : "NOT met"});
      }
    }
    out.append("\n### Targets (from these runs)\n\n| what | target | measured | verdict |\n|---|---|---:|---|\n");
    for (String[] t : targets) {
      out.append("| ").append(String.join(" | ", t)).append(" |\n");
    }
    System.out.print(out);
  }

  private static String verdict(double measured, double limit) {
    return Double.isNaN(measured) ? "no data" : measured <= limit ? "met" : "NOT met";
  }

  private static List<Row> measured(List<Row> rows) {
    return rows.stream().filter(Row::measured).toList();
  }

  private static Double num(String s) {
    return s.isEmpty() ? null : Double.valueOf(s);
  }

  static double median(List<Row> rows, java.util.function.Function<Row, Double> f) {
    double[] v = values(rows, f);
    if (v.length == 0) {
      return Double.NaN;
    }
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  /** Nearest-rank 90th percentile. */
  static double p90(List<Row> rows, java.util.function.Function<Row, Double> f) {
    double[] v = values(rows, f);
    if (v.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(0.9 * v.length);
    return v[Math.max(0, rank - 1)];
  }

  private static double[] values(List<Row> rows, java.util.function.Function<Row, Double> f) {
    return rows.stream().map(f).filter(x -> x != null).mapToDouble(Double::doubleValue).sorted().toArray();
  }

  private static String f0(double v) {
    return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.0f", v);
  }

  private static String f1(double v) {
    return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String signed(double v) {
    return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%+.0f", v);
  }

  private static String signed1(double v) {
    return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%+.1f", v);
  }
}
