package dynamo.obs.agent.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The buffer's rules with an exporter that accepts or refuses as the test says. */
class ExportQueueTest {
  /** A collector stand-in: refuses while {@code down}, else keeps what it gets. */
  static class Collector implements BatchExporter<Integer, List<Integer>> {
    final List<Integer> got = new CopyOnWriteArrayList<>();
    final List<Integer> packed = new CopyOnWriteArrayList<>();
    volatile boolean down;
    volatile int calls;

    @Override
    public List<Integer> pack(List<Integer> items) {
      packed.addAll(items);
      return new ArrayList<>(items);
    }

    @Override
    public List<Integer> join(List<List<Integer>> pieces) {
      return concat(pieces);
    }

    @Override
    public void export(List<Integer> all, int from, Consumer<Throwable> done) {
      List<Integer> batch = all.subList(from, all.size());
      calls++;
      if (down) {
        done.accept(new IOException("collector away"));
      } else {
        got.addAll(batch);
        done.accept(null);
      }
    }

    @Override
    public String destination() {
      return "the test collector";
    }

    @Override
    public void shutdown() {
    }
  }

  static List<Integer> concat(List<List<Integer>> pieces) {
    List<Integer> all = new ArrayList<>();
    pieces.forEach(all::addAll);
    return all;
  }

  private static void await(String what, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  @Test
  void everythingArrivesOnceWhenTheCollectorTakesIt() throws Exception {
    Collector c = new Collector();
    ExportQueue<Integer, List<Integer>> q = new ExportQueue<>("spans", 1000, 50, 2, 20, c);
    for (int i = 0; i < 500; i++) {
      q.offer(i);
    }
    await("500 exported", () -> q.exported() == 500);
    List<Integer> sorted = new ArrayList<>(c.got);
    sorted.sort(null);
    assertEquals(500, sorted.size());
    for (int i = 0; i < 500; i++) {
      assertEquals(i, sorted.get(i));
    }
    assertEquals(0, q.dropped());
    q.shutdown();
  }

  @Test
  void aRejectedBatchIsDroppedAndCountedAndDoesNotHoldUpTheRest() throws Exception {
    // the collector rejects any batch holding a 13: malformed for it, however often it is sent
    Collector c = new Collector() {
      @Override
      public void export(List<Integer> all, int from, Consumer<Throwable> done) {
        List<Integer> batch = all.subList(from, all.size());
        calls++;
        if (batch.contains(13)) {
          done.accept(new BatchExporter.Rejected("INVALID_ARGUMENT"));
        } else {
          got.addAll(batch);
          done.accept(null);
        }
      }
    };
    ExportQueue<Integer, List<Integer>> q = new ExportQueue<>("spans", 1000, 10, 1, 20, c);
    for (int i = 0; i < 100; i++) {
      q.offer(i);
    }
    await("everything settled", () -> q.exported() + q.dropped() == 100 && q.size() == 0);
    assertEquals(90, q.exported(), "the other batches are delivered");
    assertEquals(10, q.dropped(), "the rejected batch is dropped and counted");
    assertEquals(1, q.failures());
    assertTrue(!c.got.contains(13) && c.got.contains(99));
    assertEquals(10, c.calls, "the rejected batch is not sent again");
    q.shutdown();
  }

  @Test
  void aRefusedBatchIsKeptAndSentAgainWhenTheCollectorReturns() throws Exception {
    Collector c = new Collector();
    c.down = true;
    ExportQueue<Integer, List<Integer>> q = new ExportQueue<>("logs", 1000, 50, 2, 20, c);
    for (int i = 0; i < 300; i++) {
      q.offer(i);
    }
    await("a failure", () -> q.failures() > 0);
    assertEquals(300, q.size(), "all kept while the collector is away");
    c.down = false;
    await("all delivered", () -> q.exported() == 300);
    assertEquals(300, c.got.size(), "none twice");
    assertEquals(0, q.size());
    q.shutdown();
  }

  @Test
  void beyondTheCapacityTheOldestAreDroppedAndCounted() throws Exception {
    Collector c = new Collector();
    c.down = true;
    ExportQueue<Integer, List<Integer>> q = new ExportQueue<>("spans", 100, 10, 1, 20, c);
    for (int i = 0; i < 1000; i++) {
      q.offer(i);
    }
    assertTrue(q.size() <= 100 + 50, "an offer keeps the bound itself, beyond half the capacity: " + q.size());
    await("the export thread drops the oldest beyond the capacity", () -> q.size() <= 100);
    assertTrue(q.dropped() >= 1000 - 100 - 10, "dropped " + q.dropped());
    c.down = false;
    await("the rest delivered", () -> q.exported() + q.dropped() == 1000);
    assertTrue(c.got.contains(999), "the newest survive");
    assertTrue(!c.got.contains(500), "the oldest go first: " + c.got);
    q.shutdown();
  }

  @Test
  void anOfferOnAFullQueueTakesNoLock() throws Exception {
    Collector c = new Collector();
    c.down = true;
    ExportQueue<Integer, List<Integer>> q = new ExportQueue<>("spans", 100, 10, 1, 20, c);
    Thread offering = new Thread(() -> {
      for (int i = 0; i < 1000; i++) {
        q.offer(i);
      }
    });
    synchronized (q) { // the lock the export thread packs, settles and drops under
      offering.start();
      offering.join(30_000);
      assertFalse(offering.isAlive(), "the offers went on while the queue's lock was held");
      assertTrue(q.size() <= 100 + 50, "and kept the bound: " + q.size());
    }
    await("the export thread drops the oldest beyond the capacity", () -> q.size() <= 100);
    c.down = false;
    await("the rest delivered", () -> q.exported() + q.dropped() == 1000);
    assertTrue(c.got.contains(999), "the newest survive");
    q.shutdown();
  }

  @Test
  void refusedBatchesCountAgainstTheCapacity() throws Exception {
    Collector c = new Collector();
    c.down = true;
    ExportQueue<Integer, List<Integer>> q = new ExportQueue<>("spans", 100, 50, 5, 1, c);
    for (int i = 0; i < 1000; i++) {
      q.offer(i);
      if (i % 50 == 49) {
        // the export thread's turn between runs of offers: an offering thread that outruns it by more than the
        // slack drops the oldest queued item itself, past an older batch still held (anOfferOnAFullQueueTakesNoLock)
        await("the export thread within the capacity", () -> q.size() <= 100);
      }
    }
    long failures = q.failures();
    await("a refusal after the last offer", () -> q.failures() > failures + 1);
    assertTrue(q.size() <= 100, "waiting: " + q.size());
    c.down = false;
    await("the rest delivered", () -> q.exported() + q.dropped() == 1000);
    List<Integer> sorted = new ArrayList<>(c.got);
    sorted.sort(null);
    List<Integer> newest = new ArrayList<>();
    for (int i = 900; i < 1000; i++) {
      newest.add(i);
    }
    assertEquals(newest, sorted,
        "exactly the newest 100, each once, although batches were in flight when it overflowed");
    assertEquals(100, q.exported());
    q.shutdown();
  }

  /** Holds each batch until the test answers it. */
  static final class HeldCollector implements BatchExporter<Integer, List<Integer>> {
    final List<List<Integer>> batches = new CopyOnWriteArrayList<>();
    final List<Consumer<Throwable>> answers = new CopyOnWriteArrayList<>();
    final List<Integer> got = new CopyOnWriteArrayList<>();
    volatile boolean taking;

    @Override
    public List<Integer> pack(List<Integer> items) {
      return items;
    }

    @Override
    public List<Integer> join(List<List<Integer>> pieces) {
      return concat(pieces);
    }

    @Override
    public void export(List<Integer> all, int from, Consumer<Throwable> done) {
      List<Integer> batch = all.subList(from, all.size());
      if (taking) {
        got.addAll(batch);
        done.accept(null);
        return;
      }
      batches.add(batch);
      answers.add(done);
    }

    @Override
    public String destination() {
      return "the held collector";
    }

    @Override
    public void shutdown() {
    }
  }

  @Test
  void theNewestSurviveWhateverOrderTheRefusalsComeBackIn() throws Exception {
    HeldCollector c = new HeldCollector();
    ExportQueue<Integer, List<Integer>> q = new ExportQueue<>("spans", 20, 5, 4, 1, c);
    for (int i = 0; i < 20; i++) {
      q.offer(i);
    }
    await("four batches on their way", () -> c.answers.size() == 4);
    for (int i = 20; i < 30; i++) {
      q.offer(i);
    }
    await("ten drops owed by the oldest batches on their way", () -> q.size() == 20);
    c.taking = true;
    for (int i = 3; i >= 0; i--) {
      c.answers.get(i).accept(new IOException("refused, newest first"));
    }
    await("the rest delivered", () -> q.exported() + q.dropped() == 30);
    List<Integer> sorted = new ArrayList<>(c.got);
    sorted.sort(null);
    List<Integer> newest = new ArrayList<>();
    for (int i = 10; i < 30; i++) {
      newest.add(i);
    }
    assertEquals(newest, sorted);
    assertEquals(10, q.dropped());
    q.shutdown();
  }

  @Test
  void whileTheCollectorIsAwayNewItemsAreStillPackedOnSchedule() throws Exception {
    Collector c = new Collector();
    c.down = true;
    ExportQueue<Integer, List<Integer>> q = new ExportQueue<>("spans", 1000, 50, 2, 20, c);
    q.offer(0);
    await("a failure", () -> q.failures() > 0);
    for (int i = 1; i < 300; i++) {
      q.offer(i);
    }
    // the back-off after a failure is 0.5 s and more: these are packed meanwhile, not left as queued objects
    await("all 300 packed during the back-off", () -> c.packed.size() == 300);
    assertEquals(300, q.size(), "packed, they still count against the capacity");
    c.down = false;
    await("all delivered", () -> q.exported() == 300);
    List<Integer> sorted = new ArrayList<>(c.got);
    sorted.sort(null);
    assertEquals(300, sorted.size(), "none twice");
    assertEquals(299, sorted.get(299));
    assertEquals(300, c.packed.size(), "a batch sent again is not packed again");
    q.shutdown();
  }

  @Test
  void aBatchThatCannotBePackedIsDroppedAndCountedAndTheRestGoOn() throws Exception {
    Collector c = new Collector() {
      @Override
      public List<Integer> pack(List<Integer> items) {
        if (items.contains(13)) {
          throw new IllegalStateException("an attribute's toString failed");
        }
        return super.pack(items);
      }
    };
    ExportQueue<Integer, List<Integer>> q = new ExportQueue<>("logs", 1000, 10, 2, 20, c);
    for (int i = 0; i < 100; i++) {
      q.offer(i);
    }
    await("everything settled", () -> q.exported() + q.dropped() == 100 && q.size() == 0);
    assertEquals(90, q.exported());
    assertEquals(10, q.dropped());
    assertTrue(c.got.contains(99) && !c.got.contains(13));
    q.shutdown();
  }

  @Test
  void flushSendsWhatWaitsWithoutWaitingForTheSchedule() {
    Collector c = new Collector();
    ExportQueue<Integer, List<Integer>> q = new ExportQueue<>("spans", 1000, 512, 2, 60_000, c);
    for (int i = 0; i < 7; i++) {
      q.offer(i);
    }
    q.flush(5_000);
    assertEquals(7, c.got.size(), "sent at exit although the batch was neither full nor due");
    q.shutdown();
  }

  @Test
  void itemsArePackedAsTheyComeAndSentAsOneBatch() throws Exception {
    Collector c = new Collector();
    ExportQueue<Integer, List<Integer>> q = new ExportQueue<>("spans", 1000, 512, 2, 60_000, c);
    for (int i = 0; i < 10; i++) {
      q.offer(i);
    }
    await("the first ten packed", () -> c.packed.size() == 10);
    for (int i = 10; i < 20; i++) {
      q.offer(i);
    }
    await("the next ten packed", () -> c.packed.size() == 20);
    assertEquals(0, c.calls, "packed into the open batch, which is not due for a minute");
    assertEquals(20, q.size(), "packed, they count against the capacity");
    q.flush(5_000);
    assertEquals(1, c.calls, "the two pieces went as one batch");
    assertEquals(java.util.stream.IntStream.range(0, 20).boxed().collect(java.util.stream.Collectors.toList()), c.got);
    q.shutdown();
  }

  @Test
  void aFullOpenBatchIsSentWithoutWaitingForTheDelay() throws Exception {
    Collector c = new Collector();
    ExportQueue<Integer, List<Integer>> q = new ExportQueue<>("spans", 1000, 50, 2, 60_000, c);
    for (int i = 0; i < 30; i++) {
      q.offer(i);
    }
    await("thirty packed", () -> c.packed.size() == 30);
    for (int i = 30; i < 60; i++) {
      q.offer(i);
    }
    await("the full batch delivered", () -> q.exported() == 50);
    assertEquals(1, c.calls);
    assertEquals(java.util.stream.IntStream.range(0, 50).boxed().collect(java.util.stream.Collectors.toList()), c.got);
    await("the other ten packed into the next batch", () -> c.packed.size() == 60);
    assertEquals(10, q.size());
    q.shutdown();
  }

  @Test
  void anIdleQueueSleepsUntilTheFirstOffer() throws Exception {
    Collector c = new Collector();
    ExportQueue<Integer, List<Integer>> q = new ExportQueue<>("spans", 1000, 512, 2, 60_000, c);
    Thread.sleep(300);
    long before = q.turns;
    Thread.sleep(1_000);
    assertTrue(q.turns - before <= 1, "nothing to pack: no turn every 100 ms, " + (q.turns - before) + " turns");
    q.offer(1);
    // the idle park lasts the delay, a minute; await gives up after 20 s: the offer has to wake it
    await("packed", () -> c.packed.size() == 1);
    q.flush(5_000);
    assertEquals(List.of(1), c.got);
    q.shutdown();
  }
}
