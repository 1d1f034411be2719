package dynamo.obs.agent.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * One update of the frontend's per-token series — an inter-token latency observed, an output token counted — by two
 * threads at once, as the request threads of a serving process make them (benchmarks/jmh.sh): client_java's
 * classic histogram and counter against the agent's striped ones ({@link StripedHistogram}, {@link StripedCounter}),
 * with the same buckets (upstream's ITL buckets) and the same values.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Threads(2)
public class MetricUpdateBenchmark {
  private static final double[] ITL = LogBuckets.generate(0.001, 2, 13);
  /** Latencies across the buckets, so that the bucket search is not always the first step. */
  private static final double[] VALUES = {0.0012, 0.004, 0.011, 0.03, 0.05, 0.09, 0.2, 0.0025};

  private DistributionDataPoint clientJavaHistogram;
  private StripedHistogram.Series stripedHistogram;
  private CounterDataPoint clientJavaCounter;
  private StripedCounter.Series stripedCounter;

  @Setup
  public void setup() {
    PrometheusRegistry registry = new PrometheusRegistry();
    clientJavaHistogram = Histogram.builder().withoutExemplars().name("client_java_itl_seconds").help("h")
        .labelNames("model").classicUpperBounds(ITL).classicOnly().register(registry).labelValues("m");
    stripedHistogram = StripedHistogram.register(registry, "striped_itl_seconds", "h", "model", ITL, false)
        .labelValues("m");
    clientJavaCounter = Counter.builder().withoutExemplars().name("client_java_tokens_total").help("c")
        .labelNames("model").register(registry).labelValues("m");
    stripedCounter = StripedCounter.register(registry, "striped_tokens_total", "c", "model").labelValues("m");
  }

  @State(Scope.Thread)
  public static class Cursor {
    int i;

    double next() {
      return VALUES[i++ & 7];
    }
  }

  @Benchmark
  public void clientJavaHistogramObserve(Cursor c) {
    clientJavaHistogram.observe(c.next());
  }

  @Benchmark
  public void stripedHistogramObserve(Cursor c) {
    stripedHistogram.observe(c.next());
  }

  @Benchmark
  public void clientJavaCounterInc() {
    clientJavaCounter.inc(1L);
  }

  @Benchmark
  public void stripedCounterInc() {
    stripedCounter.inc(1L);
  }
}
