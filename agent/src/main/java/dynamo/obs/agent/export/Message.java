package dynamo.obs.agent.export;

import java.io.IOException;

/**
 * One export request as the transport writes it: the gRPC frame header and the request's framing
 * (resource, scopes, lengths), written by {@link OtlpEncoder#message}, interleaved with runs of a
 * {@link Packed} batch's bytes, which are written from the batch itself rather than copied into a
 * message first.
 */
final class Message {
  /** Where the bytes go. */
  interface Sink {
    void write(byte[] bytes, int off, int len) throws IOException;
  }

  private final byte[] frame;
  private final byte[] items;
  /** Triples (0: frame / 1: items, offset, length), in order. */
  private final int[] pieces;
  private final int length;

  Message(byte[] frame, byte[] items, int[] pieces, int length) {
    this.frame = frame;
    this.items = items;
    this.pieces = pieces;
    this.length = length;
  }

  /** A message of {@link OtlpEncoder#PREFIX} bytes and nothing else: an empty export request. */
  static Message of(byte[] bytes) {
    return new Message(bytes, null, new int[] {0, 0, bytes.length}, bytes.length);
  }

  /** All of its bytes, the {@link OtlpEncoder#PREFIX} included. */
  int length() {
    return length;
  }

  /** Writes its bytes from {@code skip} on ({@link OtlpEncoder#PREFIX} for OTLP/HTTP, which has no frame header). */
  void writeTo(Sink sink, int skip) throws IOException {
    for (int i = 0; i < pieces.length; i += 3) {
      int off = pieces[i + 1];
      int len = pieces[i + 2];
      int drop = Math.min(skip, len);
      skip -= drop;
      if (len > drop) {
        sink.write(pieces[i] == 0 ? frame : items, off + drop, len - drop);
      }
    }
  }

  /**
   * Its bytes in one array (tests, and anything that needs them whole), through {@link #writeTo}, so
   * that what the tests read is what the transport writes.
   */
  byte[] toByteArray() {
    byte[] out = new byte[length];
    int[] at = {0};
    try {
      writeTo((b, off, len) -> {
        System.arraycopy(b, off, out, at[0], len);
        at[0] += len;
      }, 0);
    } catch (IOException e) {
      throw new IllegalStateException(e); // the sink above does not throw
    }
    if (at[0] != length) {
      throw new IllegalStateException("the pieces hold " + at[0] + " bytes, the message says " + length);
    }
    return out;
  }
}
