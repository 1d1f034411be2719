package dynamo.obs.agent.trace;

import io.opentelemetry.api.common.AttributeKey;

/** Attribute values in Dynamo's shapes, and the keys of the attributes the agent's spans set on every request. */
public final class SpanValues {
  // made once: a key made from its name on every set is the span's largest allocation
  public static final AttributeKey<String> METHOD = AttributeKey.stringKey("method");
  public static final AttributeKey<String> URI = AttributeKey.stringKey("uri");
  public static final AttributeKey<String> VERSION = AttributeKey.stringKey("version");
  public static final AttributeKey<String> X_REQUEST_ID = AttributeKey.stringKey("x_request_id");
  public static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("request_id");
  public static final AttributeKey<String> MODEL = AttributeKey.stringKey("model");
  public static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("input_tokens");
  public static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("output_tokens");
  public static final AttributeKey<String> TTFT_MS = AttributeKey.stringKey("ttft_ms");
  public static final AttributeKey<String> AVG_ITL_MS = AttributeKey.stringKey("avg_itl_ms");
  public static final AttributeKey<Long> HTTP_STATUS_CODE = AttributeKey.longKey("http.status_code");

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
