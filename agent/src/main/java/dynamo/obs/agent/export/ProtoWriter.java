package dynamo.obs.agent.export;

import java.util.Arrays;

/**
 * Protocol Buffers wire format into one growing byte array, for the OTLP messages the agent sends.
 * Strings are written as UTF-8 straight from their chars (no intermediate byte array). A nested
 * message reserves room for its length, is written in place, and its length is filled in at
 * {@link #end}: the body moves only when the length needs another number of bytes than reserved.
 * Used by one thread at a time; reused from batch to batch.
 */
final class ProtoWriter {
  private static final int VARINT = 0;
  private static final int FIXED64 = 1;
  private static final int LENGTH = 2;
  private static final int FIXED32 = 5;

  private byte[] buf;
  private int pos;

  ProtoWriter(int initialCapacity) {
    buf = new byte[initialCapacity];
  }

  /** Empties the writer, keeping its array, and leaves {@code prefix} bytes at the start (a gRPC frame header). */
  void reset(int prefix) {
    pos = 0;
    ensure(prefix);
    Arrays.fill(buf, 0, prefix, (byte) 0);
    pos = prefix;
  }

  int size() {
    return pos;
  }

  /** The bytes written so far, as a new array of exactly that size. */
  byte[] toByteArray() {
    return Arrays.copyOf(buf, pos);
  }

  private void ensure(int more) {
    if (pos + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
    }
  }

  private void tag(int field, int wireType) {
    varint((field << 3) | wireType);
  }

  void varint(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
  }

  static int varintSize(long v) {
    int n = 1;
    while ((v & ~0x7FL) != 0) {
      v >>>= 7;
      n++;
    }
    return n;
  }

  /** An enum or integer field; zero (the default) is left out. */
  void uint(int field, long v) {
    if (v != 0) {
      tag(field, VARINT);
      varint(v);
    }
  }

  /** An int64 field, written even when zero (for a value inside a oneof). */
  void int64Always(int field, long v) {
    tag(field, VARINT);
    varint(v);
  }

  void bool(int field, boolean v) {
    tag(field, VARINT);
    varint(v ? 1 : 0);
  }

  void fixed64(int field, long v) {
    tag(field, FIXED64);
    ensure(8);
    for (int i = 0; i < 8; i++) {
      buf[pos++] = (byte) v;
      v >>>= 8;
    }
  }

  void doubleValue(int field, double v) {
    fixed64(field, Double.doubleToRawLongBits(v));
  }

  /** A fixed32 field; zero (the default) is left out. */
  void fixed32(int field, int v) {
    if (v != 0) {
      tag(field, FIXED32);
      ensure(4);
      for (int i = 0; i < 4; i++) {
        buf[pos++] = (byte) v;
        v >>>= 8;
      }
    }
  }

  /** A 16-byte id (a trace id) in big-endian order. */
  void id(int field, long high, long low) {
    tag(field, LENGTH);
    varint(16);
    bigEndian(high);
    bigEndian(low);
  }

  /** An 8-byte id (a span id) in big-endian order. */
  void id(int field, long v) {
    tag(field, LENGTH);
    varint(8);
    bigEndian(v);
  }

  private void bigEndian(long v) {
    ensure(8);
    for (int i = 7; i >= 0; i--) {
      buf[pos + i] = (byte) v;
      v >>>= 8;
    }
    pos += 8;
  }

  /** Bytes encoded elsewhere (a message's fields), written as they are. */
  void raw(byte[] bytes) {
    raw(bytes, 0, bytes.length);
  }

  /** {@code len} bytes of {@code bytes} from {@code off}, written as they are. */
  void raw(byte[] bytes, int off, int len) {
    ensure(len);
    System.arraycopy(bytes, off, buf, pos, len);
    pos += len;
  }

  /** A string field, written even when empty (for a value inside a oneof). */
  void string(int field, String s) {
    tag(field, LENGTH);
    int n = utf8Length(s);
    varint(n);
    ensure(n);
    int len = s.length();
    if (n == len) {
      for (int i = 0; i < len; i++) {
        buf[pos++] = (byte) s.charAt(i);
      }
      return;
    }
    for (int i = 0; i < len; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        buf[pos++] = (byte) c;
      } else if (c < 0x800) {
        buf[pos++] = (byte) (0xC0 | (c >> 6));
        buf[pos++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isSurrogate(c)) {
        int cp = pairAt(s, i);
        if (cp < 0) {
          buf[pos++] = '?'; // an unpaired surrogate, replaced as String.getBytes does
        } else {
          buf[pos++] = (byte) (0xF0 | (cp >> 18));
          buf[pos++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
          buf[pos++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
          buf[pos++] = (byte) (0x80 | (cp & 0x3F));
          i++;
        }
      } else {
        buf[pos++] = (byte) (0xE0 | (c >> 12));
        buf[pos++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        buf[pos++] = (byte) (0x80 | (c & 0x3F));
      }
    }
  }

  /** A string field left out when null or empty. */
  void optionalString(int field, String s) {
    if (s != null && !s.isEmpty()) {
      string(field, s);
    }
  }

  static int utf8Length(String s) {
    int len = s.length();
    int n = len;
    for (int i = 0; i < len; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        if (c < 0x800) {
          n += 1;
        } else if (Character.isSurrogate(c)) {
          if (pairAt(s, i) >= 0) {
            n += 2; // four bytes for the two chars of the pair
            i++;
          }
          // an unpaired surrogate becomes one '?'
        } else {
          n += 2;
        }
      }
    }
    return n;
  }

  /** The code point of a valid surrogate pair starting at {@code i}, or -1. */
  private static int pairAt(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
      return Character.toCodePoint(c, s.charAt(i + 1));
    }
    return -1;
  }

  /**
   * Starts a nested message (or the bytes of a length-delimited field) and returns the mark to pass to
   * {@link #end}; {@code reserve} bytes are kept for its length (1 for a message under 128 bytes).
   */
  int begin(int field, int reserve) {
    tag(field, LENGTH);
    ensure(reserve);
    int mark = pos;
    pos += reserve;
    buf[mark] = (byte) reserve; // remembered for end()
    return mark;
  }

  void end(int mark) {
    int reserved = buf[mark];
    int start = mark + reserved;
    int len = pos - start;
    int need = varintSize(len);
    if (need != reserved) {
      ensure(need - reserved);
      System.arraycopy(buf, start, buf, mark + need, len);
      pos += need - reserved;
    }
    int at = mark;
    long v = len;
    while ((v & ~0x7FL) != 0) {
      buf[at++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[at] = (byte) v;
  }

  /** The tag and length of a length-delimited field whose {@code len} bytes follow, written elsewhere. */
  void lengthPrefix(int field, int len) {
    tag(field, LENGTH);
    varint(len);
  }

  /** Bytes a length-delimited field of {@code len} bytes takes, tag and length included. */
  static int fieldSize(int field, int len) {
    return varintSize((field << 3) | LENGTH) + varintSize(len) + len;
  }

  /** The 5-byte gRPC message prefix (uncompressed, big-endian length) of a message of {@code len} bytes, at the start of the buffer. */
  void grpcPrefix(int len) {
    buf[0] = 0;
    buf[1] = (byte) (len >>> 24);
    buf[2] = (byte) (len >>> 16);
    buf[3] = (byte) (len >>> 8);
    buf[4] = (byte) len;
  }
}
