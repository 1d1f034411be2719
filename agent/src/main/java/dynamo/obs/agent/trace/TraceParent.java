package dynamo.obs.agent.trace;

/**
 * A W3C {@code traceparent} received from another process: {@code 00-<32 hex>-<16 hex>-<2 hex>}.
 * Accepted as Dynamo accepts it (reference §5.3): four dash-separated parts, a 32-hex trace id and
 * a 16-hex parent id (neither all zeros); anything else starts a new trace.
 */
public final class TraceParent extends SpanIds {
  private TraceParent(long traceHigh, long traceLow, long spanId, boolean sampled, String traceState) {
    super(traceHigh, traceLow, spanId, sampled, traceState);
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
    try {
      int version = Integer.parseInt(h.substring(0, 2), 16);
      if (version == 0xff || (version == 0 && h.length() != 55)) {
        return null;
      }
      long high = Hex.parse(h, 3);
      long low = Hex.parse(h, 19);
      long span = Hex.parse(h, 36);
      int flags = Integer.parseInt(h.substring(53, 55), 16);
      if ((high == 0 && low == 0) || span == 0) {
        return null;
      }
      String state = traceState == null || traceState.isBlank() ? null : traceState.trim();
      return new TraceParent(high, low, span, (flags & 1) != 0, state);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The header value naming {@code span} as the parent of the next hop. */
  public static String format(SpanParent span) {
    char[] c = new char[55];
    c[0] = '0';
    c[1] = '0';
    c[2] = '-';
    Hex.write(span.traceIdHigh(), c, 3);
    Hex.write(span.traceIdLow(), c, 19);
    c[35] = '-';
    Hex.write(span.spanIdValue(), c, 36);
    c[52] = '-';
    c[53] = '0';
    c[54] = span.sampled() ? '1' : '0';
    return new String(c);
  }

  @Override
  public boolean remote() {
    return true;
  }
}
