package dynamo.obs.agent.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * Dynamo's log-spaced histogram buckets (reference §3.2): the first bucket is 0, then
 * {@code count - 1} values spaced evenly in log space from {@code min} to {@code max}, each rounded
 * to two significant figures (half away from zero), consecutive duplicates removed.
 */
public final class LogBuckets {
  private LogBuckets() {
  }

  public static double[] generate(double min, double max, int count) {
    if (count <= 0) {
      return new double[0];
    }
    List<Double> out = new ArrayList<>(count);
    out.add(0.0);
    double lnMin = Math.log(min);
    double lnMax = Math.log(max);
    for (int i = 1; i < count; i++) {
      double v = Math.exp(lnMin + (lnMax - lnMin) * i / (count - 1));
      double r = roundTwoSignificant(v);
      if (r != out.get(out.size() - 1)) {
        out.add(r);
      }
    }
    double[] result = new double[out.size()];
    for (int i = 0; i < result.length; i++) {
      result[i] = out.get(i);
    }
    return result;
  }

  static double roundTwoSignificant(double v) {
    if (v == 0 || !Double.isFinite(v)) {
      return v;
    }
    double mag = Math.floor(Math.log10(Math.abs(v)));
    double scale = Math.pow(10, 1 - mag);
    double scaled = v * scale;
    double rounded = Math.signum(scaled) * Math.floor(Math.abs(scaled) + 0.5);
    // divide by the scale (not multiply by its inverse) as Dynamo does, for identical floats
    return rounded / scale;
  }
}
