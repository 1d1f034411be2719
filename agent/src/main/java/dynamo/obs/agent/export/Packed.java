package dynamo.obs.agent.export;

/**
 * A batch of spans or log records as it waits for, or travels to, a collector: each item already
 * encoded ({@link OtlpEncoder#packSpans}, {@link OtlpEncoder#packLogs}) as the bytes of its field in
 * an OTLP scope ({@code ScopeSpans.spans}, {@code ScopeLogs.log_records}), all in one array, with the
 * scope each item belongs to. A message of any run of the items is these bytes framed by the resource
 * and scopes ({@link OtlpEncoder#message}). So what waits through an outage is a few arrays per
 * batch, not the objects of each span and record, and a batch sent again is not encoded again.
 */
final class Packed {
  final byte[] bytes;
  /** Where each item's bytes end. */
  final int[] ends;
  /** Each item's encoded {@code InstrumentationScope} (shared arrays, compared by identity). */
  final byte[][] scopes;

  Packed(byte[] bytes, int[] ends, byte[][] scopes) {
    this.bytes = bytes;
    this.ends = ends;
    this.scopes = scopes;
  }

  int count() {
    return ends.length;
  }

  int start(int item) {
    return item == 0 ? 0 : ends[item - 1];
  }

  /** The items of several batches, in order, as one (their bytes copied once). */
  static Packed join(java.util.List<Packed> pieces) {
    int bytes = 0;
    int items = 0;
    for (Packed p : pieces) {
      bytes += p.bytes.length;
      items += p.count();
    }
    byte[] b = new byte[bytes];
    int[] ends = new int[items];
    byte[][] scopes = new byte[items][];
    int at = 0;
    int item = 0;
    for (Packed p : pieces) {
      System.arraycopy(p.bytes, 0, b, at, p.bytes.length);
      System.arraycopy(p.scopes, 0, scopes, item, p.count());
      for (int i = 0; i < p.count(); i++) {
        ends[item++] = at + p.ends[i];
      }
      at += p.bytes.length;
    }
    return new Packed(b, ends, scopes);
  }
}
