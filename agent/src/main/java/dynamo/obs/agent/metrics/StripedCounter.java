package dynamo.obs.agent.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Prometheus counter for the request path (the frontend's output tokens are counted once per streamed event): one
 * atomic addition an increment, into a cell striped by thread ({@link Stripes}), where client_java's counter adds
 * into a {@code LongAdder} whose cells every thread shares. Exposed through the registry as client_java's own
 * counters are: the name without {@code _total}, which the writers add.
 */
public final class StripedCounter extends StripedMetric {
  private static final int LONG = 0;
  private static final int DOUBLE = 1;
  private static final int STRIDE = Stripes.stride(2);

  private final String[] labelNames;
  private final ConcurrentHashMap<List<String>, Series> series = new ConcurrentHashMap<>();

  public StripedCounter(String name, String help, String... labelNames) {
    super(new MetricMetadata(name.endsWith("_total") ? name.substring(0, name.length() - 6) : name, help),
        MetricType.COUNTER, labelNames);
    this.labelNames = labelNames.clone();
  }

  /** Made and registered: a counter of {@code registry}'s exposition from now on. */
  public static StripedCounter register(PrometheusRegistry registry, String name, String help, String... labelNames) {
    StripedCounter c = new StripedCounter(name, help, labelNames);
    registry.register(c);
    return c;
  }

  /** The series of these label values (one per label name, in their order), made at its first use. */
  public Series labelValues(String... values) {
    if (values.length != labelNames.length) {
      throw new IllegalArgumentException(metadata.getName() + ": " + labelNames.length + " label values expected, got "
          + values.length);
    }
    List<String> key = Arrays.asList(values.clone());
    Series s = series.get(key);
    return s != null ? s : series.computeIfAbsent(key, Series::new);
  }

  @Override
  public CounterSnapshot collect() {
    List<CounterDataPointSnapshot> points = new ArrayList<>(series.size());
    for (Series s : series.values()) {
      points.add(new CounterDataPointSnapshot(s.get(), s.labels, null, s.createdMillis));
    }
    return new CounterSnapshot(metadata, points);
  }

  /** The counter of one set of label values. */
  public final class Series implements CounterDataPoint {
    private final Labels labels;
    private final long createdMillis = System.currentTimeMillis();
    /** Each stripe: whole increments, then fractional ones as a double's bits. */
    private final long[] cells = Stripes.cells(STRIDE);

    Series(List<String> values) {
      labels = Labels.of(labelNames, values.toArray(new String[0]));
    }

    @Override
    public void inc(long amount) {
      if (amount < 0) {
        throw new IllegalArgumentException("a counter cannot decrease: " + amount);
      }
      Stripes.add(cells, Stripes.base(STRIDE) + LONG, amount);
    }

    @Override
    public void inc(double amount) {
      if (!(amount >= 0)) {
        throw new IllegalArgumentException("a counter cannot decrease: " + amount);
      }
      Stripes.addDouble(cells, Stripes.base(STRIDE) + DOUBLE, amount);
    }

    @Override
    public void incWithExemplar(double amount, Labels exemplarLabels) {
      inc(amount);
    }

    @Override
    public double get() {
      return getLongValue() + Stripes.sumDouble(cells, STRIDE, DOUBLE);
    }

    @Override
    public long getLongValue() {
      return Stripes.sum(cells, STRIDE, LONG) + (long) Stripes.sumDouble(cells, STRIDE, DOUBLE);
    }
  }
}
