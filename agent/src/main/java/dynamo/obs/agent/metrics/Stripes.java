package dynamo.obs.agent.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Cells striped by thread for the request path's counts ({@link StripedHistogram}, {@link StripedCounter}): each
 * thread adds into its stripe's cells with one atomic addition, a scrape sums the stripes. A stripe spans whole cache
 * lines of its own, so two threads on two CPUs never write one line, unless their stripes are the same.
 */
final class Stripes {
  /** Longs of one cache line, twice: a stripe never shares a line, nor the line the prefetcher pairs with it. */
  static final int LINE = 16;
  static final int COUNT = count(Runtime.getRuntime().availableProcessors());
  private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(long[].class);

  private Stripes() {
  }

  /** Twice the CPUs, a power of two, from 4 to 16. */
  static int count(int cpus) {
    int n = Integer.highestOneBit(Math.max(1, Math.min(cpus, 8)) * 2 - 1) * 2;
    return Math.max(4, Math.min(n, 16));
  }

  /**
   * Cells for every stripe of {@code stride} longs ({@link #stride}), a line ahead of the first keeping it off the
   * array's header.
   */
  static long[] cells(int stride) {
    return new long[LINE + stride * COUNT];
  }

  /** The longs a stripe of {@code used} cells spans: whole lines. */
  static int stride(int used) {
    return (used + LINE - 1) / LINE * LINE;
  }

  /** Where the calling thread's stripe begins: threads of a pool have consecutive ids, so they spread evenly. */
  @SuppressWarnings("deprecation") // Thread.threadId() is JDK 19+
  static int base(int stride) {
    return LINE + ((int) Thread.currentThread().getId() & (COUNT - 1)) * stride;
  }

  static void add(long[] cells, int i, long n) {
    CELLS.getAndAdd(cells, i, n);
  }

  /** Adds to a cell holding a double's bits. */
  static void addDouble(long[] cells, int i, double v) {
    long bits;
    do {
      bits = (long) CELLS.getVolatile(cells, i);
    } while (!CELLS.weakCompareAndSet(cells, i, bits, Double.doubleToRawLongBits(Double.longBitsToDouble(bits) + v)));
  }

  /** The sum over the stripes of the cell at {@code offset} in each. */
  static long sum(long[] cells, int stride, int offset) {
    long n = 0;
    for (int s = 0; s < COUNT; s++) {
      n += (long) CELLS.getVolatile(cells, LINE + s * stride + offset);
    }
    return n;
  }

  /** The sum over the stripes of the double cell at {@code offset} in each. */
  static double sumDouble(long[] cells, int stride, int offset) {
    double d = 0;
    for (int s = 0; s < COUNT; s++) {
      d += Double.longBitsToDouble((long) CELLS.getVolatile(cells, LINE + s * stride + offset));
    }
    return d;
  }
}
