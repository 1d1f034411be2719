package dynamo.obs.agent.config;

/**
 * A strict JSON syntax check (RFC 8259) that builds nothing: validates configured payloads, and tells
 * which log field values are JSON (embedded as JSON in JSONL lines, as Dynamo does).
 */
public final class JsonCheck {
  private final String s;
  /** Whether the text may stop anywhere a longer document could go on (see {@link #isValueOrStart}). */
  private final boolean mayStop;
  private int i;

  private JsonCheck(String s, boolean mayStop) {
    this.s = s;
    this.mayStop = mayStop;
  }

  /** The text ran out where a longer document could go on. */
  private static final class Stopped extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final Stopped INSTANCE = new Stopped();

    private Stopped() {
      super(null, null, false, false);
    }
  }

  /** Null when {@code text} is exactly one JSON object, else what is wrong and where. */
  public static String objectError(String text) {
    return new JsonCheck(text, false).error(true);
  }

  /** Whether {@code text} is exactly one JSON value: object, array, string, number, true, false or null. */
  public static boolean isValue(String text) {
    String start = text.stripLeading();
    // most log field values are plain words: decline them before any parsing
    return !start.isEmpty() && "{[\"-0123456789tfn".indexOf(start.charAt(0)) >= 0
        && new JsonCheck(text, false).error(false) == null;
  }

  /**
   * Whether {@code text} is one JSON value or the start of one — what a reader of a document that arrives in
   * pieces can tell before its end. A number or literal the text ends in is taken as whole.
   */
  public static boolean isValueOrStart(String text) {
    try {
      return new JsonCheck(text, true).error(false) == null;
    } catch (Stopped stopped) {
      return true;
    }
  }

  private String error(boolean objectOnly) {
    try {
      ws();
      if (objectOnly && (i >= s.length() || s.charAt(i) != '{')) {
        return "not a JSON object";
      }
      value(0);
      ws();
      if (i != s.length()) {
        return "unexpected text at offset " + i;
      }
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  private void value(int depth) {
    if (depth > 256) {
      throw fail("nesting too deep");
    }
    ws();
    char c = peek();
    switch (c) {
      case '{' :
        i++;
        ws();
        if (peek() == '}') {
          i++;
          return;
        }
        while (true) {
          ws();
          string();
          ws();
          expect(':');
          value(depth + 1);
          ws();
          if (peek() == ',') {
            i++;
          } else {
            expect('}');
            return;
          }
        }
      case '[' :
        i++;
        ws();
        if (peek() == ']') {
          i++;
          return;
        }
        while (true) {
          value(depth + 1);
          ws();
          if (peek() == ',') {
            i++;
          } else {
            expect(']');
            return;
          }
        }
      case '"' :
        string();
        return;
      case 't' :
        literal("true");
        return;
      case 'f' :
        literal("false");
        return;
      case 'n' :
        literal("null");
        return;
      default :
        number();
    }
  }

  private void string() {
    expect('"');
    while (true) {
      char c = next();
      if (c == '"') {
        return;
      }
      if (c < 0x20) {
        throw fail("control character in string");
      }
      if (c == '\\') {
        char e = next();
        if (e == 'u') {
          for (int k = 0; k < 4; k++) {
            if (Character.digit(next(), 16) < 0) {
              throw fail("bad \\u escape");
            }
          }
        } else if ("\"\\/bfnrt".indexOf(e) < 0) {
          throw fail("bad escape");
        }
      }
    }
  }

  private void number() {
    int start = i;
    if (peek() == '-') {
      i++;
    }
    if (i < s.length() && s.charAt(i) == '0') { // a number the text ends in is judged whole
      i++;
    } else {
      digits();
    }
    if (i < s.length() && s.charAt(i) == '.') {
      i++;
      digits();
    }
    if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        i++;
      }
      digits();
    }
    if (i == start) {
      throw fail("unexpected character");
    }
  }

  private void digits() {
    int start = i;
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      i++;
    }
    if (i == start) {
      throw fail("digit expected");
    }
  }

  private void literal(String word) {
    if (!s.startsWith(word, i)) {
      throw fail("unexpected character");
    }
    i += word.length();
  }

  private void ws() {
    while (i < s.length()
        && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\n' || s.charAt(i) == '\r')) {
      i++;
    }
  }

  private char peek() {
    if (i >= s.length()) {
      if (mayStop) {
        throw Stopped.INSTANCE;
      }
      throw fail("unexpected end");
    }
    return s.charAt(i);
  }

  private char next() {
    char c = peek();
    i++;
    return c;
  }

  private void expect(char c) {
    if (peek() != c) {
      throw fail("'" + c + "' expected");
    }
    i++;
  }

  private IllegalArgumentException fail(String what) {
    return new IllegalArgumentException(what + " at offset " + i);
  }
}
