package dynamo.obs.agent.resources;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * GPU readings from {@code nvidia-smi}, driven by the monitor thread's ticks without ever waiting
 * on the child processes: a tick starts both queries, later ticks collect their output as it
 * arrives, and a query that has not answered within {@link #TIMEOUT_NANOS} is killed.
 *
 * <p>A query that fails (cannot start, exits non-zero, answers something unexpected or too late)
 * clears the GPU readings — absent series rather than stale ones — and pauses the queries with an
 * exponential back-off (5 s, 10 s, … up to 5 min). Only the first failure of the process's life is
 * a WARN; later ones are DEBUG, and the first success after a failure is logged at INFO.
 */
final class GpuSampler {
  static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(2);
  static final long FIRST_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);
  static final long MAX_BACKOFF_NANOS = TimeUnit.MINUTES.toNanos(5);
  /** More output than this is not what we asked for. */
  static final int MAX_OUTPUT = 1 << 20;

  /** A GPU with its readings. */
  record GpuReading(String gpu, double utilizationPercent, double temperatureCelsius, double memoryTotalGib) {
  }

  /** Memory a process of ours (this JVM or one of its descendants) holds on a GPU. */
  record ProcessReading(String gpu, long pid, String processName, double memoryUsedGib) {
  }

  /** What the last successful pair of queries found; empty when there is none. */
  record Readings(List<GpuReading> gpus, List<ProcessReading> processes) {
    static final Readings NONE = new Readings(List.of(), List.of());
  }

  /** A started child process, polled without blocking. */
  interface Running {
    /** Reads what output is available now; false when more than {@code limit} bytes arrived. */
    boolean drain(int limit);

    boolean finished();

    int exitCode();

    String output();

    void kill();
  }

  /** Starts a command; the real one forks, tests substitute their own. */
  interface Launcher {
    Running start(List<String> command) throws IOException;
  }

  /** Which PIDs count as ours, and what they are called. */
  interface Processes {
    /** The process name if {@code pid} is this JVM or one of its descendants, else empty. */
    Optional<String> nameIfOurs(long pid);

    /** The PIDs of the latest answer: anything remembered about others may be forgotten (PIDs are reused). */
    default void retainOnly(Set<Long> pids) {
    }
  }

  private final Path executable;
  private final Launcher launcher;
  private final Processes processes;
  private final long periodNanos;
  private final Consumer<String> warn;
  private final Consumer<String> info;
  private final Consumer<String> debug;
  private final Runnable failureCounter;

  private volatile Readings readings = Readings.NONE;
  private Running gpuQuery;
  private Running appsQuery;
  private long startedAt;
  private long nextStart = Long.MIN_VALUE;
  private int consecutiveFailures;
  private boolean warned;

  GpuSampler(Path executable, Launcher launcher, Processes processes, long periodNanos, Consumer<String> warn,
      Consumer<String> info, Consumer<String> debug, Runnable failureCounter) {
    this.executable = executable;
    this.launcher = launcher;
    this.processes = processes;
    this.periodNanos = periodNanos;
    this.warn = warn;
    this.info = info;
    this.debug = debug;
    this.failureCounter = failureCounter;
  }

  Readings readings() {
    return readings;
  }

  /** Nanos of the back-off after {@code failures} consecutive failures (≥ 1). */
  static long backoffNanos(int failures) {
    long b = FIRST_BACKOFF_NANOS;
    for (int i = 1; i < failures && b < MAX_BACKOFF_NANOS; i++) {
      b *= 2;
    }
    return Math.min(b, MAX_BACKOFF_NANOS);
  }

  boolean running() {
    return gpuQuery != null;
  }

  /** One step; never blocks on the child processes. */
  void tick(long now) {
    if (gpuQuery == null) {
      if (nextStart == Long.MIN_VALUE || now - nextStart >= 0) {
        start(now);
      }
      return;
    }
    boolean withinLimit = gpuQuery.drain(MAX_OUTPUT) & appsQuery.drain(MAX_OUTPUT);
    if (!withinLimit) {
      killQueries();
      failed(now, "answered more than " + MAX_OUTPUT + " bytes");
      return;
    }
    if (gpuQuery.finished() && appsQuery.finished()) {
      gpuQuery.drain(MAX_OUTPUT);
      appsQuery.drain(MAX_OUTPUT);
      Running gpu = gpuQuery;
      Running apps = appsQuery;
      gpuQuery = null;
      appsQuery = null;
      collect(now, gpu, apps);
    } else if (now - startedAt >= TIMEOUT_NANOS) {
      killQueries();
      failed(now, "did not answer within " + TimeUnit.NANOSECONDS.toMillis(TIMEOUT_NANOS) + " ms");
    }
  }

  private void start(long now) {
    startedAt = now;
    nextStart = now + periodNanos;
    try {
      gpuQuery = launcher.start(NvidiaSmi.gpuCommand(executable));
    } catch (IOException | RuntimeException e) {
      gpuQuery = null;
      failed(now, "could not be started (" + e.getMessage() + ")");
      return;
    }
    try {
      appsQuery = launcher.start(NvidiaSmi.appsCommand(executable));
    } catch (IOException | RuntimeException e) {
      killQueries();
      failed(now, "could not be started (" + e.getMessage() + ")");
    }
  }

  private void collect(long now, Running gpu, Running apps) {
    if (gpu.exitCode() != 0) {
      failed(now, "exited with " + gpu.exitCode() + ": " + NvidiaSmi.abbreviate(gpu.output()));
      return;
    }
    if (apps.exitCode() != 0) {
      failed(now, "exited with " + apps.exitCode() + ": " + NvidiaSmi.abbreviate(apps.output()));
      return;
    }
    Readings r;
    try {
      r = readings(NvidiaSmi.parseGpus(gpu.output()), NvidiaSmi.parseApps(apps.output()));
    } catch (IllegalArgumentException e) {
      failed(now, e.getMessage());
      return;
    }
    readings = r;
    if (consecutiveFailures > 0) {
      info.accept("nvidia-smi answers again; GPU metrics resumed");
    }
    consecutiveFailures = 0;
  }

  private Readings readings(List<NvidiaSmi.Gpu> gpus, List<NvidiaSmi.App> apps) {
    Map<String, String> indexByUuid = new HashMap<>();
    List<GpuReading> gpuReadings = new ArrayList<>();
    for (NvidiaSmi.Gpu g : gpus) {
      indexByUuid.put(g.uuid(), g.index());
      gpuReadings.add(new GpuReading(g.index(), g.utilizationPercent(), g.temperatureCelsius(),
          g.memoryTotalMib() / 1024.0));
    }
    List<ProcessReading> processReadings = new ArrayList<>();
    Set<Long> pids = new HashSet<>();
    for (NvidiaSmi.App a : apps) {
      pids.add(a.pid());
      String gpu = indexByUuid.get(a.gpuUuid());
      if (gpu == null) {
        continue; // a GPU the per-GPU query did not list (it appeared in between): next time
      }
      Optional<String> name = processes.nameIfOurs(a.pid());
      if (name.isPresent()) {
        processReadings.add(new ProcessReading(gpu, a.pid(), name.get(), a.usedMemoryMib() / 1024.0));
      }
    }
    processes.retainOnly(pids);
    return new Readings(Collections.unmodifiableList(gpuReadings), Collections.unmodifiableList(processReadings));
  }

  private void killQueries() {
    if (gpuQuery != null) {
      gpuQuery.kill();
    }
    if (appsQuery != null) {
      appsQuery.kill();
    }
    gpuQuery = null;
    appsQuery = null;
  }

  private void failed(long now, String why) {
    readings = Readings.NONE;
    consecutiveFailures++;
    failureCounter.run();
    long backoff = backoffNanos(consecutiveFailures);
    nextStart = now + backoff;
    String reason = why.endsWith(".") ? why.substring(0, why.length() - 1) : why;
    String message = executable + " " + reason + "; GPU metrics are absent until it answers again (next try in "
        + TimeUnit.NANOSECONDS.toSeconds(backoff) + " s, backing off up to "
        + TimeUnit.NANOSECONDS.toMinutes(MAX_BACKOFF_NANOS) + " min)";
    if (!warned) {
      warned = true;
      warn.accept(message + "; further failures are logged at DEBUG");
    } else {
      debug.accept(message);
    }
  }

  /** Stops any query in flight (the monitor is shutting down). */
  void close() {
    killQueries();
  }

  // ------------------------------------------------------------------ the real thing

  /** Forks with {@link ProcessBuilder}; stdout and stderr in one pipe, stdin closed. */
  static final class ForkingLauncher implements Launcher {
    @Override
    public Running start(List<String> command) throws IOException {
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      Process p = pb.start();
      try {
        p.getOutputStream().close();
      } catch (IOException ignored) {
        // it reads nothing
      }
      return new ForkedProcess(p);
    }
  }

  static final class ForkedProcess implements Running {
    private final Process process;
    private final InputStream out;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);

    ForkedProcess(Process process) {
      this.process = process;
      this.out = process.getInputStream();
    }

    @Override
    public boolean drain(int limit) {
      try {
        // only what is there: a grandchild holding the pipe open must never block this thread
        int n;
        while ((n = out.available()) > 0) {
          byte[] chunk = new byte[Math.min(n, 8192)];
          int read = out.read(chunk, 0, chunk.length);
          if (read <= 0) {
            break;
          }
          buffer.write(chunk, 0, read);
          if (buffer.size() > limit) {
            return false;
          }
        }
      } catch (IOException e) {
        // the pipe is gone: what was read is what there is
      }
      return true;
    }

    @Override
    public boolean finished() {
      return !process.isAlive();
    }

    @Override
    public int exitCode() {
      return process.exitValue();
    }

    @Override
    public String output() {
      return buffer.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void kill() {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      try {
        out.close();
      } catch (IOException ignored) {
        // closing is all we want
      }
    }
  }

  /** This JVM and its descendants (an engine it forked), named as {@link ProcessNames} does. */
  static final class OwnProcesses implements Processes {
    private static final int MAX_DEPTH = 32;
    private final long self;
    private final String selfName;
    private final LongFunction<Optional<ProcessHandle>> lookup;
    private final Map<Long, Optional<String>> known = new HashMap<>();

    OwnProcesses(long self, String selfName, LongFunction<Optional<ProcessHandle>> lookup) {
      this.self = self;
      this.selfName = selfName;
      this.lookup = lookup;
    }

    @Override
    public Optional<String> nameIfOurs(long pid) {
      if (pid == self) {
        return Optional.of(selfName);
      }
      return known.computeIfAbsent(pid, this::resolve);
    }

    @Override
    public void retainOnly(Set<Long> pids) {
      known.keySet().retainAll(pids);
    }

    private Optional<String> resolve(long pid) {
      Optional<ProcessHandle> handle = lookup.apply(pid);
      if (handle.isEmpty()) {
        return Optional.empty();
      }
      Optional<ProcessHandle> p = handle.get().parent();
      for (int depth = 0; depth < MAX_DEPTH && p.isPresent(); depth++) {
        if (p.get().pid() == self) {
          return Optional.of(ProcessNames.ofProcess(pid, handle.get().info().command()));
        }
        p = p.get().parent();
      }
      return Optional.empty();
    }
  }
}
