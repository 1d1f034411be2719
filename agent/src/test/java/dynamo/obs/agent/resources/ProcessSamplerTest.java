package dynamo.obs.agent.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

class ProcessSamplerTest {
  @Test
  void cpuShareIsOfAllProcessors() {
    assertEquals(50.0, ProcessSampler.cpuPercent(100_000_000L, 100_000_000L, 2), 1e-9);
    assertEquals(100.0, ProcessSampler.cpuPercent(900_000_000L, 100_000_000L, 2), 1e-9, "capped");
    assertTrue(Double.isNaN(ProcessSampler.cpuPercent(1, 0, 2)));
  }

  @Test
  void readsProcStatusFields() {
    String status = "Name:\tjava\nVmPeak:\t 999 kB\nVmRSS:\t  123456 kB\nThreads:\t42\n";
    assertEquals(123456, ProcessSampler.statusKib(status, "VmRSS:"));
    assertEquals(42, ProcessSampler.statusKib(status, "Threads:"));
    assertEquals(-1, ProcessSampler.statusKib(status, "VmSwap:"));
    assertEquals(-1, ProcessSampler.statusKib("Name:\tjava\n", "Name:"), "not a number");
  }

  @Test
  void onlyCollectorsThatCountPauses() {
    assertTrue(ProcessSampler.countsPauses("G1 Young Generation"));
    assertTrue(ProcessSampler.countsPauses("G1 Concurrent GC")); // its time is the Remark and Cleanup pauses
    assertTrue(ProcessSampler.countsPauses("ZGC Pauses"));
    assertFalse(ProcessSampler.countsPauses("ZGC Cycles"));
    assertFalse(ProcessSampler.countsPauses("ZGC Major Cycles"));
    assertFalse(ProcessSampler.countsPauses("Shenandoah Cycles"));
  }

  @Test
  void samplesThisJvm() throws Exception {
    ProcessSampler sampler = new ProcessSampler();
    long t0 = System.nanoTime();
    ProcessSampler.Sample first = sampler.sample(t0);
    assertTrue(Double.isNaN(first.cpuPercent()), "no share before a second sample");
    long x = 0;
    while (System.nanoTime() - t0 < 50_000_000L) {
      x += Long.numberOfTrailingZeros(x + System.nanoTime());
    }
    System.gc();
    ProcessSampler.Sample second = sampler.sample(System.nanoTime());
    assertTrue(second.cpuPercent() > 0 && second.cpuPercent() <= 100, second + " " + x);
    assertTrue(second.threads() > 1, second.toString());
    if (Files.isReadable(Paths.get("/proc/self/status"))) {
      assertTrue(second.residentBytes() > 1 << 20, second.toString());
    }
    assertFalse(second.gcPauseSeconds().isEmpty(), second.toString());
  }
}
