package dynamo.obs.agent.resources;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * This JVM's own resources, read on the monitor thread only: CPU share (from the process CPU time
 * between two samples), resident memory and OS thread count ({@code /proc/self/status} on Linux),
 * and time spent in GC pauses (the {@link GarbageCollectorMXBean}s that count pauses — not the
 * "Cycles" beans of ZGC and Shenandoah, whose time is mostly concurrent).
 */
final class ProcessSampler {
  /** One sample; NaN or -1 where a value is unknown on this platform. */
  record Sample(double cpuPercent, double systemCpuPercent, long residentBytes, int threads,
      Map<String, Double> gcPauseSeconds) {
  }

  private static final Path PROC_STATUS = Paths.get("/proc/self/status");

  private final com.sun.management.OperatingSystemMXBean os;
  private final ThreadMXBean threads;
  private final List<GarbageCollectorMXBean> pauseCollectors = new ArrayList<>();
  private final boolean procStatus;
  private long lastCpuNanos = -1;
  private long lastWallNanos;

  ProcessSampler() {
    OperatingSystemMXBean bean = ManagementFactory.getOperatingSystemMXBean();
    os = bean instanceof com.sun.management.OperatingSystemMXBean
        ? (com.sun.management.OperatingSystemMXBean) bean
        : null;
    threads = ManagementFactory.getThreadMXBean();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (countsPauses(gc.getName())) {
        pauseCollectors.add(gc);
      }
    }
    procStatus = Files.isReadable(PROC_STATUS);
  }

  /** ZGC and Shenandoah report "… Cycles" (mostly concurrent work) beside "… Pauses". */
  static boolean countsPauses(String collectorName) {
    return !collectorName.endsWith(" Cycles");
  }

  Sample sample(long nowNanos) {
    double cpu = Double.NaN;
    double systemCpu = Double.NaN;
    if (os != null) {
      long cpuNanos = os.getProcessCpuTime();
      if (cpuNanos >= 0) {
        if (lastCpuNanos >= 0 && nowNanos > lastWallNanos) {
          cpu = cpuPercent(cpuNanos - lastCpuNanos, nowNanos - lastWallNanos,
              Runtime.getRuntime().availableProcessors());
        }
        lastCpuNanos = cpuNanos;
        lastWallNanos = nowNanos;
      }
      double load = os.getCpuLoad();
      if (load >= 0 && load <= 1) {
        systemCpu = load * 100;
      }
    }
    long rss = -1;
    int threadCount = -1;
    if (procStatus) {
      try {
        String status = new String(Files.readAllBytes(PROC_STATUS), StandardCharsets.UTF_8);
        rss = statusKib(status, "VmRSS:") * 1024;
        threadCount = (int) statusKib(status, "Threads:");
      } catch (IOException | RuntimeException e) {
        rss = -1;
        threadCount = -1;
      }
    }
    if (threadCount < 0) {
      threadCount = threads.getThreadCount();
    }
    Map<String, Double> gc = new LinkedHashMap<>();
    for (GarbageCollectorMXBean bean : pauseCollectors) {
      long millis = bean.getCollectionTime();
      if (millis >= 0) {
        gc.put(bean.getName(), millis / 1000.0);
      }
    }
    return new Sample(cpu, systemCpu, rss < 0 ? -1 : rss, threadCount, Collections.unmodifiableMap(gc));
  }

  /** CPU time over wall time, as a share of the whole machine (all its processors), in percent. */
  static double cpuPercent(long cpuNanos, long wallNanos, int processors) {
    if (wallNanos <= 0 || processors <= 0 || cpuNanos < 0) {
      return Double.NaN;
    }
    return Math.min(100.0, 100.0 * cpuNanos / ((double) wallNanos * processors));
  }

  /** The number after {@code key} in {@code /proc/self/status} text ("VmRSS:   123456 kB"), or -1. */
  static long statusKib(String status, String key) {
    int at = status.indexOf("\n" + key);
    int start = at >= 0 ? at + 1 : (status.startsWith(key) ? 0 : -1);
    if (start < 0) {
      return -1;
    }
    int i = start + key.length();
    while (i < status.length() && (status.charAt(i) == ' ' || status.charAt(i) == '\t')) {
      i++;
    }
    int j = i;
    while (j < status.length() && Character.isDigit(status.charAt(j))) {
      j++;
    }
    return j > i ? Long.parseLong(status.substring(i, j)) : -1;
  }
}
