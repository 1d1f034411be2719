package dynamo.obs.agent.resources;

import dynamo.obs.agent.console.AgentLog;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The opt-in resource monitor ({@code DYN_OBS_RESOURCE_MONITOR=true}): Dynamo's Local Resource
 * Monitor (reference §7) from inside each JVM. Every 200 ms one daemon thread samples this
 * process's CPU share, resident memory, thread count and GC pause time, the machine's network and disk
 * throughput (Linux), and — when {@code nvidia-smi} is on the PATH — the GPUs and the GPU memory of this JVM
 * and its descendants.
 *
 * <p>Scrapes only read the latest sample: nothing here runs on a request path or in a scrape. The
 * thread is started after the agent is up, so its JMX calls never precede the application's own
 * set-up.
 *
 * <p>Series (all gauges unless noted):
 * <ul>
 *   <li>{@code dynamo_cpu_process_percent{process_name}} — this process's CPU time over wall time,
 *       as a share of all processors (as Dynamo's monitor divides by the CPU count)</li>
 *   <li>{@code dynamo_cpu_utilization_percent} — the machine's (or container's) CPU utilisation</li>
 *   <li>{@code dynamo_process_resident_memory_bytes{process_name}} — RSS (Linux)</li>
 *   <li>{@code dynamo_process_threads{process_name}} — OS threads of the process (Linux; else JVM threads)</li>
 *   <li>{@code dynamo_process_gc_pause_seconds_total{process_name,gc}} — counter: time in GC pauses</li>
 *   <li>{@code dynamo_network_sent_mbps}, {@code dynamo_network_recv_mbps}, {@code dynamo_disk_read_mbps},
 *       {@code dynamo_disk_write_mbps} — the machine's throughput in MiB/s, as upstream's monitor
 *       ({@link HostIoSampler})</li>
 *   <li>{@code dynamo_gpu_memory_used_gib{gpu,pid,process_name}} — GPU memory of this JVM and its descendants</li>
 *   <li>{@code dynamo_gpu_memory_total_gib{gpu}}, {@code dynamo_gpu_utilization_percent{gpu}},
 *       {@code dynamo_gpu_temperature_celsius{gpu}}</li>
 *   <li>{@code dynamo_obs_resource_monitor_failures_total{source}} — counter: failed nvidia-smi queries</li>
 * </ul>
 */
public final class ResourceMonitor {
  static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  private static final AgentLog LOG = AgentLog.forTarget("dynamo_obs.resources");

  private final Supplier<ProcessSampler> processSamplers;
  private ProcessSampler processSampler;
  private boolean processSamplerFailed;
  private final GpuSampler gpuSampler;
  private final HostIoSampler hostIo;
  private final String processName;
  private volatile ProcessSampler.Sample sample;
  private volatile boolean stopped;
  private Thread thread;

  /**
   * @param processSamplers called on the monitor thread's first tick, so that even the JMX look-ups
   *     happen there and not on the thread that starts the monitor
   */
  ResourceMonitor(PrometheusRegistry registry, Supplier<ProcessSampler> processSamplers, HostIoSampler hostIo,
      Path nvidiaSmi, GpuSampler.Launcher launcher, GpuSampler.Processes processes, String processName) {
    this.processSamplers = processSamplers;
    this.hostIo = hostIo;
    this.processName = processName;
    Counter failures = Counter.builder().withoutExemplars()
        .name("dynamo_obs_resource_monitor_failures_total")
        .help("Resource monitor queries that failed (nvidia-smi not answering, exiting non-zero or answering"
            + " something unexpected)")
        .labelNames("source")
        .register(registry);
    this.gpuSampler = nvidiaSmi == null
        ? null
        : new GpuSampler(nvidiaSmi, launcher, processes, PERIOD_NANOS, LOG::warn, LOG::info, LOG::debug,
            () -> failures.labelValues("nvidia-smi").inc());
    register(registry);
  }

  /**
   * Starts the monitor on its own daemon thread and logs one INFO line saying what it samples.
   * Never throws: a monitor that cannot start is a WARN, and the application runs on.
   */
  public static ResourceMonitor start(PrometheusRegistry registry) {
    try {
      Path smi = NvidiaSmi.locate(System.getenv("PATH"));
      String name = ProcessNames.ofThisJvm(System.getProperty("sun.java.command"));
      Path proc = Paths.get("/proc");
      HostIoSampler io = HostIoSampler.available(proc)
          ? new HostIoSampler(proc, Paths.get("/sys/block"), TimeUnit.SECONDS.toNanos(1))
          : null;
      ResourceMonitor monitor = new ResourceMonitor(registry, ProcessSampler::new, io, smi,
          new GpuSampler.ForkingLauncher(),
          new GpuSampler.OwnProcesses(ProcessHandle.current().pid(), name, ProcessHandle::of), name);
      monitor.startThread();
      LOG.info("resource monitor on: every " + TimeUnit.NANOSECONDS.toMillis(PERIOD_NANOS)
          + " ms, CPU, resident memory, threads and GC pauses of this process (process_name=\"" + name + "\"); "
          + (io == null ? "network and disk I/O off: no /proc/net/dev or /proc/diskstats; " : "network and disk I/O; ")
          + (smi == null ? "GPU metrics off: nvidia-smi is not on the PATH" : "GPUs via " + smi));
      return monitor;
    } catch (Throwable t) {
      LOG.warn("resource monitor could not start (" + t + "); the application runs on without it");
      return null;
    }
  }

  private void startThread() {
    Thread t = new Thread(this::run, "dynamo-obs-resource-monitor");
    t.setDaemon(true);
    t.setPriority(Thread.NORM_PRIORITY - 1);
    thread = t;
    t.start();
  }

  /** Stops sampling (tests; the thread is a daemon otherwise). */
  void stop() {
    stopped = true;
    Thread t = thread;
    if (t != null) {
      t.interrupt();
      try {
        t.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (gpuSampler != null) {
      gpuSampler.close();
    }
  }

  private void run() {
    long next = System.nanoTime();
    while (!stopped) {
      tick(System.nanoTime());
      next += PERIOD_NANOS;
      long wait = next - System.nanoTime();
      if (wait < 0) {
        next = System.nanoTime(); // fell behind (a paused JVM): carry on from now, no burst of samples
        wait = 0;
      }
      try {
        TimeUnit.NANOSECONDS.sleep(wait);
      } catch (InterruptedException e) {
        break;
      }
    }
    if (gpuSampler != null) {
      gpuSampler.close();
    }
  }

  /** One sample of everything; exceptions are logged once and sampling goes on. */
  void tick(long now) {
    if (processSampler == null && !processSamplerFailed) {
      try {
        processSampler = processSamplers.get();
      } catch (Throwable t) {
        processSamplerFailed = true;
        LOG.warn("resource monitor: this process's resources cannot be read (" + t + "); only GPU metrics remain");
      }
    }
    if (processSampler != null) {
      try {
        sample = processSampler.sample(now);
      } catch (Throwable t) {
        LOG.once(AgentLog.Level.WARN, "process-sample", "resource monitor: reading this process's resources"
            + " failed (" + t + "); those series keep their last values");
      }
    }
    if (hostIo != null) {
      try {
        hostIo.sample(now);
      } catch (Throwable t) {
        LOG.once(AgentLog.Level.WARN, "io-sample", "resource monitor: reading network and disk I/O failed (" + t
            + "); those series keep their last values");
      }
    }
    if (gpuSampler != null) {
      try {
        gpuSampler.tick(now);
      } catch (Throwable t) {
        LOG.once(AgentLog.Level.WARN, "gpu-sample", "resource monitor: GPU sampling failed (" + t + ")");
      }
    }
  }

  private void register(PrometheusRegistry registry) {
    GaugeWithCallback.builder()
        .name("dynamo_cpu_process_percent")
        .help("CPU used by this process, in percent of all processors (sampled every 200 ms)")
        .labelNames("process_name")
        .callback(cb -> {
          ProcessSampler.Sample s = sample;
          if (s != null && !Double.isNaN(s.cpuPercent())) {
            cb.call(s.cpuPercent(), processName);
          }
        })
        .register(registry);
    GaugeWithCallback.builder()
        .name("dynamo_cpu_utilization_percent")
        .help("CPU utilisation of the whole machine (or container), in percent (sampled every 200 ms)")
        .callback(cb -> {
          ProcessSampler.Sample s = sample;
          if (s != null && !Double.isNaN(s.systemCpuPercent())) {
            cb.call(s.systemCpuPercent());
          }
        })
        .register(registry);
    GaugeWithCallback.builder()
        .name("dynamo_process_resident_memory_bytes")
        .help("Resident set size of this process in bytes (sampled every 200 ms)")
        .labelNames("process_name")
        .callback(cb -> {
          ProcessSampler.Sample s = sample;
          if (s != null && s.residentBytes() >= 0) {
            cb.call(s.residentBytes(), processName);
          }
        })
        .register(registry);
    GaugeWithCallback.builder()
        .name("dynamo_process_threads")
        .help("Threads of this process: OS threads on Linux, else live JVM threads (sampled every 200 ms)")
        .labelNames("process_name")
        .callback(cb -> {
          ProcessSampler.Sample s = sample;
          if (s != null && s.threads() >= 0) {
            cb.call(s.threads(), processName);
          }
        })
        .register(registry);
    CounterWithCallback.builder()
        .name("dynamo_process_gc_pause_seconds_total")
        .help("Time this process spent in garbage-collection pauses, per collector (sampled every 200 ms)")
        .labelNames("process_name", "gc")
        .callback(cb -> {
          ProcessSampler.Sample s = sample;
          if (s != null) {
            for (Map.Entry<String, Double> e : s.gcPauseSeconds().entrySet()) {
              cb.call(e.getValue(), processName, e.getKey());
            }
          }
        })
        .register(registry);
    if (hostIo != null) {
      ioGauge(registry, "dynamo_network_sent_mbps", "Network bytes sent (MB/s)", hostIo::sentMbps);
      ioGauge(registry, "dynamo_network_recv_mbps", "Network bytes received (MB/s)", hostIo::receivedMbps);
      ioGauge(registry, "dynamo_disk_read_mbps", "Disk read throughput (MB/s)", hostIo::readMbps);
      ioGauge(registry, "dynamo_disk_write_mbps", "Disk write throughput (MB/s)", hostIo::writeMbps);
    }
    if (gpuSampler == null) {
      return; // without nvidia-smi the GPU families do not exist at all
    }
    registry.register(new GpuFamilies(gpuSampler));
  }

  /** A gauge of one rate (upstream's name and help); absent while the rate is unknown. */
  private static void ioGauge(PrometheusRegistry registry, String name, String help, DoubleSupplier rate) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .callback(cb -> {
          double v = rate.getAsDouble();
          if (!Double.isNaN(v)) {
            cb.call(v);
          }
        })
        .register(registry);
  }
}
