package dynamo.obs.it.ecosystem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.it.apps.IdleApp;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.Http;
import dynamo.obs.it.support.Poll;
import dynamo.obs.it.support.SystemServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The opt-in resource monitor ({@code DYN_OBS_RESOURCE_MONITOR=true}) in real JVMs: process series from
 * JMX and /proc, GPU series from a stand-in {@code nvidia-smi} on the PATH, and what a missing, failing
 * or hanging nvidia-smi does (nothing to the application; one WARN). The five JVMs run side by side.
 */
class ResourceMonitorIT {
  private static final List<AgentProcess> APPS = new ArrayList<>();
  private static Monitored gpu;
  private static Monitored noGpu;
  private static Monitored failing;
  private static Monitored hanging;
  private static Monitored off;

  record Monitored(AgentProcess app, SystemServer server) {
    String metrics() {
      return server.metrics();
    }

    /** The WARN lines, less the one an application without an HTTP server gets 10 s after start (HttpStacksIT's). */
    List<String> warnings() {
      return app.stderrLines().stream().filter(l -> l.contains(" WARN "))
          .filter(l -> !l.contains("no HTTP server the agent supports")).collect(Collectors.toList());
    }
  }

  private static Monitored start(boolean monitor, String path, String standInMode) {
    int port = FreePort.pick();
    AgentProcess.Builder b = AgentProcess.app(IdleApp.class).env("DYN_SYSTEM_PORT", "" + port)
        .env("DYN_SYSTEM_HOST", "127.0.0.1").env("PATH", path);
    if (monitor) {
      b.env("DYN_OBS_RESOURCE_MONITOR", "true");
    }
    if (standInMode != null) {
      b.env("NVIDIA_SMI_STANDIN", standInMode);
    }
    AgentProcess app = b.start();
    APPS.add(app);
    return new Monitored(app, new SystemServer(app, port));
  }

  @BeforeAll
  static void startAll() {
    gpu = start(true, StandInNvidiaSmi.pathWithStandIn(), null);
    noGpu = start(true, StandInNvidiaSmi.pathWithoutNvidiaSmi(), null);
    failing = start(true, StandInNvidiaSmi.pathWithStandIn(), "fail");
    hanging = start(true, StandInNvidiaSmi.pathWithStandIn(), "slow");
    off = start(false, StandInNvidiaSmi.pathWithStandIn(), null);
    for (AgentProcess app : APPS) {
      app.awaitStdout(Pattern.compile("IDLE"));
    }
  }

  @AfterAll
  static void stopAll() {
    for (AgentProcess app : APPS) {
      app.close();
    }
  }

  static String await(Monitored m, String what, Pattern p) {
    return Poll.until(what, m::metrics, t -> p.matcher(t).find(), m.app());
  }

  static double value(String text, String seriesRegex) {
    Matcher m = Pattern.compile("(?m)^" + seriesRegex + " (\\S+)$").matcher(text);
    assertTrue(m.find(), seriesRegex + "\n" + text);
    return Double.parseDouble(m.group(1));
  }

  @Test
  void gpuMemoryOfThisJvmAndEveryGpuComeFromNvidiaSmi() {
    long pid = gpu.app().pid();
    String series = "dynamo_gpu_memory_used_gib\\{gpu=\"0\",pid=\"" + pid + "\",process_name=\"IdleApp\"\\}";
    // a query that times out on a loaded machine empties every GPU series until the next one answers, so wait
    // for a scrape with a reading; each scrape takes all GPU families from one reading, none from the next
    String text = await(gpu, "GPU memory of pid " + pid + " and utilisation of both GPUs", Pattern.compile(
        "(?ms)(?=.*^" + series + " )(?=.*^dynamo_gpu_utilization_percent\\{gpu=\"0\"\\} )"
            + "(?=.*^dynamo_gpu_utilization_percent\\{gpu=\"1\"\\} )(?=.*^dynamo_gpu_temperature_celsius\\{gpu=\"1\"\\} )"));
    assertEquals(1.5, value(text, series), 1e-9, "1536 MiB");
    assertEquals(0.5, value(text,
        "dynamo_gpu_memory_used_gib\\{gpu=\"1\",pid=\"" + pid + "\",process_name=\"IdleApp\"\\}"), 1e-9);
    assertFalse(text.contains("pid=\"" + StandInNvidiaSmi.FOREIGN_PID + "\""), "another process's memory is not ours");
    assertEquals(87, value(text, "dynamo_gpu_utilization_percent\\{gpu=\"0\"\\}"));
    assertEquals(0, value(text, "dynamo_gpu_utilization_percent\\{gpu=\"1\"\\}"));
    assertEquals(64, value(text, "dynamo_gpu_temperature_celsius\\{gpu=\"0\"\\}"));
    assertEquals(81559 / 1024.0, value(text, "dynamo_gpu_memory_total_gib\\{gpu=\"1\"\\}"), 1e-9);
    assertTrue(text.contains("# TYPE dynamo_gpu_memory_used_gib gauge"), text);
    assertTrue(gpu.warnings().isEmpty(), String.join("\n", gpu.warnings()));
    gpu.app().awaitStderr(Pattern.compile("INFO dynamo_obs.resources: resource monitor on: every 200 ms.*"
        + "process_name=\"IdleApp\".*GPUs via .*nvidia-smi"));
  }

  @Test
  void processSeriesAreSampledEvery200Ms() {
    String text = await(gpu, "process series", Pattern.compile("(?m)^dynamo_cpu_process_percent\\{"));
    assertTrue(value(text, "dynamo_cpu_process_percent\\{process_name=\"IdleApp\"\\}") >= 0);
    assertTrue(value(text, "dynamo_process_resident_memory_bytes\\{process_name=\"IdleApp\"\\}") > 1 << 20);
    assertTrue(value(text, "dynamo_process_threads\\{process_name=\"IdleApp\"\\}") > 5, "OS threads of a JVM");
    assertTrue(
        Pattern.compile("(?m)^dynamo_process_gc_pause_seconds_total\\{gc=\"[^\"]+\",process_name=\"IdleApp\"\\} ")
            .matcher(text).find(),
        text);
    assertTrue(text.contains("# TYPE dynamo_process_gc_pause_seconds_total counter"), text);
    double cpu = value(text, "dynamo_cpu_utilization_percent");
    assertTrue(cpu >= 0 && cpu <= 100, "machine CPU " + cpu);
    // the CPU share moves between scrapes: each scrape reads a fresh sample, not a value fixed at start
    double first = value(text, "dynamo_cpu_process_percent\\{process_name=\"IdleApp\"\\}");
    Poll.until("a new CPU sample",
        () -> value(gpu.metrics(), "dynamo_cpu_process_percent\\{process_name=\"IdleApp\"\\}"),
        v -> v != first, gpu.app());
  }

  @Test
  void withoutNvidiaSmiOnThePathThereAreNoGpuSeries() {
    String text = await(noGpu, "process series", Pattern.compile("(?m)^dynamo_process_threads\\{"));
    assertFalse(text.contains("dynamo_gpu_"), text);
    assertTrue(noGpu.warnings().isEmpty(), String.join("\n", noGpu.warnings()));
    noGpu.app().awaitStderr(Pattern.compile("resource monitor on: .*GPU metrics off: nvidia-smi is not on the PATH"));
  }

  @Test
  void aFailingNvidiaSmiIsOneWarnAndABackOffAndTheApplicationRunsOn() {
    failing.app()
        .awaitStderr(Pattern.compile("WARN dynamo_obs.resources: .*nvidia-smi exited with 9: NVIDIA-SMI has failed"
            + ".*next try in 5 s"));
    // after the 5 s back-off it tries again, fails again, and says nothing more at INFO/WARN
    String text = Poll.until("a second failed query", failing::metrics,
        t -> Pattern.compile("(?m)^dynamo_obs_resource_monitor_failures_total\\{source=\"nvidia-smi\"\\} [2-9]")
            .matcher(t).find(),
        Duration.ofSeconds(20), failing.app()::outputs);
    assertFalse(text.contains("dynamo_gpu_utilization_percent{"), "no GPU series while it fails\n" + text);
    assertTrue(text.contains("dynamo_process_threads{"), text);
    assertEquals(1, failing.warnings().size(), String.join("\n", failing.warnings()));
    assertEquals(200, Http.get(failing.server().port(), "/metrics").statusCode());
    failing.app().assertAlive();
  }

  @Test
  void aHangingNvidiaSmiIsKilledWithItsChildrenAfterTwoSeconds() {
    hanging.app().awaitStderr(Pattern.compile("WARN dynamo_obs.resources: .*nvidia-smi did not answer within 2000 ms"));
    Poll.until("the stand-in's sleep children ended", () -> ProcessHandle.of(hanging.app().pid())
        .map(h -> h.descendants().filter(d -> d.info().command().orElse("").endsWith("sleep")).count()).orElse(0L),
        n -> n == 0, hanging.app());
    long t0 = System.nanoTime();
    String text = hanging.metrics();
    assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(2).toNanos(), "scrapes never wait for nvidia-smi");
    assertTrue(text.contains("dynamo_cpu_process_percent{"), text);
    assertEquals(1, hanging.warnings().size(), String.join("\n", hanging.warnings()));
  }

  @Test
  void offByDefault() throws InterruptedException {
    off.server().awaitInstrumentationActive();
    Thread.sleep(1000); // a monitor that was on would have sampled five times by now
    String text = off.metrics();
    assertFalse(text.contains("dynamo_cpu_process_percent"), text);
    assertFalse(text.contains("dynamo_gpu_"), text);
    assertTrue(off.app().stderrLinesContaining("resource monitor").isEmpty(), off.app().stderr());
  }
}
