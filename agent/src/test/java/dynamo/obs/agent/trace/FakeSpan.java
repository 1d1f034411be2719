package dynamo.obs.agent.trace;

/** A span as the tracing side will describe it, for tests of what reads {@link ActiveSpan}. */
public record FakeSpan(String traceId, String spanId, String parentId, String spanName, String traceState,
    String xRequestId, String requestId) implements ActiveSpan {

  /** A request span with every id set; the span id is all digits, which must still be a string. */
  public static FakeSpan request() {
    return new FakeSpan("80196f3e3a6fdf06d23bb9ada3788518", "1234567890123456", "f7e487a9d2a6bf38", "http-request",
        "vendor=x", "8372eac7", "0b7ea5a6-8a3c-4f00-9d54-3f1a2b3c4d5e");
  }
}
