package dynamo.obs.agent.trace;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import java.util.Locale;

/**
 * A W3C {@code traceparent} received from another process: {@code 00-<32 hex>-<16 hex>-<2 hex>}.
 * Accepted as Dynamo accepts it (reference §5.3): four dash-separated parts, a 32-hex trace id and
 * a 16-hex parent id (neither all zeros); anything else starts a new trace.
 */
public final class TraceParent implements SpanParent {
  private final SpanContext context;
  private final String traceState;

  private TraceParent(SpanContext context, String traceState) {
    this.context = context;
    this.traceState = traceState;
  }

  /** The parent a {@code traceparent} header names, or null when absent or malformed. */
  public static TraceParent parse(String header, String traceState) {
    if (header == null) {
      return null;
    }
    String h = header.trim();
    // version(2) - trace id(32) - parent id(16) - flags(2)
    if (h.length() < 55 || h.charAt(2) != '-' || h.charAt(35) != '-' || h.charAt(52) != '-') {
      return null;
    }
    if (h.length() > 55 && h.charAt(55) != '-') {
      return null; // a future version may append fields after a dash; nothing else
    }
    if (!hex(h, 0, 2) || !hex(h, 3, 35) || !hex(h, 36, 52) || !hex(h, 53, 55)) {
      return null;
    }
    int version = Integer.parseInt(h.substring(0, 2), 16);
    if (version == 0xff || (version == 0 && h.length() != 55)) {
      return null;
    }
    String traceId = h.substring(3, 35).toLowerCase(Locale.ROOT);
    String spanId = h.substring(36, 52).toLowerCase(Locale.ROOT);
    if (zeros(traceId) || zeros(spanId)) {
      return null;
    }
    boolean sampled = (Integer.parseInt(h.substring(53, 55), 16) & 1) != 0;
    String state = traceState == null || traceState.isBlank() ? null : traceState.trim();
    return new TraceParent(SpanContext.createFromRemoteParent(traceId, spanId,
        sampled ? TraceFlags.getSampled() : TraceFlags.getDefault(), TraceStates.of(state)), state);
  }

  private static boolean hex(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (Character.digit(s.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean zeros(String id) {
    for (int i = 0; i < id.length(); i++) {
      if (id.charAt(i) != '0') {
        return false;
      }
    }
    return true;
  }

  /** The header value naming {@code span} as the parent of the next hop. */
  public static String format(SpanParent span) {
    SpanContext c = span.spanContext();
    return "00-" + c.getTraceId() + "-" + c.getSpanId() + (c.isSampled() ? "-01" : "-00");
  }

  @Override
  public SpanContext spanContext() {
    return context;
  }

  @Override
  public String traceState() {
    return traceState;
  }

  @Override
  public boolean remote() {
    return true;
  }
}
