package dynamo.obs.it.ecosystem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A strict reader for the block-style YAML subset our files use (no YAML library on this classpath):
 * mappings, sequences (also of mappings, and "key:" followed by a sequence at the same indent),
 * plain, single- and double-quoted scalars, one-line flow collections ({@code [a, b]}, {@code {a: b}}),
 * comments and {@code ---} document separators. Anything else — block scalars, anchors, aliases, tags,
 * tabs in indentation, duplicate keys — is an error rather than a silent misreading.
 *
 * <p>Plain scalars are resolved as Kubernetes (YAML 1.1) and Compose read them: {@code true/false/yes/
 * no/on/off} → {@link Boolean}, {@code null}, {@code ~} and empty → null, integers → {@link Long}, decimals →
 * {@link Double}; quoted scalars are always {@link String}s. Mappings keep their order.
 */
final class Yaml {
  private static final Pattern INT = Pattern.compile("[-+]?(0|[1-9][0-9_]*)|0x[0-9a-fA-F]+|0o[0-7]+");
  private static final Pattern FLOAT = Pattern.compile("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  private static final Pattern BOOL = Pattern.compile("(?i)true|false|yes|no|on|off|y|n");

  private record Line(int number, int indent, String text) {}

  private final List<Line> lines;
  private final String source;
  private int pos;

  private Yaml(List<Line> lines, String source) {
    this.lines = lines;
    this.source = source;
  }

  /** All documents of the text ({@code ---} separated); empty documents are skipped. */
  static List<Object> parseAll(String text, String source) {
    List<Object> docs = new ArrayList<>();
    List<Line> current = new ArrayList<>();
    String[] raw = text.split("\r?\n", -1);
    for (int n = 0; n < raw.length; n++) {
      String line = raw[n];
      if (line.equals("---") || line.startsWith("--- ") || line.startsWith("---\t")) {
        addDocument(docs, current, source);
        current = new ArrayList<>();
        continue;
      }
      if (line.equals("...")) {
        continue;
      }
      int indent = 0;
      while (indent < line.length() && line.charAt(indent) == ' ') {
        indent++;
      }
      String content = stripComment(line.substring(indent), n + 1, source).stripTrailing();
      if (content.isEmpty()) {
        continue;
      }
      if (content.charAt(0) == '\t') {
        throw new IllegalArgumentException(source + ":" + (n + 1) + ": tab in indentation");
      }
      current.add(new Line(n + 1, indent, content));
    }
    addDocument(docs, current, source);
    return docs;
  }

  /** The one document of the text. */
  static Object parse(String text, String source) {
    List<Object> docs = parseAll(text, source);
    if (docs.size() != 1) {
      throw new IllegalArgumentException(source + ": expected one YAML document, found " + docs.size());
    }
    return docs.get(0);
  }

  private static void addDocument(List<Object> docs, List<Line> lines, String source) {
    if (lines.isEmpty()) {
      return;
    }
    Yaml y = new Yaml(lines, source);
    Object doc = y.block(lines.get(0).indent());
    if (y.pos != lines.size()) {
      throw y.error(lines.get(y.pos), "unexpected indentation");
    }
    docs.add(doc);
  }

  // ------------------------------------------------------------------ blocks

  private Object block(int indent) {
    Line first = lines.get(pos);
    if (first.indent() != indent) {
      throw error(first, "expected indentation " + indent);
    }
    return isItem(first.text()) ? sequence(indent) : mapping(indent);
  }

  private static boolean isItem(String text) {
    return text.equals("-") || text.startsWith("- ");
  }

  private List<Object> sequence(int indent) {
    List<Object> items = new ArrayList<>();
    while (pos < lines.size() && lines.get(pos).indent() == indent && isItem(lines.get(pos).text())) {
      Line line = lines.get(pos);
      String rest = line.text().substring(1);
      int offset = 1;
      while (offset < line.text().length() && line.text().charAt(offset) == ' ') {
        offset++;
      }
      rest = line.text().substring(offset);
      if (rest.isEmpty()) {
        pos++;
        if (pos < lines.size() && lines.get(pos).indent() > indent) {
          items.add(block(lines.get(pos).indent()));
        } else {
          items.add(null);
        }
      } else if (keyEnd(rest) >= 0 && !rest.startsWith("[") && !rest.startsWith("{")) {
        // "- key: value" starts a mapping whose keys sit at the column of "key"
        lines.set(pos, new Line(line.number(), indent + offset, rest));
        items.add(mapping(indent + offset));
      } else if (isItem(rest)) {
        lines.set(pos, new Line(line.number(), indent + offset, rest));
        items.add(sequence(indent + offset));
      } else {
        pos++;
        items.add(scalarOrFlow(rest, line));
      }
    }
    return items;
  }

  private Map<String, Object> mapping(int indent) {
    Map<String, Object> map = new LinkedHashMap<>();
    while (pos < lines.size() && lines.get(pos).indent() == indent && !isItem(lines.get(pos).text())) {
      Line line = lines.get(pos);
      int colon = keyEnd(line.text());
      if (colon < 0) {
        throw error(line, "expected \"key: value\"");
      }
      String key = key(line.text().substring(0, colon).trim(), line);
      String value = line.text().substring(colon + 1).trim();
      if (map.containsKey(key)) {
        throw error(line, "duplicate key \"" + key + "\"");
      }
      pos++;
      Object v;
      if (value.isEmpty()) {
        if (pos < lines.size() && lines.get(pos).indent() > indent) {
          v = block(lines.get(pos).indent());
        } else if (pos < lines.size() && lines.get(pos).indent() == indent && isItem(lines.get(pos).text())) {
          v = sequence(indent);
        } else {
          v = null;
        }
      } else {
        v = scalarOrFlow(value, line);
      }
      map.put(key, v);
    }
    if (pos < lines.size() && lines.get(pos).indent() > indent) {
      throw error(lines.get(pos), "unexpected indentation");
    }
    return map;
  }

  /** Index of the ':' that ends a mapping key (followed by space or end of line, outside quotes), or -1. */
  private static int keyEnd(String text) {
    char quote = 0;
    if (text.startsWith("\"") || text.startsWith("'")) {
      quote = text.charAt(0);
      int close = text.indexOf(quote, 1);
      while (quote == '\'' && close >= 0 && close + 1 < text.length() && text.charAt(close + 1) == '\'') {
        close = text.indexOf(quote, close + 2);
      }
      if (close < 0) {
        return -1;
      }
      int after = close + 1;
      return after < text.length() && text.charAt(after) == ':'
          && (after + 1 == text.length() || text.charAt(after + 1) == ' ') ? after : -1;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == ':' && (i + 1 == text.length() || text.charAt(i + 1) == ' ')) {
        return i;
      }
      if (i == 0 && (c == '[' || c == '{')) {
        return -1;
      }
    }
    return -1;
  }

  private String key(String raw, Line line) {
    if (raw.startsWith("\"") || raw.startsWith("'")) {
      Object k = new Flow(raw, line).value();
      return String.valueOf(k);
    }
    if (raw.isEmpty() || raw.startsWith("?") || raw.startsWith("&") || raw.startsWith("*") || raw.startsWith("!")) {
      throw error(line, "unsupported key \"" + raw + "\"");
    }
    return raw;
  }

  private Object scalarOrFlow(String text, Line line) {
    char c = text.charAt(0);
    if (c == '|' || c == '>') {
      throw error(line, "block scalars are not supported");
    }
    if (c == '&' || c == '*' || c == '!') {
      throw error(line, "anchors, aliases and tags are not supported");
    }
    Flow f = new Flow(text, line);
    Object v = f.value();
    f.ws();
    if (f.i != text.length()) {
      throw error(line, "unexpected text after the value: \"" + text.substring(f.i) + "\"");
    }
    return v;
  }

  /** One line's inline value: a quoted or plain scalar, or a flow collection. */
  private final class Flow {
    final String s;
    final Line line;
    int i;
    int depth;

    Flow(String s, Line line) {
      this.s = s;
      this.line = line;
    }

    void ws() {
      while (i < s.length() && s.charAt(i) == ' ') {
        i++;
      }
    }

    Object value() {
      ws();
      if (i >= s.length()) {
        return null;
      }
      char c = s.charAt(i);
      if (c == '[') {
        return list();
      }
      if (c == '{') {
        return map();
      }
      if (c == '"') {
        return doubleQuoted();
      }
      if (c == '\'') {
        return singleQuoted();
      }
      return plain();
    }

    List<Object> list() {
      List<Object> l = new ArrayList<>();
      i++;
      depth++;
      ws();
      if (i < s.length() && s.charAt(i) == ']') {
        i++;
        depth--;
        return l;
      }
      while (true) {
        l.add(value());
        ws();
        if (i >= s.length()) {
          throw error(line, "unterminated flow sequence (multi-line flow is not supported)");
        }
        char c = s.charAt(i++);
        if (c == ']') {
          depth--;
          return l;
        }
        if (c != ',') {
          throw error(line, "',' or ']' expected in a flow sequence");
        }
        ws();
      }
    }

    Map<String, Object> map() {
      Map<String, Object> m = new LinkedHashMap<>();
      i++;
      depth++;
      ws();
      if (i < s.length() && s.charAt(i) == '}') {
        i++;
        depth--;
        return m;
      }
      while (true) {
        ws();
        int colon = s.indexOf(':', i);
        if (colon < 0) {
          throw error(line, "':' expected in a flow mapping");
        }
        String k = s.substring(i, colon).trim();
        i = colon + 1;
        Object v = value();
        m.put(k, v);
        ws();
        if (i >= s.length()) {
          throw error(line, "unterminated flow mapping");
        }
        char c = s.charAt(i++);
        if (c == '}') {
          depth--;
          return m;
        }
        if (c != ',') {
          throw error(line, "',' or '}' expected in a flow mapping");
        }
      }
    }

    String doubleQuoted() {
      StringBuilder sb = new StringBuilder();
      i++;
      while (i < s.length()) {
        char c = s.charAt(i++);
        if (c == '"') {
          return sb.toString();
        }
        if (c == '\\' && i < s.length()) {
          char e = s.charAt(i++);
          switch (e) {
            case 'n': sb.append('\n'); break;
            case 't': sb.append('\t'); break;
            case '"': sb.append('"'); break;
            case '\\': sb.append('\\'); break;
            case '/': sb.append('/'); break;
            default: throw error(line, "unsupported escape \\" + e);
          }
        } else {
          sb.append(c);
        }
      }
      throw error(line, "unterminated double-quoted string");
    }

    String singleQuoted() {
      StringBuilder sb = new StringBuilder();
      i++;
      while (i < s.length()) {
        char c = s.charAt(i++);
        if (c == '\'') {
          if (i < s.length() && s.charAt(i) == '\'') {
            sb.append('\'');
            i++;
            continue;
          }
          return sb.toString();
        }
        sb.append(c);
      }
      throw error(line, "unterminated single-quoted string");
    }

    Object plain() {
      int start = i;
      while (i < s.length()) {
        char c = s.charAt(i);
        if (depth > 0 && (c == ',' || c == ']' || c == '}')) {
          break;
        }
        if (c == ':' && depth > 0 && (i + 1 == s.length() || s.charAt(i + 1) == ' ')) {
          break;
        }
        i++;
      }
      return resolve(s.substring(start, i).trim());
    }
  }

  /** How Kubernetes and Compose (YAML 1.1 parsers) read a plain scalar. */
  static Object resolve(String plain) {
    if (plain.isEmpty() || plain.equals("~") || plain.equalsIgnoreCase("null")) {
      return null;
    }
    if (BOOL.matcher(plain).matches()) {
      String p = plain.toLowerCase(Locale.ROOT);
      return p.equals("true") || p.equals("yes") || p.equals("on") || p.equals("y");
    }
    if (INT.matcher(plain).matches()) {
      String p = plain.replace("_", "");
      if (p.startsWith("0x")) {
        return Long.parseLong(p.substring(2), 16);
      }
      if (p.startsWith("0o")) {
        return Long.parseLong(p.substring(2), 8);
      }
      return Long.parseLong(p);
    }
    if (FLOAT.matcher(plain).matches()) {
      return Double.parseDouble(plain);
    }
    return plain;
  }

  private static String stripComment(String text, int number, String source) {
    char quote = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        if (c == '\'' && quote == '\'' && i + 1 < text.length() && text.charAt(i + 1) == '\'') {
          i++; // '' is a quote inside a single-quoted scalar
        } else if (c == quote) {
          quote = 0;
        } else if (c == '\\' && quote == '"') {
          i++;
        }
      } else if (c == '"' || c == '\'') {
        if (i == 0 || " [{,:-".indexOf(text.charAt(i - 1)) >= 0) {
          quote = c;
        }
      } else if (c == '#' && (i == 0 || text.charAt(i - 1) == ' ')) {
        return text.substring(0, i);
      }
    }
    return text;
  }

  private IllegalArgumentException error(Line line, String what) {
    return new IllegalArgumentException(source + ":" + line.number() + ": " + what + ": " + line.text());
  }

  // ------------------------------------------------------------------ navigation for tests

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o, String what) {
    if (!(o instanceof Map)) {
      throw new AssertionError(what + " is not a mapping: " + o);
    }
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o, String what) {
    if (!(o instanceof List)) {
      throw new AssertionError(what + " is not a sequence: " + o);
    }
    return (List<Object>) o;
  }

  /** The value at a path of keys ("a", "b") or null when any step is missing. */
  static Object at(Object root, String... path) {
    Object o = root;
    for (String p : path) {
      if (!(o instanceof Map)) {
        return null;
      }
      o = ((Map<?, ?>) o).get(p);
    }
    return o;
  }
}
