package dynamo.obs.examples.load;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * After a run, reads one process's system port — where the dynamo-obs agent serves {@code /health} and
 * {@code /metrics} — and prints its health and a compact summary of the Dynamo metric families that tell
 * whether the agent saw the load. Families the process does not expose are skipped.
 */
final class SystemPortReport {

  private final HttpClient client;
  private final PrintStream out;

  SystemPortReport(HttpClient client, PrintStream out) {
    this.client = client;
    this.out = out;
  }

  void print(String process, String baseUrl) throws InterruptedException {
    String base = baseUrl.replaceAll("/+$", "");
    out.println();
    out.println("== " + process + " (" + base + ")");
    try {
      HttpResponse<String> health = get(base + "/health");
      out.println("  health " + health.statusCode() + ": " + health.body().strip());
      HttpResponse<String> metrics = get(base + "/metrics");
      if (metrics.statusCode() != 200) {
        out.println("  metrics: HTTP " + metrics.statusCode());
        return;
      }
      summarise(MetricsText.parse(metrics.body()));
    } catch (IOException | IllegalArgumentException e) {
      out.println("  unreachable or unreadable: " + e);
    }
  }

  private HttpResponse<String> get(String url) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private void summarise(MetricsText metrics) {
    total(metrics, "dynamo_component_uptime_seconds");
    grouped("dynamo_frontend_requests_total", metrics.sumBy("dynamo_frontend_requests_total", "model", "status"));
    means(metrics, "dynamo_frontend_time_to_first_token_seconds");
    means(metrics, "dynamo_frontend_inter_token_latency_seconds");
    means(metrics, "dynamo_frontend_input_sequence_tokens");
    means(metrics, "dynamo_frontend_output_sequence_tokens");
    total(metrics, "dynamo_component_requests_total");
    Map<String, Double> duration = metrics.meanBy("dynamo_component_request_duration_seconds");
    grouped("dynamo_component_request_duration_seconds mean", duration);
    total(metrics, "dynamo_component_router_requests_total");
    total(metrics, "jvm_memory_used_bytes");
  }

  private void total(MetricsText metrics, String name) {
    if (metrics.has(name)) {
      out.printf("  %s = %s%n", name, format(metrics.sum(name)));
    }
  }

  private void means(MetricsText metrics, String family) {
    grouped(family + " mean", metrics.meanBy(family, "model"));
  }

  private void grouped(String title, Map<String, Double> values) {
    values.forEach((group, value) -> out.printf("  %s%s = %s%n", title,
        group.isEmpty() ? "" : " {" + group + "}", format(value)));
  }

  /** Integers print whole (counts, bytes); fractions keep four significant digits (seconds). */
  private static String format(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15
        ? String.valueOf((long) value)
        : String.format("%.4g", value);
  }
}
