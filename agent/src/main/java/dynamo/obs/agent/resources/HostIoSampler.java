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

  private long lastNetNanos;
  private long lastSent = -1;
  private long lastReceived = -1;
  private volatile double sentMbps = Double.NaN;
  private volatile double receivedMbps = Double.NaN;

  private long lastDiskNanos;
  private long lastRead = -1;
  private long lastWritten = -1;
  private volatile double readMbps = Double.NaN;
  private volatile double writeMbps = Double.NaN;

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
    long[] net = read(netDev, HostIoSampler::netBytes);
    if (net != null) {
      if (lastSent >= 0 && nowNanos > lastNetNanos) {
        double seconds = (nowNanos - lastNetNanos) / 1e9;
        sentMbps = rate(net[0] - lastSent, seconds);
        receivedMbps = rate(net[1] - lastReceived, seconds);
      }
      lastSent = net[0];
      lastReceived = net[1];
      lastNetNanos = nowNanos;
    } else {
      sentMbps = Double.NaN;
      receivedMbps = Double.NaN;
      lastSent = -1;
    }
    if (lastRead >= 0 && nowNanos - lastDiskNanos < diskPeriodNanos) {
      return;
    }
    long[] disk = read(diskStats, this::diskBytes);
    if (disk != null) {
      if (lastRead >= 0 && nowNanos > lastDiskNanos) {
        double seconds = (nowNanos - lastDiskNanos) / 1e9;
        readMbps = rate(disk[0] - lastRead, seconds);
        writeMbps = rate(disk[1] - lastWritten, seconds);
      }
      lastRead = disk[0];
      lastWritten = disk[1];
      lastDiskNanos = nowNanos;
    } else {
      readMbps = Double.NaN;
      writeMbps = Double.NaN;
      lastRead = -1;
    }
  }

  /** MiB/s of a counter's increase; a counter that went back (a device or interface gone) gives 0. */
  static double rate(long bytes, double seconds) {
    return bytes <= 0 ? 0 : bytes / MIB / seconds;
  }

  // the rates in MiB/s of the last samples; NaN where unknown (before the second sample, or no such file)

  double sentMbps() {
    return sentMbps;
  }

  double receivedMbps() {
    return receivedMbps;
  }

  double readMbps() {
    return readMbps;
  }

  double writeMbps() {
    return writeMbps;
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
    return new long[] {sent, received};
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
    return new long[] {read, written};
  }

  /** A device of {@code /sys/block} (a disk, not one of its partitions); '/' in a name is '!' there. */
  private boolean isWholeDevice(String name) {
    return Files.exists(sysBlock.resolve(name.replace('/', '!')));
  }
}
