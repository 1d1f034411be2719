package dynamo.obs.agent.resources;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine's network and disk throughput, as upstream's Local Resource Monitor reports them
 * ({@code dev/observability/dynamo_local_resource_monitor.py}, main of 2026-08-21 at 2a6da14c): bytes moved
 * between two samples, in MiB (2^20 bytes) per second of monotonic time. Network: every interface of
 * {@code /proc/net/dev} summed, loopback included (psutil's {@code net_io_counters()}), sampled with the
 * other series. Disk: the whole devices of {@code /proc/diskstats} (those under {@code /sys/block}, so a
 * partition is not counted twice; psutil's {@code disk_io_counters()}), sectors of 512 bytes, sampled once a
 * second as upstream does. Inside a container the network is the container's, the disks the host's, as
 * for upstream's monitor. Read on the monitor thread only; a file that cannot be read leaves its series out.
 */
final class HostIoSampler {
  static final double MIB = 1024.0 * 1024.0;
  /** Linux counts {@code /proc/diskstats} in 512-byte sectors whatever the device's own sector size. */
  private static final long SECTOR = 512;

  private final Path netDev;
  private final Path diskStats;
  private final Path sysBlock;
  private final long diskPeriodNanos;

  private final Throughput network = new Throughput();
  private final Throughput disk = new Throughput();

  /** Two byte counters read together (sent and received, or read and written) and their rates. */
  private static final class Throughput {
    private long lastNanos;
    private long[] last;
    volatile double first = Double.NaN;
    volatile double second = Double.NaN;

    boolean sampled() {
      return last != null;
    }

    /** The counters now ({@code null}: unreadable, the rates are unknown again). */
    void update(long[] counters, long nowNanos) {
      if (counters == null) {
        first = Double.NaN;
        second = Double.NaN;
        last = null;
        return;
      }
      if (last != null && nowNanos > lastNanos) {
        double seconds = (nowNanos - lastNanos) / 1e9;
        first = rate(counters[0] - last[0], seconds);
        second = rate(counters[1] - last[1], seconds);
      }
      last = counters;
      lastNanos = nowNanos;
    }
  }

  HostIoSampler(Path proc, Path sysBlock, long diskPeriodNanos) {
    this.netDev = proc.resolve("net/dev");
    this.diskStats = proc.resolve("diskstats");
    this.sysBlock = sysBlock;
    this.diskPeriodNanos = diskPeriodNanos;
  }

  /** Whether this platform has the files (Linux). */
  static boolean available(Path proc) {
    return Files.isReadable(proc.resolve("net/dev")) || Files.isReadable(proc.resolve("diskstats"));
  }

  void sample(long nowNanos) {
    network.update(read(netDev, HostIoSampler::netBytes), nowNanos);
    if (!disk.sampled() || nowNanos - disk.lastNanos >= diskPeriodNanos) {
      disk.update(read(diskStats, this::diskBytes), nowNanos);
    }
  }

  /** MiB/s of a counter's increase; a counter that went back (a device or interface gone) gives 0. */
  static double rate(long bytes, double seconds) {
    return bytes <= 0 ? 0 : bytes / MIB / seconds;
  }

  // the rates in MiB/s of the last samples; NaN where unknown (before the second sample, or no such file)

  double sentMbps() {
    return network.first;
  }

  double receivedMbps() {
    return network.second;
  }

  double readMbps() {
    return disk.first;
  }

  double writeMbps() {
    return disk.second;
  }

  private interface Parser {
    long[] parse(String text);
  }

  private static long[] read(Path file, Parser parser) {
    try {
      return parser.parse(new String(Files.readAllBytes(file), StandardCharsets.US_ASCII));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * {@code /proc/net/dev}: two header lines, then {@code iface: rx_bytes rx_packets … (8 receive fields)
   * tx_bytes …}. Returns {sent, received} summed over every interface.
   */
  static long[] netBytes(String text) {
    long sent = 0;
    long received = 0;
    for (String line : text.split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue; // the headers
      }
      String[] f = line.substring(colon + 1).trim().split("\\s+");
      if (f.length < 9) {
        continue;
      }
      received += Long.parseLong(f[0]);
      sent += Long.parseLong(f[8]);
    }
    return new long[]{sent, received};
  }

  /**
   * {@code /proc/diskstats}: {@code major minor name reads merged sectors_read ms writes merged sectors_written
   * …} (or, on old kernels, a partition's {@code major minor name reads sectors_read writes sectors_written}).
   * Returns {read, written} bytes summed over whole devices.
   */
  long[] diskBytes(String text) {
    long read = 0;
    long written = 0;
    for (String line : text.split("\n")) {
      String[] f = line.trim().split("\\s+");
      long r;
      long w;
      if (f.length >= 14) {
        r = Long.parseLong(f[5]);
        w = Long.parseLong(f[9]);
      } else if (f.length == 7) {
        r = Long.parseLong(f[4]);
        w = Long.parseLong(f[6]);
      } else {
        continue;
      }
      if (isWholeDevice(f[2])) {
        read += r * SECTOR;
        written += w * SECTOR;
      }
    }
    return new long[]{read, written};
  }

  /** A device of {@code /sys/block} (a disk, not one of its partitions); '/' in a name is '!' there. */
  private boolean isWholeDevice(String name) {
    return Files.exists(sysBlock.resolve(name.replace('/', '!')));
  }
}
