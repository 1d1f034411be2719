package dynamo.obs.agent.export;

import dynamo.obs.agent.log.AgentLog;
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
 * never blocks and never waits for the network; one agent thread sends batches, several at a time,
 * and keeps a batch the collector did not take to send it again, before anything newer, after a
 * back-off (unless the collector rejected the batch itself as malformed or too large: that one is
 * dropped and counted, so that it cannot hold up everything behind it). While the collector is away items wait here; the capacity bounds everything that
 * waits, refused or new, and when more than the capacity wait, the oldest are dropped, counted,
 * and the drop is logged once per outage.
 *
 * <p>Order is kept by batch: each batch has a sequence number, refused batches wait in that order,
 * and a drop that falls due while the oldest items are on their way is owed by their batch and
 * taken from it only if the collector refuses it. So what survives an outage is exactly the newest
 * {@code capacity} items, whatever order the collector's answers come back in.
 */
public final class ExportQueue<T> {
  private static final AgentLog LOG = AgentLog.forTarget("dynamo_obs.export");
  private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);

  /** Items drained together, with their place in the order. */
  private static final class Batch<T> {
    final long seq;
    /** The batch's items from {@link #start} on (those before it were dropped). */
    private List<T> items;
    private int start;
    /** Drops that fell due while this batch was on its way: taken from its front if it is refused. */
    int owed;

    Batch(long seq, List<T> items) {
      this.seq = seq;
      this.items = items;
    }

    int size() {
      return items.size() - start;
    }

    List<T> items() {
      return start == 0 ? items : items.subList(start, items.size());
    }

    /** Drops the first {@code k} items: no copy, as this happens once per new item while the buffer is full. */
    void dropFront(int k) {
      start += k;
    }

    void replace(List<T> joined) {
      items = joined;
      start = 0;
    }
  }

  private final String signal;
  private final int capacity;
  private final int maxBatch;
  private final int maxInFlight;
  private final long delayNanos;
  private final BatchExporter<T> exporter;

  /** New items, oldest first. */
  private final ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  /** Refused batches by sequence (guarded by this); all older than anything in {@link #queue}. */
  private final TreeMap<Long, Batch<T>> refused = new TreeMap<>();
  /** Batches on their way by sequence (guarded by this). */
  private final TreeMap<Long, Batch<T>> inFlight = new TreeMap<>();
  private long nextSeq;
  /** Items held outside {@link #queue}: refused plus on their way, less the drops they owe. */
  private volatile int heldOutside;
  private final AtomicLong exported = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final Thread thread;
  private volatile boolean sleeping;
  private volatile boolean stopping;
  private volatile long backoffUntil;
  /** Until this time (nanoTime) everything queued is sent at once: the process is exiting. */
  private volatile long flushUntil = System.nanoTime() - 1;
  private long backoff = MIN_BACKOFF_NANOS;
  /** Set while the collector refuses or is unreachable; cleared by the first accepted batch. */
  private volatile boolean failing;
  private volatile boolean dropLogged;

  public ExportQueue(String signal, int capacity, int maxBatch, int maxInFlight, long delayMillis,
      BatchExporter<T> exporter) {
    this.signal = signal;
    this.capacity = capacity;
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
    this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
    this.exporter = exporter;
    this.thread = new Thread(this::run, "dynamo-obs-export-" + signal);
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues one item; drops the oldest when full. Never blocks. */
  public void offer(T item) {
    int q = queued.incrementAndGet();
    queue.add(item);
    if (q + heldOutside > capacity) {
      overflow();
    }
    if (sleeping && q >= maxBatch) {
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
   * More than the capacity is held: the oldest item goes. The oldest is in the first refused batch
   * (dropped now), or on its way (owed by its batch), or, when nothing older waits, the first queued.
   */
  private synchronized void overflow() {
    while (queued.get() + heldOutside > capacity) {
      Map.Entry<Long, Batch<T>> firstRefused = refused.firstEntry();
      Batch<T> owing = null;
      for (Batch<T> b : inFlight.values()) {
        if (b.owed < b.size()) {
          owing = b;
          break;
        }
      }
      if (firstRefused != null && (owing == null || firstRefused.getKey() < owing.seq)) {
        dropFront(firstRefused.getValue(), 1);
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

  /** Drops the first {@code n} items of a refused batch (guarded by this). */
  private void dropFront(Batch<T> b, int n) {
    int k = Math.min(n, b.size());
    if (k <= 0) {
      return;
    }
    b.dropFront(k);
    if (b.size() == 0) {
      refused.remove(b.seq);
    }
    heldOutside -= k;
    countDrops(k);
  }

  private void countDrops(int n) {
    dropped.addAndGet(n);
    if (!dropLogged) {
      dropLogged = true;
      LOG.warn("the " + signal + " buffer is full (" + capacity + ") while " + exporter.destination()
          + " does not take " + signal + ": dropping the oldest; drops are counted in"
          + " dynamo_obs_export_dropped_total{signal=\"" + signal + "\"} (buffer size: see docs/traces-and-logs.md)");
    }
  }

  private void run() {
    long nextSend = System.nanoTime() + delayNanos;
    while (!stopping) {
      try {
        long now = System.nanoTime();
        if (now < backoffUntil) {
          park(backoffUntil - now);
          continue;
        }
        if (inFlightBatches() >= maxInFlight) {
          park(TimeUnit.MILLISECONDS.toNanos(50));
          continue;
        }
        if (!hasRefused() && queued.get() < maxBatch && now < nextSend && now - flushUntil > 0) {
          park(nextSend - now);
          continue;
        }
        nextSend = now + delayNanos;
        Batch<T> batch = next();
        if (batch == null) {
          park(nextSend - now);
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

  private synchronized int inFlightBatches() {
    return inFlight.size();
  }

  private synchronized boolean hasRefused() {
    return !refused.isEmpty();
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
   * The next batch to send: refused batches first, oldest first, joined up to the batch size;
   * else the oldest queued items. Null when nothing waits.
   */
  private synchronized Batch<T> next() {
    Batch<T> batch;
    Map.Entry<Long, Batch<T>> first = refused.pollFirstEntry();
    if (first != null) {
      batch = first.getValue();
      heldOutside -= batch.size();
      List<T> joined = null;
      for (Map.Entry<Long, Batch<T>> e = refused.firstEntry();
          e != null && batch.size() + e.getValue().size() <= maxBatch; e = refused.firstEntry()) {
        if (joined == null) {
          joined = new ArrayList<>(batch.items());
        }
        joined.addAll(e.getValue().items());
        heldOutside -= e.getValue().size();
        refused.remove(e.getKey());
        batch.replace(joined);
      }
    } else {
      List<T> items = new ArrayList<>(Math.min(maxBatch, Math.max(16, queued.get())));
      T item;
      while (items.size() < maxBatch && (item = queue.poll()) != null) {
        queued.decrementAndGet();
        items.add(item);
      }
      if (items.isEmpty()) {
        return null;
      }
      batch = new Batch<>(nextSeq++, items);
    }
    batch.owed = 0;
    inFlight.put(batch.seq, batch);
    heldOutside += batch.size();
    return batch;
  }

  private void send(Batch<T> batch) {
    try {
      exporter.export(batch.items(), failure -> done(batch, failure));
    } catch (Throwable t) {
      done(batch, t);
    }
  }

  private void done(Batch<T> batch, Throwable failure) {
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
  private void rejected(Batch<T> batch, Throwable why) {
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
   * A batch is back from the collector. Taken: its items leave the buffer and the drops it owed are
   * void. Refused: it waits in its place in the order, less the drops it owed, taken from its front.
   */
  private synchronized void settle(Batch<T> batch, boolean taken) {
    inFlight.remove(batch.seq);
    heldOutside -= batch.size() - batch.owed;
    if (!taken) {
      int owed = batch.owed;
      batch.owed = 0;
      refused.put(batch.seq, batch);
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
