package dynamo.obs.examples.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkerPickerTest {

  private static final List<String> URLS = List.of("http://w1:1", "http://w2:2/", "http://w3:3");

  @Test
  void roundRobinCyclesThroughEveryWorkerInOrder() {
    WorkerPicker picker = new WorkerPicker(URLS, WorkerPicker.Mode.ROUND_ROBIN, 32);
    List<String> picked = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      picked.add(picker.pickWorker(request("same prompt")).getWorkerId());
    }
    assertEquals(List.of("worker-1", "worker-2", "worker-3", "worker-1", "worker-2", "worker-3", "worker-1"),
        picked);
  }

  @Test
  void choicesCarryIdAndUrlWithoutTrailingSlash() {
    WorkerPicker picker = new WorkerPicker(URLS, WorkerPicker.Mode.ROUND_ROBIN, 32);
    picker.pickWorker(request("x"));
    WorkerChoice second = picker.pickWorker(request("x"));
    assertEquals("worker-2", second.getWorkerId());
    assertEquals("http://w2:2", second.getUrl());
  }

  @Test
  void prefixModeSendsTheSamePrefixToTheSameWorker() {
    WorkerPicker picker = new WorkerPicker(URLS, WorkerPicker.Mode.PREFIX, 10);
    String first = picker.pickWorker(request("0123456789 then one question")).getWorkerId();
    for (int i = 0; i < 5; i++) {
      assertEquals(first, picker.pickWorker(request("0123456789 and another question " + i)).getWorkerId());
    }
    // Stable across picker instances (and so across router restarts).
    WorkerPicker restarted = new WorkerPicker(URLS, WorkerPicker.Mode.PREFIX, 10);
    assertEquals(first, restarted.pickWorker(request("0123456789")).getWorkerId());
  }

  @Test
  void prefixModeSpreadsDifferentPrefixesAndCopesWithShortPrompts() {
    WorkerPicker picker = new WorkerPicker(URLS, WorkerPicker.Mode.PREFIX, 4);
    Set<String> used = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      used.add(picker.pickWorker(request("p" + i)).getWorkerId());
    }
    assertEquals(Set.of("worker-1", "worker-2", "worker-3"), used);
    assertTrue(picker.pickWorker(request("")).getWorkerId().startsWith("worker-"));
  }

  @Test
  void parsesModeFlagValues() {
    assertEquals(WorkerPicker.Mode.ROUND_ROBIN, WorkerPicker.Mode.fromFlag("round-robin"));
    assertEquals(WorkerPicker.Mode.PREFIX, WorkerPicker.Mode.fromFlag("prefix"));
    assertThrows(IllegalArgumentException.class, () -> WorkerPicker.Mode.fromFlag("random"));
  }

  private static RouteRequest request(String prompt) {
    return new RouteRequest("m", prompt, "req-1");
  }
}
