package dynamo.obs.agent.frontend;

/** UTF-8 encoding of one code point into a caller's buffer, without allocating. */
public final class Utf8 {
  /** The most bytes one code point takes. */
  public static final int MAX_BYTES = 4;

  private Utf8() {
  }

  /**
   * Writes {@code cp} at {@code out[at]} and returns the index after it. A lone surrogate becomes
   * {@code ?}, as {@code String.getBytes(UTF_8)} encodes one.
   */
  public static int put(int cp, byte[] out, int at) {
    if (cp < 0x80) {
      out[at++] = (byte) cp;
    } else if (cp < 0x800) {
      out[at++] = (byte) (0xC0 | (cp >> 6));
      out[at++] = (byte) (0x80 | (cp & 0x3F));
    } else if (cp >= 0xD800 && cp <= 0xDFFF) {
      out[at++] = (byte) '?';
    } else if (cp < 0x10000) {
      out[at++] = (byte) (0xE0 | (cp >> 12));
      out[at++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
      out[at++] = (byte) (0x80 | (cp & 0x3F));
    } else {
      out[at++] = (byte) (0xF0 | (cp >> 18));
      out[at++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
      out[at++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
      out[at++] = (byte) (0x80 | (cp & 0x3F));
    }
    return at;
  }
}
