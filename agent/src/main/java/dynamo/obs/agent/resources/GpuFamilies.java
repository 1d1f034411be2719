package dynamo.obs.agent.resources;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The GPU families, all from one {@link GpuSampler.Readings} per scrape: a scrape never shows one family from
 * a reading and another from the next (or from none, after a query timed out in between). A family without a
 * value is left out of the exposition, as a callback gauge without one is.
 */
final class GpuFamilies implements MultiCollector {
  private static final List<String> NAMES = List.of("dynamo_gpu_memory_used_gib", "dynamo_gpu_memory_total_gib",
      "dynamo_gpu_utilization_percent", "dynamo_gpu_temperature_celsius");

  private final GpuSampler sampler;

  GpuFamilies(GpuSampler sampler) {
    this.sampler = sampler;
  }

  @Override
  public MetricSnapshots collect() {
    GpuSampler.Readings r = sampler.readings();
    List<MetricSnapshot> families = new ArrayList<>(NAMES.size());
    GaugeSnapshot.Builder used = GaugeSnapshot.builder().name(NAMES.get(0))
        .help("GPU memory used by this process or one of its descendants, in GiB (nvidia-smi)");
    for (GpuSampler.ProcessReading p : r.processes()) {
      used.dataPoint(point(p.memoryUsedGib(),
          Labels.of("gpu", p.gpu(), "pid", Long.toString(p.pid()), "process_name", p.processName())));
    }
    add(families, used, r.processes().size());
    perGpu(families, r, NAMES.get(1), "Total memory of the GPU in GiB (nvidia-smi)",
        GpuSampler.GpuReading::memoryTotalGib);
    perGpu(families, r, NAMES.get(2), "GPU utilisation in percent (nvidia-smi utilization.gpu)",
        GpuSampler.GpuReading::utilizationPercent);
    perGpu(families, r, NAMES.get(3), "GPU temperature in degrees Celsius (nvidia-smi temperature.gpu)",
        GpuSampler.GpuReading::temperatureCelsius);
    return new MetricSnapshots(families);
  }

  @Override
  public List<String> getPrometheusNames() {
    return NAMES;
  }

  /** One family with a point per GPU whose value is known (nvidia-smi's {@code [N/A]} is NaN and left out). */
  private static void perGpu(List<MetricSnapshot> families, GpuSampler.Readings r, String name, String help,
      ToDoubleFunction<GpuSampler.GpuReading> value) {
    GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
    int points = 0;
    for (GpuSampler.GpuReading g : r.gpus()) {
      double v = value.applyAsDouble(g);
      if (!Double.isNaN(v)) {
        b.dataPoint(point(v, Labels.of("gpu", g.gpu())));
        points++;
      }
    }
    add(families, b, points);
  }

  private static GaugeDataPointSnapshot point(double value, Labels labels) {
    return GaugeDataPointSnapshot.builder().value(value).labels(labels).build();
  }

  private static void add(List<MetricSnapshot> families, GaugeSnapshot.Builder b, int points) {
    if (points > 0) {
      families.add(b.build());
    }
  }
}
