package dynamo.obs.agent.trace;

/** Attribute values in Dynamo's shapes. */
public final class SpanValues {
  private SpanValues() {
  }

  /** Nanoseconds as milliseconds with two decimals ({@code "%.2f"}, as Dynamo records ttft_ms), without a Formatter. */
  public static String millis(long nanos) {
    if (nanos < 0) {
      nanos = 0;
    }
    long hundredths = (nanos + 5_000) / 10_000;
    long whole = hundredths / 100;
    int frac = (int) (hundredths % 100);
    return whole + (frac < 10 ? ".0" : ".") + frac;
  }
}
