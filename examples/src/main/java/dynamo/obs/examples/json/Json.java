package dynamo.obs.examples.json;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal JSON reader and writer, so the examples need nothing beyond the JDK.
 *
 * <p>Values map to Java as: object → {@code Map<String, Object>} (insertion-ordered, so written objects keep
 * the field order OpenAI clients are used to), array → {@code List<Object>}, string → {@code String},
 * integral number → {@code Long}, other number → {@code Double}, {@code true}/{@code false} → {@code Boolean},
 * {@code null} → {@code null}.
 */
public final class Json {

  private Json() {
  }

  /** Thrown when text is not valid JSON; the message says where. */
  public static final class ParseException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    ParseException(String message, int position) {
      super(message + " at position " + position);
    }
  }

  /** Parses one JSON value; anything but whitespace after it is an error. */
  public static Object parse(String text) {
    Reader reader = new Reader(text);
    Object value = reader.value();
    reader.skipWhitespace();
    if (reader.pos != text.length()) {
      throw new ParseException("unexpected trailing content", reader.pos);
    }
    return value;
  }

  /** Builds an insertion-ordered object from alternating keys and values. */
  public static Map<String, Object> object(Object... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("keys and values must come in pairs");
    }
    Map<String, Object> object = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      object.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return object;
  }

  /** Writes a value built from maps, lists, strings, numbers, booleans and nulls as compact JSON. */
  public static String write(Object value) {
    StringBuilder out = new StringBuilder();
    write(value, out);
    return out.toString();
  }

  private static void write(Object value, StringBuilder out) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof String s) {
      writeString(s, out);
    } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long) {
      out.append(value);
    } else if (value instanceof Number n) {
      double d = n.doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new IllegalArgumentException("JSON has no representation for " + d);
      }
      out.append(d);
    } else if (value instanceof Map<?, ?> map) {
      out.append('{');
      Iterator<? extends Map.Entry<?, ?>> entries = map.entrySet().iterator();
      while (entries.hasNext()) {
        Map.Entry<?, ?> entry = entries.next();
        writeString(String.valueOf(entry.getKey()), out);
        out.append(':');
        write(entry.getValue(), out);
        if (entries.hasNext()) {
          out.append(',');
        }
      }
      out.append('}');
    } else if (value instanceof List<?> list) {
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        write(list.get(i), out);
      }
      out.append(']');
    } else {
      throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON");
    }
  }

  private static void writeString(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  /** Recursive-descent reader over one string. */
  private static final class Reader {
    private final String text;
    private int pos;

    Reader(String text) {
      this.text = text;
    }

    Object value() {
      skipWhitespace();
      if (pos >= text.length()) {
        throw new ParseException("unexpected end of input", pos);
      }
      char c = text.charAt(pos);
      return switch (c) {
        case '{' -> object();
        case '[' -> array();
        case '"' -> string();
        case 't' -> literal("true", Boolean.TRUE);
        case 'f' -> literal("false", Boolean.FALSE);
        case 'n' -> literal("null", null);
        default -> {
          if (c == '-' || (c >= '0' && c <= '9')) {
            yield number();
          }
          throw new ParseException("unexpected character '" + c + "'", pos);
        }
      };
    }

    private Map<String, Object> object() {
      Map<String, Object> object = new LinkedHashMap<>();
      pos++;
      skipWhitespace();
      if (peek() == '}') {
        pos++;
        return object;
      }
      while (true) {
        skipWhitespace();
        if (peek() != '"') {
          throw new ParseException("expected a string key", pos);
        }
        String key = string();
        skipWhitespace();
        expect(':');
        object.put(key, value());
        skipWhitespace();
        char next = peek();
        pos++;
        if (next == '}') {
          return object;
        }
        if (next != ',') {
          throw new ParseException("expected ',' or '}'", pos - 1);
        }
      }
    }

    private List<Object> array() {
      List<Object> array = new ArrayList<>();
      pos++;
      skipWhitespace();
      if (peek() == ']') {
        pos++;
        return array;
      }
      while (true) {
        array.add(value());
        skipWhitespace();
        char next = peek();
        pos++;
        if (next == ']') {
          return array;
        }
        if (next != ',') {
          throw new ParseException("expected ',' or ']'", pos - 1);
        }
      }
    }

    private String string() {
      pos++;
      StringBuilder out = new StringBuilder();
      while (true) {
        if (pos >= text.length()) {
          throw new ParseException("unterminated string", pos);
        }
        char c = text.charAt(pos++);
        if (c == '"') {
          return out.toString();
        }
        if (c < 0x20) {
          throw new ParseException("control character in string", pos - 1);
        }
        if (c != '\\') {
          out.append(c);
          continue;
        }
        char escaped = peek();
        pos++;
        switch (escaped) {
          case '"', '\\', '/' -> out.append(escaped);
          case 'n' -> out.append('\n');
          case 'r' -> out.append('\r');
          case 't' -> out.append('\t');
          case 'b' -> out.append('\b');
          case 'f' -> out.append('\f');
          case 'u' -> {
            if (pos + 4 > text.length()) {
              throw new ParseException("truncated \\u escape", pos);
            }
            try {
              out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
            } catch (NumberFormatException e) {
              throw new ParseException("invalid \\u escape", pos);
            }
            pos += 4;
          }
          default -> throw new ParseException("invalid escape '\\" + escaped + "'", pos - 1);
        }
      }
    }

    private Object number() {
      int start = pos;
      if (peekOrEnd() == '-') {
        pos++;
      }
      boolean integral = true;
      int digits = skipDigits();
      if (digits == 0) {
        throw new ParseException("expected a digit", pos);
      }
      if (peekOrEnd() == '.') {
        integral = false;
        pos++;
        if (skipDigits() == 0) {
          throw new ParseException("expected a digit after '.'", pos);
        }
      }
      if (peekOrEnd() == 'e' || peekOrEnd() == 'E') {
        integral = false;
        pos++;
        if (peekOrEnd() == '+' || peekOrEnd() == '-') {
          pos++;
        }
        if (skipDigits() == 0) {
          throw new ParseException("expected a digit in the exponent", pos);
        }
      }
      String literal = text.substring(start, pos);
      if (integral) {
        try {
          return Long.parseLong(literal);
        } catch (NumberFormatException tooLarge) {
          // Beyond long range: fall through to a double, as JavaScript would.
        }
      }
      return Double.parseDouble(literal);
    }

    private int skipDigits() {
      int start = pos;
      while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
        pos++;
      }
      return pos - start;
    }

    private Object literal(String word, Object value) {
      if (!text.startsWith(word, pos)) {
        throw new ParseException("expected '" + word + "'", pos);
      }
      pos += word.length();
      return value;
    }

    private void expect(char c) {
      if (peek() != c) {
        throw new ParseException("expected '" + c + "'", pos);
      }
      pos++;
    }

    private char peek() {
      if (pos >= text.length()) {
        throw new ParseException("unexpected end of input", pos);
      }
      return text.charAt(pos);
    }

    private char peekOrEnd() {
      return pos < text.length() ? text.charAt(pos) : '\0';
    }

    void skipWhitespace() {
      while (pos < text.length()) {
        char c = text.charAt(pos);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
          return;
        }
        pos++;
      }
    }
  }
}
