package dynamo.obs.agent.resources;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The machine's network and disk throughput from {@code /proc}, as upstream's Local Resource Monitor computes it. */
class HostIoSamplerTest {
  static final String NET_HEADER = "Inter-|   Receive                                                |  Transmit\n"
      + " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls"
      + " carrier compressed\n";

  /** A fake {@code /proc} and {@code /sys/block}: one disk with a partition, a device-mapper volume, two interfaces. */
  static final class Host {
    final Path proc;
    final Path sysBlock;

    Host(Path dir) throws IOException {
      proc = Files.createDirectories(dir.resolve("proc"));
      Files.createDirectories(proc.resolve("net"));
      sysBlock = Files.createDirectories(dir.resolve("sys/block"));
      Files.createDirectories(sysBlock.resolve("nvme0n1"));
      Files.createDirectories(sysBlock.resolve("dm-0"));
      Files.createDirectories(sysBlock.resolve("cciss!c0d0"));
    }

    /**
     * Bytes sent and received, split over lo and eth0; sectors read and written on the disk (its partition
     * shows the same again, the old-format line of a partition and the device-mapper volume show others).
     */
    void write(long sent, long received, long sectorsRead, long sectorsWritten) throws IOException {
      Files.writeString(proc.resolve("net/dev"), NET_HEADER
          + "    lo: " + (received / 2) + " 10 0 0 0 0 0 0 " + (sent / 2) + " 10 0 0 0 0 0 0\n"
          + "  eth0: " + (received - received / 2) + " 5 0 0 0 0 0 0 " + (sent - sent / 2) + " 7 0 0 0 0 0 0\n");
      Files.writeString(proc.resolve("diskstats"),
          " 259       0 nvme0n1 100 0 " + sectorsRead + " 50 200 0 " + sectorsWritten + " 70 0 90 120 0 0 0 0 0 0\n"
              + " 259       1 nvme0n1p1 100 0 " + sectorsRead + " 50 200 0 " + sectorsWritten + " 70 0 90 120 0 0 0 0\n"
              + "   8      16 sdb1 4 " + sectorsRead + " 5 " + sectorsWritten + "\n"
              + " 104       0 cciss/c0d0 1 0 0 1 1 0 0 1 0 1 1\n"
              + " 253       0 dm-0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
    }

    HostIoSampler sampler() {
      return new HostIoSampler(proc, sysBlock, TimeUnit.SECONDS.toNanos(1));
    }
  }

  @Test
  void ratesAreMibPerSecondOverAllInterfacesAndWholeDevices(@TempDir Path dir) throws IOException {
    Host host = new Host(dir);
    host.write(0, 0, 0, 0);
    HostIoSampler s = host.sampler();
    s.sample(0);
    assertTrue(Double.isNaN(s.sentMbps()) && Double.isNaN(s.readMbps()), "no rate from one sample");
    // half a second later: 1 MiB sent, 4 MiB received; the disk is not read again before a second has passed
    host.write(1024 * 1024, 4 * 1024 * 1024, 2048, 4096);
    s.sample(TimeUnit.MILLISECONDS.toNanos(500));
    assertEquals(2.0, s.sentMbps(), 1e-9);
    assertEquals(8.0, s.receivedMbps(), 1e-9);
    assertTrue(Double.isNaN(s.readMbps()), "the disk is sampled once a second, as upstream");
    s.sample(TimeUnit.MILLISECONDS.toNanos(1000));
    assertEquals(0.0, s.sentMbps(), 1e-9, "nothing moved in the last half second");
    // 2048 sectors of 512 bytes read and 4096 written over one second, counted once (not again for the partition)
    assertEquals(1.0, s.readMbps(), 1e-9);
    assertEquals(2.0, s.writeMbps(), 1e-9);
  }

  @Test
  void aCounterThatGoesBackIsZeroNotNegative(@TempDir Path dir) throws IOException {
    Host host = new Host(dir);
    host.write(5_000_000, 5_000_000, 9000, 9000);
    HostIoSampler s = host.sampler();
    s.sample(0);
    host.write(1000, 1000, 10, 10); // an interface gone, a device removed
    s.sample(TimeUnit.SECONDS.toNanos(1));
    assertEquals(0.0, s.sentMbps());
    assertEquals(0.0, s.readMbps());
  }

  @Test
  void missingFilesLeaveTheRatesUnknown(@TempDir Path dir) {
    HostIoSampler s = new HostIoSampler(dir.resolve("none"), dir.resolve("none"), 1);
    s.sample(0);
    s.sample(TimeUnit.SECONDS.toNanos(2));
    assertTrue(Double.isNaN(s.sentMbps()) && Double.isNaN(s.writeMbps()));
  }

  @Test
  void parsesTheFormatsOfTheKernel() {
    assertArrayEquals(new long[]{30, 12}, HostIoSampler.netBytes(NET_HEADER
        + "lo: 2 1 0 0 0 0 0 0 10 1 0 0 0 0 0 0\neth0:10 1 0 0 0 0 0 0 20 1 0 0 0 0 0 0\n"));
  }

  /** On this machine's own {@code /proc} (Linux), rates come out and are not negative. */
  @Test
  void readsThisMachine() {
    Path proc = Paths.get("/proc");
    if (!HostIoSampler.available(proc)) {
      return;
    }
    HostIoSampler s = new HostIoSampler(proc, Paths.get("/sys/block"), 0);
    s.sample(0);
    s.sample(TimeUnit.MILLISECONDS.toNanos(200));
    assertTrue(s.sentMbps() >= 0 && s.receivedMbps() >= 0, s.sentMbps() + " " + s.receivedMbps());
    assertTrue(Double.isNaN(s.readMbps()) || s.readMbps() >= 0);
  }
}
