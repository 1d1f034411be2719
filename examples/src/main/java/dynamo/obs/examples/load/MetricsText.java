package dynamo.obs.examples.load;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The samples of a Prometheus text exposition (format 0.0.4, and the OpenMetrics text it resembles), with the
 * few aggregations the load driver's summary needs.
 */
public final class MetricsText {

  /** One sample line: {@code name{label="value",...} value}. */
  public record Sample(String name, Map<String, String> labels, double value) {
  }

  private final List<Sample> samples;

  private MetricsText(List<Sample> samples) {
    this.samples = samples;
  }

  /** Parses an exposition; comment lines ({@code # HELP}, {@code # TYPE}, {@code # EOF}) are skipped. */
  public static MetricsText parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      String trimmed = line.strip();
      if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
        samples.add(parseSample(trimmed));
      }
    }
    return new MetricsText(List.copyOf(samples));
  }

  public List<Sample> samples() {
    return samples;
  }

  /** Whether any sample has this exact name. */
  public boolean has(String name) {
    return samples.stream().anyMatch(s -> s.name().equals(name));
  }

  /** The sum over every series of {@code name}. */
  public double sum(String name) {
    return samples.stream().filter(s -> s.name().equals(name)).mapToDouble(Sample::value).sum();
  }

  /**
   * Sums the series of {@code name} grouped by the given labels; keys read {@code model="a",status="success"}
   * (a missing label counts as empty) and are sorted.
   */
  public Map<String, Double> sumBy(String name, String... labelNames) {
    Map<String, Double> sums = new TreeMap<>();
    for (Sample sample : samples) {
      if (sample.name().equals(name)) {
        sums.merge(groupKey(sample, labelNames), sample.value(), Double::sum);
      }
    }
    return sums;
  }

  /**
   * The mean of a histogram or summary per group, {@code _sum / _count}; groups with a zero count are left out.
   */
  public Map<String, Double> meanBy(String family, String... labelNames) {
    Map<String, Double> sums = sumBy(family + "_sum", labelNames);
    Map<String, Double> counts = sumBy(family + "_count", labelNames);
    Map<String, Double> means = new TreeMap<>();
    counts.forEach((group, count) -> {
      if (count > 0 && sums.containsKey(group)) {
        means.put(group, sums.get(group) / count);
      }
    });
    return means;
  }

  private static String groupKey(Sample sample, String... labelNames) {
    return Arrays.stream(labelNames)
        .map(label -> label + "=\"" + sample.labels().getOrDefault(label, "") + "\"")
        .collect(Collectors.joining(","));
  }

  private static Sample parseSample(String line) {
    int nameEnd = 0;
    while (nameEnd < line.length() && line.charAt(nameEnd) != '{' && !Character.isWhitespace(line.charAt(nameEnd))) {
      nameEnd++;
    }
    String name = line.substring(0, nameEnd);
    Map<String, String> labels = new LinkedHashMap<>();
    int pos = nameEnd;
    if (pos < line.length() && line.charAt(pos) == '{') {
      pos = parseLabels(line, pos + 1, labels);
    }
    // What follows is the value, then optionally a timestamp and (OpenMetrics) "# exemplar".
    String[] rest = line.substring(pos).strip().split("\\s+");
    if (rest[0].isEmpty()) {
      throw new IllegalArgumentException("sample without a value: " + line);
    }
    return new Sample(name, Map.copyOf(labels), parseValue(rest[0]));
  }

  /** Reads {@code a="x",b="y"}} from {@code pos}, just after the brace; returns the index after the closing brace. */
  private static int parseLabels(String line, int pos, Map<String, String> labels) {
    while (true) {
      while (pos < line.length() && (line.charAt(pos) == ',' || line.charAt(pos) == ' ')) {
        pos++;
      }
      if (pos >= line.length()) {
        throw new IllegalArgumentException("unterminated labels: " + line);
      }
      if (line.charAt(pos) == '}') {
        return pos + 1;
      }
      int equals = line.indexOf('=', pos);
      if (equals < 0 || equals + 1 >= line.length() || line.charAt(equals + 1) != '"') {
        throw new IllegalArgumentException("malformed label at " + pos + ": " + line);
      }
      String labelName = line.substring(pos, equals).strip();
      StringBuilder value = new StringBuilder();
      pos = equals + 2;
      while (true) {
        if (pos >= line.length()) {
          throw new IllegalArgumentException("unterminated label value: " + line);
        }
        char c = line.charAt(pos++);
        if (c == '"') {
          break;
        }
        if (c == '\\' && pos < line.length()) {
          char escaped = line.charAt(pos++);
          value.append(escaped == 'n' ? '\n' : escaped);
        } else {
          value.append(c);
        }
      }
      labels.put(labelName, value.toString());
    }
  }

  private static double parseValue(String value) {
    return switch (value) {
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(value);
    };
  }
}
