package dynamo.obs.agent.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GpuSamplerTest {
  static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  static final long PERIOD = 200 * MS;

  final FakeSmi smi = new FakeSmi();
  final List<String> warnings = new ArrayList<>();
  final List<String> infos = new ArrayList<>();
  final List<String> debugs = new ArrayList<>();
  final AtomicInteger failures = new AtomicInteger();
  /** PIDs 100 (this JVM) and 300 (its child) are ours; 200 belongs to someone else. */
  final GpuSampler.Processes ours = pid -> pid == 100
      ? Optional.of("WorkerServer")
      : pid == 300 ? Optional.of("python3") : Optional.empty();
  final GpuSampler sampler = new GpuSampler(Path.of("/usr/bin/nvidia-smi"), smi, ours, PERIOD, warnings::add,
      infos::add, debugs::add, failures::incrementAndGet);

  @Test
  void readsGpusAndOnlyOurProcessesWithTheirGpuIndex() {
    sampler.tick(0);
    assertEquals(2, smi.started.size(), "both queries start on the first tick");
    assertTrue(sampler.readings().gpus().isEmpty(), "nothing before they answered");
    sampler.tick(PERIOD);
    GpuSampler.Readings r = sampler.readings();
    assertEquals(List.of(new GpuSampler.GpuReading("0", 87, 64, 81559 / 1024.0),
        new GpuSampler.GpuReading("1", 3, 35, 40.0)), r.gpus());
    assertEquals(List.of(new GpuSampler.ProcessReading("0", 100, "WorkerServer", 2.0),
        new GpuSampler.ProcessReading("0", 300, "python3", 0.5)), r.processes());
    assertTrue(warnings.isEmpty() && failures.get() == 0);
  }

  @Test
  void queriesAgainEveryPeriodButNeverOverlap() {
    smi.answers = false;
    sampler.tick(0);
    sampler.tick(PERIOD);
    sampler.tick(2 * PERIOD);
    assertEquals(2, smi.started.size(), "no new query while one is running");
    smi.answers = true;
    sampler.tick(3 * PERIOD);
    assertFalse(sampler.running());
    sampler.tick(4 * PERIOD);
    assertEquals(4, smi.started.size());
  }

  @Test
  void aSlowAnswerIsKilledWarnedOnceAndBackedOff() {
    smi.answers = false;
    sampler.tick(0);
    sampler.tick(GpuSampler.TIMEOUT_NANOS - MS);
    assertTrue(warnings.isEmpty());
    sampler.tick(GpuSampler.TIMEOUT_NANOS);
    assertTrue(smi.started.stream().allMatch(q -> q.killed), "both queries killed");
    assertEquals(1, warnings.size());
    assertTrue(warnings.get(0).contains("did not answer within 2000 ms"), warnings.get(0));
    assertTrue(warnings.get(0).contains("next try in 5 s"), warnings.get(0));
    assertEquals(1, failures.get());

    long t = GpuSampler.TIMEOUT_NANOS;
    sampler.tick(t + GpuSampler.FIRST_BACKOFF_NANOS - MS);
    assertEquals(2, smi.started.size(), "backing off");
    t += GpuSampler.FIRST_BACKOFF_NANOS;
    sampler.tick(t);
    assertEquals(4, smi.started.size(), "tried again after 5 s");
    sampler.tick(t + GpuSampler.TIMEOUT_NANOS);
    assertEquals(1, warnings.size(), "only the first failure is a WARN");
    assertEquals(1, debugs.size());
    assertTrue(debugs.get(0).contains("next try in 10 s"), debugs.get(0));

    smi.answers = true;
    t += GpuSampler.TIMEOUT_NANOS + 10_000 * MS;
    sampler.tick(t);
    sampler.tick(t + PERIOD);
    assertEquals(2, sampler.readings().gpus().size(), "recovered");
    assertEquals(List.of("nvidia-smi answers again; GPU metrics resumed"), infos);
  }

  @Test
  void aFailingNvidiaSmiClearsTheReadings() {
    sampler.tick(0);
    sampler.tick(PERIOD);
    assertEquals(2, sampler.readings().gpus().size());
    smi.exitCode = 9;
    smi.gpus = "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n";
    sampler.tick(2 * PERIOD);
    sampler.tick(3 * PERIOD);
    assertEquals(GpuSampler.Readings.NONE, sampler.readings(), "absent, not stale");
    assertEquals(1, warnings.size());
    assertTrue(warnings.get(0).contains("exited with 9: NVIDIA-SMI has failed"), warnings.get(0));
  }

  @Test
  void unexpectedOutputAndStartFailuresAreFailuresToo() {
    smi.gpus = "index, uuid\n";
    sampler.tick(0);
    sampler.tick(PERIOD);
    assertEquals(1, failures.get());
    assertTrue(warnings.get(0).contains("unexpected line"), warnings.get(0));

    GpuSampler other = new GpuSampler(Path.of("/x/nvidia-smi"), smi, ours, PERIOD, warnings::add, infos::add,
        debugs::add, failures::incrementAndGet);
    smi.cannotStart = new IOException("error=13, Permission denied");
    other.tick(0);
    assertEquals(2, failures.get());
    assertTrue(warnings.get(1).contains("could not be started (error=13, Permission denied)"), warnings.get(1));
  }

  @Test
  void backOffDoublesUpToFiveMinutes() {
    assertEquals(TimeUnit.SECONDS.toNanos(5), GpuSampler.backoffNanos(1));
    assertEquals(TimeUnit.SECONDS.toNanos(10), GpuSampler.backoffNanos(2));
    assertEquals(TimeUnit.SECONDS.toNanos(160), GpuSampler.backoffNanos(6));
    assertEquals(TimeUnit.MINUTES.toNanos(5), GpuSampler.backoffNanos(7));
    assertEquals(TimeUnit.MINUTES.toNanos(5), GpuSampler.backoffNanos(1000));
  }

  @Test
  void ownProcessesAreThisJvmAndItsDescendants() throws Exception {
    Process child = new ProcessBuilder("sleep", "30").start();
    try {
      long self = ProcessHandle.current().pid();
      GpuSampler.OwnProcesses own = new GpuSampler.OwnProcesses(self, "Me", ProcessHandle::of);
      assertEquals(Optional.of("Me"), own.nameIfOurs(self));
      assertEquals(Optional.of("sleep"), own.nameIfOurs(child.pid()));
      assertEquals(Optional.empty(), own.nameIfOurs(1), "init is no descendant of ours");
      assertEquals(Optional.empty(), own.nameIfOurs(Long.MAX_VALUE - 1), "no such process");
    } finally {
      child.destroyForcibly();
    }
  }
}
