package dynamo.obs.agent.trace;

/** Lower-case hex of trace and span ids, and parsing of the same. */
final class Hex {
  private static final char[] DIGITS = "0123456789abcdef".toCharArray();

  private Hex() {}

  static String of(long v) {
    char[] c = new char[16];
    write(v, c, 0);
    return new String(c);
  }

  static String of(long high, long low) {
    char[] c = new char[32];
    write(high, c, 0);
    write(low, c, 16);
    return new String(c);
  }

  static void write(long v, char[] out, int at) {
    for (int i = 15; i >= 0; i--) {
      out[at + i] = DIGITS[(int) (v & 0xf)];
      v >>>= 4;
    }
  }

  /** 16 hex digits at {@code from} of {@code s} (either case); throws NumberFormatException otherwise. */
  static long parse(String s, int from) {
    long v = 0;
    for (int i = from; i < from + 16; i++) {
      int d = Character.digit(s.charAt(i), 16);
      if (d < 0) {
        throw new NumberFormatException(s);
      }
      v = (v << 4) | d;
    }
    return v;
  }
}
