package dynamo.obs.agent.export;

import dynamo.obs.agent.console.AgentLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The bounded buffer between the application's threads and a collector (SPEC §7): {@link #offer}
 * never blocks and never waits for the network. One agent thread drains what is offered into batches
 * and has the exporter pack them (encode them: {@code P}, one object per batch instead of the items'
 * own), and sends the waiting batches, several at a time. It packs a little at a time: every
 * {@link #PACK_INTERVAL_NANOS} it packs what was offered since into the open batch, which waits to be
 * sent once it is full or the delay has passed since it opened; so the work comes in slices of a tenth
 * of a second's items, not a whole second's at once, and a request thread that shares a CPU with it
 * waits less behind it. A batch the collector did not take waits to be sent again, before anything
 * newer, after a back-off (unless the collector rejected the batch itself as malformed or too large:
 * that one is dropped and counted, so that it cannot hold up everything behind it). While the
 * collector is away the new items are still drained and packed on schedule, so what waits through
 * an outage is packed batches, not the objects of every item. The capacity bounds everything that
 * waits, queued, packed or on its way, and when more than the capacity wait, the oldest are dropped,
 * counted, and the drop is logged once per outage. The dropping is the export thread's, at its next turn:
 * an offer takes no lock and never waits, also on a full queue (it drops the oldest queued item itself,
 * lock-free, only when the export thread falls behind by more than half the capacity).
 *
 * <p>Order is kept by batch: each batch has a sequence number, waiting batches go in that order,
 * and a drop that falls due while the oldest items are being packed or on their way is owed by their
 * batch and taken from it only if the collector refuses it. So what survives an outage is exactly the
 * newest {@code capacity} items, whatever order the collector's answers come back in.
 */
public final class ExportQueue<T, P> {
  private static final AgentLog LOG = AgentLog.forTarget("dynamo_obs.export");
  private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);
  /** How often what was offered is packed into the open batch (at most the delay). */
  static final long PACK_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** Items drained together, with their place in the order. */
  private static final class Batch<P> {
    final long seq;
    /** When it opened (nanoTime): it waits to be sent at the latest a delay after. */
    final long opened;
    /** Items in it; grows while it is open. */
    int count;
    /** While it is open, its items packed so far, a piece per drain (only the export thread touches them). */
    List<P> pieces;
    /** The items as the exporter packed them (null while the batch is open). */
    P packed;
    /** The first item still held: those before it were dropped while the batch waited. */
    int start;
    /** Drops that fell due while this batch was being packed or on its way: taken from its front if it is refused. */
    int owed;

    Batch(long seq, long opened) {
      this.seq = seq;
      this.opened = opened;
      this.pieces = new ArrayList<>(4);
    }

    int size() {
      return count - start;
    }
  }

  private final String signal;
  private final int capacity;
  /** How far beyond the capacity offers may go before the export thread's next turn drops the oldest. */
  private final int slack;
  /** An offer dropped an item (the export thread was behind): the export thread logs it. */
  private volatile boolean droppedUnlogged;
  private final int maxBatch;
  private final int maxInFlight;
  private final long delayNanos;
  private final long packNanos;
  private final BatchExporter<T, P> exporter;

  /** New items, oldest first. */
  private final ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  /** Packed batches waiting to be sent, refused or new, by sequence (guarded by this); all older than anything in {@link #queue}. */
  private final TreeMap<Long, Batch<P>> waiting = new TreeMap<>();
  /** Batches open (being packed) or on their way, by sequence (guarded by this). */
  private final TreeMap<Long, Batch<P>> inFlight = new TreeMap<>();
  /** The batch being packed, newer than every other; null between batches (guarded by this). */
  private Batch<P> open;
  private long nextSeq;
  /** Items held outside {@link #queue}: waiting, being packed or on their way, less the drops they owe. */
  private volatile int heldOutside;
  private final AtomicLong exported = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final Thread thread;
  private volatile boolean sleeping;
  /** Parked with nothing to do (nothing queued, open, waiting): the first offer wakes it. */
  private volatile boolean idle;
  /** Turns of the export loop (for tests: an idle queue's thread sleeps). */
  volatile long turns;
  private volatile boolean stopping;
  private volatile long backoffUntil;
  /** Until this time (nanoTime) everything queued is sent at once: the process is exiting. */
  private volatile long flushUntil = System.nanoTime() - 1;
  private long backoff = MIN_BACKOFF_NANOS;
  /** Set while the collector refuses or is unreachable; cleared by the first accepted batch. */
  private volatile boolean failing;
  private volatile boolean dropLogged;

  public ExportQueue(String signal, int capacity, int maxBatch, int maxInFlight, long delayMillis,
      BatchExporter<T, P> exporter) {
    this.signal = signal;
    this.capacity = capacity;
    this.slack = Math.max(maxBatch, capacity / 2);
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
    this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
    this.packNanos = Math.min(delayNanos, PACK_INTERVAL_NANOS);
    this.exporter = exporter;
    this.thread = new Thread(this::run, "dynamo-obs-export-" + signal);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Queues one item. Never blocks and takes no lock, also when full: the export thread drops the oldest
   * beyond the capacity at its next turn (within {@link #PACK_INTERVAL_NANOS}); only if it falls further
   * behind than {@link #slack} items does the offering thread drop the oldest queued item itself, lock-free.
   */
  public void offer(T item) {
    int q = queued.incrementAndGet();
    queue.add(item);
    if (q + heldOutside > capacity + slack && queue.poll() != null) {
      queued.decrementAndGet();
      dropped.incrementAndGet();
      droppedUnlogged = true;
    }
    if (sleeping && q >= maxBatch || q == 1 && idle) {
      LockSupport.unpark(thread);
    }
  }

  /** Items held against the capacity. */
  public int size() {
    return queued.get() + heldOutside;
  }

  public long exported() {
    return exported.get();
  }

  public long dropped() {
    return dropped.get();
  }

  public long failures() {
    return failures.get();
  }

  public String signal() {
    return signal;
  }

  /**
   * More than the capacity is held: the oldest item goes. The oldest is in the first waiting batch
   * (dropped now), or being packed or on its way (owed by its batch), or, when nothing older waits,
   * the first queued.
   */
  private synchronized void overflow() {
    while (queued.get() + heldOutside > capacity) {
      Map.Entry<Long, Batch<P>> firstWaiting = waiting.firstEntry();
      Batch<P> owing = null;
      for (Batch<P> b : inFlight.values()) {
        if (b.owed < b.size()) {
          owing = b;
          break;
        }
      }
      if (firstWaiting != null && (owing == null || firstWaiting.getKey() < owing.seq)) {
        dropFront(firstWaiting.getValue(), 1);
      } else if (owing != null) {
        owing.owed++;
        heldOutside--;
      } else if (queue.poll() != null) {
        queued.decrementAndGet();
        countDrops(1);
      } else {
        return;
      }
    }
  }

  /** Drops the first {@code n} items of a waiting batch (guarded by this). */
  private void dropFront(Batch<P> b, int n) {
    int k = Math.min(n, b.size());
    if (k <= 0) {
      return;
    }
    b.start += k;
    if (b.size() == 0) {
      waiting.remove(b.seq);
    }
    heldOutside -= k;
    countDrops(k);
  }

  private void countDrops(int n) {
    dropped.addAndGet(n);
    logDrops();
  }

  private void logDrops() {
    if (!dropLogged) {
      dropLogged = true;
      LOG.warn("the " + signal + " buffer is full (" + capacity + ") while " + exporter.destination()
          + " does not take " + signal + ": dropping the oldest; drops are counted in"
          + " dynamo_obs_export_dropped_total{signal=\"" + signal + "\"} (buffer size: see docs/traces-and-logs.md)");
    }
  }

  private void run() {
    long nextDrain = System.nanoTime() + packNanos;
    while (!stopping) {
      try {
        turns++;
        long now = System.nanoTime();
        boolean flushing = now - flushUntil <= 0;
        if (queued.get() + heldOutside > capacity) {
          overflow();
        }
        if (droppedUnlogged) {
          droppedUnlogged = false;
          logDrops();
        }
        if (queued.get() >= maxBatch || now - nextDrain >= 0 || flushing) {
          while (drainOne()) {
            // every full batch, and the rest into the open one
          }
          nextDrain = now + packNanos;
        }
        sealIfDue(now, flushing);
        if (now < backoffUntil) {
          park(Math.min(backoffUntil, nextDrain) - now);
          continue;
        }
        if (inFlightBatches() >= maxInFlight) {
          park(Math.min(TimeUnit.MILLISECONDS.toNanos(50), nextDrain - now));
          continue;
        }
        Batch<P> batch = nextWaiting();
        if (batch == null) {
          if (nothingOpen() && queued.get() == 0) {
            // idle: no wake-ups every pack interval while there is nothing to pack
            idle = true;
            if (queued.get() == 0) {
              park(delayNanos);
            }
            idle = false;
          } else {
            park(nextDrain - now);
          }
          continue;
        }
        send(batch);
      } catch (Throwable t) {
        LOG.once(AgentLog.Level.WARN, "export-loop-" + signal, "the " + signal + " export loop failed (" + t
            + "); it goes on");
        park(TimeUnit.SECONDS.toNanos(1));
      }
    }
  }

  private synchronized boolean nothingOpen() {
    return open == null;
  }

  /** Batches on their way (the open one is not). */
  private synchronized int inFlightBatches() {
    return inFlight.size() - (open != null ? 1 : 0);
  }

  private void park(long nanos) {
    sleeping = true;
    try {
      LockSupport.parkNanos(this, nanos);
    } finally {
      sleeping = false;
    }
  }

  /**
   * Drains the oldest queued items into the open batch (opening one if need be), up to a full batch,
   * and packs them outside the lock (offers go on and may owe drops to the batch meanwhile); a full
   * batch waits in its place to be sent. False when nothing was queued.
   */
  private boolean drainOne() {
    List<T> items;
    Batch<P> batch;
    synchronized (this) {
      int room = open == null ? maxBatch : maxBatch - open.count;
      items = new ArrayList<>(Math.min(room, Math.max(16, queued.get())));
      T item;
      while (items.size() < room && (item = queue.poll()) != null) {
        items.add(item);
      }
      if (items.isEmpty()) {
        return false;
      }
      if (open == null) {
        open = new Batch<>(nextSeq++, System.nanoTime());
        inFlight.put(open.seq, open);
      }
      batch = open;
      batch.count += items.size();
      heldOutside += items.size();
      // once per drain, not per item: every request thread's offer updates the same count. Until now
      // the polled items were counted as queued (and also held: an offer may see them twice, which only
      // makes it look fuller; the export thread's overflow() counts again under this lock).
      queued.addAndGet(-items.size());
    }
    try {
      batch.pieces.add(exporter.pack(items));
    } catch (Throwable t) {
      dropUnpacked(batch, t);
      return true;
    }
    if (batch.count >= maxBatch) {
      seal(batch);
    }
    return true;
  }

  /** The open batch waits to be sent once the delay since it opened has passed (at once when flushing). */
  private void sealIfDue(long now, boolean flushing) {
    Batch<P> batch;
    synchronized (this) {
      batch = open;
    }
    if (batch != null && (flushing || now - batch.opened >= delayNanos)) {
      seal(batch);
    }
  }

  /** The open batch is complete: its pieces become one packed batch that waits in its place. */
  private void seal(Batch<P> batch) {
    List<P> pieces = batch.pieces;
    P packed;
    try {
      packed = pieces.size() == 1 ? pieces.get(0) : exporter.join(pieces);
    } catch (Throwable t) {
      dropUnpacked(batch, t);
      return;
    }
    batch.pieces = null;
    batch.packed = packed;
    synchronized (this) {
      open = null;
      settle(batch, false);
    }
  }

  /** The open batch could not be encoded: all of it is dropped and counted, and the rest go on. */
  private void dropUnpacked(Batch<P> batch, Throwable why) {
    synchronized (this) {
      inFlight.remove(batch.seq);
      open = null;
      heldOutside -= batch.count - batch.owed;
    }
    dropped.addAndGet(batch.count);
    LOG.once(AgentLog.Level.WARN, "pack-" + signal, "a batch of " + batch.count + " " + signal
        + " could not be encoded (" + why + "); it is dropped and counted in"
        + " dynamo_obs_export_dropped_total{signal=\"" + signal + "\"}");
  }

  /** The oldest waiting batch, now on its way; null when none waits. */
  private synchronized Batch<P> nextWaiting() {
    Map.Entry<Long, Batch<P>> first = waiting.pollFirstEntry();
    if (first == null) {
      return null;
    }
    Batch<P> batch = first.getValue();
    batch.owed = 0;
    inFlight.put(batch.seq, batch);
    return batch;
  }

  private void send(Batch<P> batch) {
    try {
      exporter.export(batch.packed, batch.start, failure -> done(batch, failure));
    } catch (Throwable t) {
      done(batch, t);
    }
  }

  private void done(Batch<P> batch, Throwable failure) {
    if (failure instanceof BatchExporter.Rejected) {
      rejected(batch, failure);
      return;
    }
    settle(batch, failure == null);
    if (failure == null) {
      exported.addAndGet(batch.size());
      synchronized (this) {
        backoff = MIN_BACKOFF_NANOS;
      }
      if (failing) {
        failing = false;
        dropLogged = false;
        LOG.info(exporter.destination() + " takes " + signal + " again; delivering the buffered ones ("
            + size() + " waiting, " + dropped.get() + " dropped so far)");
      }
    } else {
      failures.incrementAndGet();
      synchronized (this) {
        backoffUntil = System.nanoTime() + backoff;
        backoff = Math.min(MAX_BACKOFF_NANOS, backoff * 2);
      }
      if (!failing) {
        failing = true;
        LOG.warn(exporter.destination() + " did not take " + signal + " (" + failure + "); keeping up to "
            + capacity + " of them and trying again (failed exports are counted in dynamo_obs_export_failures_total)");
      }
    }
    LockSupport.unpark(thread);
  }

  /**
   * The collector refused a batch for what it holds: sending it again would only stop everything behind it.
   * It leaves the buffer, its items are counted as dropped, and that is logged once.
   */
  private void rejected(Batch<P> batch, Throwable why) {
    int n = batch.size();
    settle(batch, true);
    dropped.addAndGet(n);
    failures.incrementAndGet();
    LOG.once(AgentLog.Level.WARN, "rejected-" + signal, exporter.destination() + " rejected a batch of " + n + " "
        + signal + " (" + why.getMessage() + "); such batches are dropped, not sent again, and counted in"
        + " dynamo_obs_export_dropped_total{signal=\"" + signal + "\"}");
    LockSupport.unpark(thread);
  }

  /**
   * A batch is back from the collector, or packed. Taken: its items leave the buffer and the drops it
   * owed are void. Refused, or packed and not yet sent: it waits in its place in the order, less the
   * drops it owed, taken from its front.
   */
  private synchronized void settle(Batch<P> batch, boolean taken) {
    inFlight.remove(batch.seq);
    heldOutside -= batch.size() - batch.owed;
    if (!taken) {
      int owed = batch.owed;
      batch.owed = 0;
      waiting.put(batch.seq, batch);
      heldOutside += batch.size();
      dropFront(batch, owed);
    }
  }

  /**
   * Sends what is queued, waiting at most {@code timeoutMillis} (at exit, so a process that ends
   * does not take its last spans and logs with it; a collector that is away costs the timeout).
   */
  public void flush(long timeoutMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    flushUntil = deadline;
    LockSupport.unpark(thread);
    while (System.nanoTime() < deadline && (size() > 0 || inFlightBatches() > 0)) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }

  public void shutdown() {
    stopping = true;
    LockSupport.unpark(thread);
    exporter.shutdown();
  }
}
