package dynamo.obs.agent.metrics;

import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** A registry's scrape as client_java's writers put it: what the agent's {@code /metrics} serves. */
final class Exposition {
  private Exposition() {
  }

  static String text(PrometheusRegistry registry, boolean openMetrics) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (openMetrics) {
      OpenMetricsTextFormatWriter.create().write(out, registry.scrape());
    } else {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
