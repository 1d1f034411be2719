package dynamo.obs.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

class StripedHistogramTest {
  private static final double[] ITL = LogBuckets.generate(0.001, 2, 13);

  @Test
  void exposesWhatClientJavasClassicHistogramExposesForTheSameObservations() throws IOException {
    PrometheusRegistry ours = new PrometheusRegistry();
    PrometheusRegistry theirs = new PrometheusRegistry();
    StripedHistogram striped = StripedHistogram.register(ours, "dynamo_frontend_inter_token_latency_seconds",
        "Inter-token latency in seconds", "model", ITL, false);
    Histogram reference = Histogram.builder().withoutExemplars().name("dynamo_frontend_inter_token_latency_seconds")
        .help("Inter-token latency in seconds").labelNames("model").classicUpperBounds(ITL).classicOnly()
        .register(theirs);
    // on a bound (counted in its bucket), between bounds, below the first, beyond the last, NaN (ignored)
    double[] values = {0, 0.0019, 0.002, 0.5, 1.1, 2, 2.5, 1e9, -1, Double.NaN, 0.013, 0.0131};
    for (String model : List.of("b-model", "a-model")) {
      for (double v : values) {
        striped.labelValues(model).observe(v);
        reference.labelValues(model).observe(v);
      }
    }
    assertEquals(Exposition.text(theirs, false), Exposition.text(ours, false));
    assertEquals(Exposition.text(theirs, true), Exposition.text(ours, true));
    assertEquals(reference.labelValues("a-model").getCount(), striped.labelValues("a-model").getCount());
    assertEquals(reference.labelValues("a-model").getSum(), striped.labelValues("a-model").getSum());
  }

  @Test
  void countsEveryObservationOfManyThreadsOnce() throws InterruptedException {
    StripedHistogram h = new StripedHistogram("h", "help", "model", new double[]{1, 10, 100}, false);
    StripedHistogram.Series s = h.labelValues("m");
    int threads = 8;
    int each = 50_000;
    long[][] expected = new long[threads][5]; // each thread's own: its counts by bucket, then its sum
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> running = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long[] mine = expected[t];
      Thread thread = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < each; i++) {
          int v = r.nextInt(200);
          s.observe(v);
          mine[v <= 1 ? 0 : v <= 10 ? 1 : v <= 100 ? 2 : 3]++;
          mine[4] += v;
        }
      });
      thread.start();
      running.add(thread);
    }
    start.countDown();
    for (Thread t : running) {
      t.join();
    }
    long[] counts = new long[4];
    long sum = 0;
    for (long[] mine : expected) {
      for (int b = 0; b < 4; b++) {
        counts[b] += mine[b];
      }
      sum += mine[4];
    }
    var point = h.collect().getDataPoints().get(0);
    for (int b = 0; b < 4; b++) {
      assertEquals(counts[b], point.getClassicBuckets().getCount(b), "bucket " + b);
    }
    assertEquals((long) threads * each, point.getCount());
    assertEquals((double) sum, point.getSum()); // integers: every partial sum is exact in a double
    assertEquals((long) threads * each, s.getCount());
  }

  @Test
  void stripesAreAPowerOfTwoBetweenFourAndSixteen() {
    assertEquals(4, Stripes.count(1));
    assertEquals(4, Stripes.count(2));
    assertEquals(8, Stripes.count(3));
    assertEquals(8, Stripes.count(4));
    assertEquals(16, Stripes.count(8));
    assertEquals(16, Stripes.count(96));
  }
}
