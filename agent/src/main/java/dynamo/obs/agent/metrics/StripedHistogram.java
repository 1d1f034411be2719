package dynamo.obs.agent.metrics;

import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.exemplars.ExemplarSampler;
import io.prometheus.metrics.core.exemplars.ExemplarSamplerConfig;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A classic Prometheus histogram with one label, for the values the request path observes many times a request (the
 * frontend's inter-token latency once per token): two atomic additions an observation, into cells striped by thread,
 * each stripe on cache lines of its own. Exposed through the registry as client_java's own histograms are (the same
 * snapshot, the same writers), with the same trace exemplars when they are on.
 *
 * <p>Why not client_java's {@code Histogram}: its observation makes four atomic updates on lines every thread shares
 * (a striped observation count kept for consistent scrapes, then the bucket's {@code LongAdder}, the sum's
 * {@code DoubleAdder} and the count's {@code LongAdder}) and a capturing lambda; in the serving process that was
 * 5–8 µs of CPU a streamed request (BENCHMARKS.md, "Where the cost goes"). Here the count is the buckets' sum, so a
 * scrape always sees the count agree with the buckets; the sum may miss an observation being made at that moment.
 */
public final class StripedHistogram extends StripedMetric {
  private final String labelName;
  /** The buckets' upper bounds, the last +Inf. */
  private final double[] bounds;
  private final ExemplarSamplerConfig exemplars;
  private final ConcurrentHashMap<String, Series> series = new ConcurrentHashMap<>();

  /**
   * @param bounds the classic buckets' upper bounds, ascending (+Inf is added when missing)
   * @param withExemplars whether observations carry trace exemplars (while spans are exported)
   */
  public StripedHistogram(String name, String help, String labelName, double[] bounds, boolean withExemplars) {
    super(new MetricMetadata(name, help), MetricType.HISTOGRAM, labelName);
    this.labelName = labelName;
    this.bounds = withInf(bounds);
    this.exemplars = withExemplars
        ? new ExemplarSamplerConfig(PrometheusProperties.get().getExemplarProperties(), this.bounds)
        : null;
  }

  /** Made and registered: a histogram of {@code registry}'s exposition from now on. */
  public static StripedHistogram register(PrometheusRegistry registry, String name, String help, String labelName,
      double[] bounds, boolean withExemplars) {
    StripedHistogram h = new StripedHistogram(name, help, labelName, bounds, withExemplars);
    registry.register(h);
    return h;
  }

  private static double[] withInf(double[] bounds) {
    double[] b = bounds.clone();
    Arrays.sort(b);
    if (b.length == 0 || b[b.length - 1] != Double.POSITIVE_INFINITY) {
      b = Arrays.copyOf(b, b.length + 1);
      b[b.length - 1] = Double.POSITIVE_INFINITY;
    }
    return b;
  }

  /** The series of one label value, made at its first use. */
  public Series labelValues(String value) {
    Series s = series.get(value);
    return s != null ? s : series.computeIfAbsent(value, Series::new);
  }

  @Override
  public HistogramSnapshot collect() {
    List<HistogramDataPointSnapshot> points = new ArrayList<>(series.size());
    for (Series s : series.values()) {
      points.add(s.snapshot());
    }
    return new HistogramSnapshot(metadata, points);
  }

  /** The histogram of one label value. */
  public final class Series implements DistributionDataPoint {
    private final Labels labels;
    private final long createdMillis = System.currentTimeMillis();
    /** Each stripe: the buckets' counts, then the sum's bits. */
    private final long[] cells;
    private final int stride = Stripes.stride(bounds.length + 1);
    private final ExemplarSampler sampler;

    Series(String value) {
      labels = Labels.of(labelName, value);
      cells = Stripes.cells(stride);
      sampler = exemplars == null ? null : new ExemplarSampler(exemplars);
    }

    @Override
    public void observe(double value) {
      if (Double.isNaN(value)) {
        return;
      }
      int base = Stripes.base(stride);
      Stripes.add(cells, base + bucket(value), 1);
      Stripes.addDouble(cells, base + bounds.length, value);
      if (sampler != null) {
        sampler.observe(value);
      }
    }

    @Override
    public void observeWithExemplar(double value, Labels exemplarLabels) {
      observe(value); // the request path's exemplars come from its span, through the sampler
    }

    @Override
    public long getCount() {
      long n = 0;
      for (int i = 0; i < bounds.length; i++) {
        n += Stripes.sum(cells, stride, i);
      }
      return n;
    }

    @Override
    public double getSum() {
      return Stripes.sumDouble(cells, stride, bounds.length);
    }

    /** A batch for this series' observations of one thread, added with {@link #add}. */
    public Batch batch() {
      return new Batch();
    }

    /** Adds the batch's observations, as many atomic additions as buckets it holds values of, and empties it. */
    public void add(Batch batch) {
      if (batch.observations == 0) {
        return;
      }
      int base = Stripes.base(stride);
      int[] counts = batch.counts;
      for (int i = 0; i < counts.length; i++) {
        if (counts[i] != 0) {
          Stripes.add(cells, base + i, counts[i]);
          counts[i] = 0;
        }
      }
      Stripes.addDouble(cells, base + bounds.length, batch.sum);
      if (sampler != null) {
        sampler.observe(batch.last); // an exemplar is one real observation: the latest
      }
      batch.sum = 0;
      batch.observations = 0;
    }

    HistogramDataPointSnapshot snapshot() {
      long[] counts = new long[bounds.length];
      for (int i = 0; i < counts.length; i++) {
        counts[i] = Stripes.sum(cells, stride, i);
      }
      Exemplars ex = sampler == null ? Exemplars.EMPTY : sampler.collect();
      return new HistogramDataPointSnapshot(ClassicHistogramBuckets.of(bounds, counts), getSum(), labels, ex,
          createdMillis);
    }
  }

  /**
   * Observations one thread gathers before adding them at once ({@link Series#add}): a streamed request's
   * inter-token latencies, one a token, are added every second and at the request's end instead of one by one.
   */
  public final class Batch {
    private final int[] counts = new int[bounds.length];
    private double sum;
    private double last;
    private int observations;

    private Batch() {
    }

    /** {@code value} observed {@code times} times. */
    public void observe(double value, int times) {
      if (Double.isNaN(value) || times <= 0) {
        return;
      }
      counts[bucket(value)] += times;
      sum += value * times;
      last = value;
      observations += times;
    }
  }

  /** The first bucket whose upper bound is at least {@code value} (the buckets are few: a linear walk). */
  private int bucket(double value) {
    double[] b = bounds;
    int last = b.length - 1;
    for (int i = 0; i < last; i++) {
      if (value <= b[i]) {
        return i;
      }
    }
    return last;
  }
}
