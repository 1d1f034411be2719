package dynamo.obs.agent.export;

import dynamo.obs.agent.log.AgentLog;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The bounded buffer between the application's threads and a collector (SPEC §7): {@link #offer}
 * never blocks and never waits for the network; one agent thread sends batches, several at a time,
 * and keeps a batch the collector did not take to send it again after a back-off. While the
 * collector is away items wait here; when more than the capacity wait, the oldest are dropped,
 * counted, and the drop is logged once per outage. A batch the collector did not take goes back to
 * the front of the same buffer, so the capacity bounds everything that waits, retried or new.
 */
public final class ExportQueue<T> {
  private static final AgentLog LOG = AgentLog.forTarget("dynamo_obs.export");
  private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final String signal;
  private final int capacity;
  private final int maxBatch;
  private final int maxInFlight;
  private final long delayNanos;
  private final BatchExporter<T> exporter;

  /** Oldest first; items of a refused batch go back to the front, to be sent before anything newer. */
  private final ConcurrentLinkedDeque<T> queue = new ConcurrentLinkedDeque<>();
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
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
    if (size.incrementAndGet() > capacity) {
      dropOldest();
    }
    queue.addLast(item);
    if (sleeping && size.get() >= maxBatch) {
      LockSupport.unpark(thread);
    }
  }

  private void dropOldest() {
    if (queue.pollFirst() != null) {
      size.decrementAndGet();
      dropped.incrementAndGet();
      if (!dropLogged) {
        dropLogged = true;
        LOG.warn("the " + signal + " buffer is full (" + capacity + ") while " + exporter.destination()
            + " does not take " + signal + ": dropping the oldest; drops are counted in"
            + " dynamo_obs_export_dropped_total{signal=\"" + signal + "\"} (buffer size: see docs/traces-and-logs.md)");
      }
    }
  }

  /** Puts a refused batch back in front of everything newer, then trims the buffer to its capacity. */
  private void requeue(List<T> batch) {
    for (int i = batch.size() - 1; i >= 0; i--) {
      queue.addFirst(batch.get(i));
      size.incrementAndGet();
    }
    while (size.get() > capacity && !queue.isEmpty()) {
      dropOldest();
    }
  }

  public int size() {
    return size.get();
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

  private void run() {
    long nextSend = System.nanoTime() + delayNanos;
    while (!stopping) {
      try {
        long now = System.nanoTime();
        if (now < backoffUntil) {
          park(backoffUntil - now);
          continue;
        }
        if (inFlight.get() >= maxInFlight) {
          park(TimeUnit.MILLISECONDS.toNanos(50));
          continue;
        }
        if (size.get() < maxBatch && now < nextSend && now - flushUntil > 0 && !failing) {
          park(nextSend - now);
          continue;
        }
        nextSend = now + delayNanos;
        List<T> batch = drain();
        if (batch.isEmpty()) {
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

  private void park(long nanos) {
    sleeping = true;
    try {
      LockSupport.parkNanos(this, nanos);
    } finally {
      sleeping = false;
    }
  }

  private List<T> drain() {
    List<T> batch = new ArrayList<>(Math.min(maxBatch, Math.max(16, size.get())));
    T item;
    while (batch.size() < maxBatch && (item = queue.pollFirst()) != null) {
      size.decrementAndGet();
      batch.add(item);
    }
    return batch;
  }

  private void send(List<T> batch) {
    inFlight.incrementAndGet();
    try {
      exporter.export(batch, failure -> done(batch, failure));
    } catch (Throwable t) {
      done(batch, t);
    }
  }

  private void done(List<T> batch, Throwable failure) {
    inFlight.decrementAndGet();
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
      requeue(batch);
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
   * Sends what is queued, waiting at most {@code timeoutMillis} (at exit, so a process that ends
   * does not take its last spans and logs with it; a collector that is away costs the timeout).
   */
  public void flush(long timeoutMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    flushUntil = deadline;
    LockSupport.unpark(thread);
    while (System.nanoTime() < deadline && (size() > 0 || inFlight.get() > 0)) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }

  public void shutdown() {
    stopping = true;
    LockSupport.unpark(thread);
    exporter.shutdown();
  }
}
