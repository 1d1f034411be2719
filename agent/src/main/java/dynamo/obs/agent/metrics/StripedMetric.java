package dynamo.obs.agent.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import java.util.Set;

/** What the registry asks of a striped metric before it collects it: its name, type and label names. */
abstract class StripedMetric implements Collector {
  final MetricMetadata metadata;
  private final MetricType type;
  private final Set<String> labelNames;

  StripedMetric(MetricMetadata metadata, MetricType type, String... labelNames) {
    this.metadata = metadata;
    this.type = type;
    this.labelNames = Set.of(labelNames);
  }

  @Override
  public String getPrometheusName() {
    return metadata.getPrometheusName();
  }

  @Override
  public MetricType getMetricType() {
    return type;
  }

  @Override
  public Set<String> getLabelNames() {
    return labelNames;
  }

  @Override
  public MetricMetadata getMetadata() {
    return metadata;
  }
}
