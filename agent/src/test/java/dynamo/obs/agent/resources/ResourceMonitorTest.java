package dynamo.obs.agent.resources;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResourceMonitorTest {
  static String scrape(PrometheusRegistry registry) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
    return out.toString(StandardCharsets.UTF_8);
  }

  static void assertLine(String text, String regex) {
    assertTrue(Pattern.compile("(?m)^" + regex + "$").matcher(text).find(), regex + "\n" + text);
  }

  @Test
  void exposesProcessAndGpuSeries() throws IOException {
    PrometheusRegistry registry = new PrometheusRegistry();
    FakeSmi smi = new FakeSmi();
    ResourceMonitor monitor = new ResourceMonitor(registry, ProcessSampler::new, null, Path.of("/usr/bin/nvidia-smi"),
        smi, pid -> pid == 100 ? Optional.of("WorkerServer") : Optional.empty(), "WorkerServer");
    assertFalse(scrape(registry).contains("dynamo_"), "no series before the first sample");
    long t = System.nanoTime();
    monitor.tick(t);
    monitor.tick(t + ResourceMonitor.PERIOD_NANOS);
    String text = scrape(registry);
    assertLine(text, "dynamo_cpu_process_percent\\{process_name=\"WorkerServer\"\\} [0-9.E-]+");
    assertLine(text, "dynamo_process_resident_memory_bytes\\{process_name=\"WorkerServer\"\\} [0-9.E]+");
    assertLine(text, "dynamo_process_threads\\{process_name=\"WorkerServer\"\\} [0-9.E]+");
    assertLine(text, "# TYPE dynamo_process_gc_pause_seconds_total counter");
    assertLine(text,
        "dynamo_process_gc_pause_seconds_total\\{gc=\"[^\"]+\",process_name=\"WorkerServer\"\\} [0-9.E-]+");
    assertLine(text, "dynamo_gpu_memory_used_gib\\{gpu=\"0\",pid=\"100\",process_name=\"WorkerServer\"\\} 2.0");
    assertLine(text, "dynamo_gpu_memory_total_gib\\{gpu=\"1\"\\} 40.0");
    assertLine(text, "dynamo_gpu_utilization_percent\\{gpu=\"0\"\\} 87.0");
    assertLine(text, "dynamo_gpu_temperature_celsius\\{gpu=\"1\"\\} 35.0");
    assertFalse(text.contains("pid=\"200\""), "another process's memory is not ours to report");
    assertFalse(text.contains("dynamo_obs_resource_monitor_failures_total"), "lazy: no failure yet");
  }

  @Test
  void withoutNvidiaSmiThereAreNoGpuFamiliesAtAll() throws IOException {
    PrometheusRegistry registry = new PrometheusRegistry();
    ResourceMonitor monitor = new ResourceMonitor(registry, ProcessSampler::new, null, null, null, null, "App");
    long t = System.nanoTime();
    monitor.tick(t);
    monitor.tick(t + ResourceMonitor.PERIOD_NANOS);
    String text = scrape(registry);
    assertTrue(text.contains("dynamo_process_threads{process_name=\"App\"}"), text);
    assertFalse(text.contains("dynamo_gpu_"), text);
  }

  @Test
  void aProcessSamplerThatCannotStartLeavesTheGpuPartWorking() throws IOException {
    PrometheusRegistry registry = new PrometheusRegistry();
    ResourceMonitor monitor = new ResourceMonitor(registry, () -> {
      throw new UnsupportedOperationException("no JMX here");
    }, null, Path.of("/usr/bin/nvidia-smi"), new FakeSmi(), pid -> Optional.empty(), "App");
    monitor.tick(0);
    monitor.tick(ResourceMonitor.PERIOD_NANOS);
    String text = scrape(registry);
    assertFalse(text.contains("dynamo_process_threads"), text);
    assertTrue(text.contains("dynamo_gpu_utilization_percent{gpu=\"0\"} 87.0"), text);
  }

  /** Upstream's "Disk + Network I/O (MB/s)" panel: the four gauges under upstream's names, no labels. */
  @Test
  void exposesNetworkAndDiskThroughputAsUpstreamNamesThem(@TempDir Path dir) throws IOException {
    HostIoSamplerTest.Host host = new HostIoSamplerTest.Host(dir);
    host.write(1000, 2000, 10, 20);
    PrometheusRegistry registry = new PrometheusRegistry();
    ResourceMonitor monitor = new ResourceMonitor(registry, ProcessSampler::new, host.sampler(), null, null, null,
        "App");
    monitor.tick(0);
    assertFalse(scrape(registry).contains("_mbps"), "no rate before the second sample");
    host.write(1000 + 3 * 1024 * 1024, 2000 + 1024 * 1024, 10 + 2048, 20 + 4096);
    monitor.tick(ResourceMonitor.PERIOD_NANOS * 5);
    String text = scrape(registry);
    assertLine(text, "# TYPE dynamo_network_sent_mbps gauge");
    assertLine(text, "dynamo_network_sent_mbps 3.0");
    assertLine(text, "dynamo_network_recv_mbps 1.0");
    assertLine(text, "dynamo_disk_read_mbps 1.0");
    assertLine(text, "dynamo_disk_write_mbps 2.0");
  }

  @Test
  void theThreadIsADaemonThatStops() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    ResourceMonitor monitor = ResourceMonitor.start(registry);
    try {
      Thread t = Thread.getAllStackTraces().keySet().stream()
          .filter(th -> th.getName().equals("dynamo-obs-resource-monitor")).findFirst().orElseThrow();
      assertTrue(t.isDaemon());
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (!scrape(registry).contains("dynamo_cpu_process_percent") && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertTrue(scrape(registry).contains("dynamo_cpu_process_percent"));
    } finally {
      monitor.stop();
    }
    assertTrue(Thread.getAllStackTraces().keySet().stream()
        .noneMatch(th -> th.getName().equals("dynamo-obs-resource-monitor") && th.isAlive()));
  }
}
