package dynamo.obs.agent.frontend;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Finds a few fields in a JSON document as its bytes pass, without building or buffering the
 * document: memory is bounded by the nesting depth and by the capture limits below, whatever the
 * size of the input. Fields are dotted key paths in which arrays are transparent
 * ({@code choices.delta.content} matches {@code {"choices":[{"delta":{"content":"…"}}]}}).
 * Invalid JSON stops the scan silently; the application's bytes are never changed.
 */
public final class JsonFieldScanner {

  /** Receives the values of the fields of interest, identified by their index in the path list. */
  public interface Listener {
    /** A string value; {@code value} holds at most {@link #MAX_CAPTURE} bytes of it. */
    void onString(int field, String value, int length);

    void onNumber(int field, double value);

    void onBoolean(int field, boolean value);
  }

  public static final int MAX_CAPTURE = 256;
  private static final int MAX_KEY = 64;
  /** Deeper documents stop the scan (the fields we look for are never that deep). */
  private static final int MAX_DEPTH = 512;

  /** A compiled set of paths: a trie of keys. */
  public static final class Fields {
    final Node root = new Node();

    public Fields(String... paths) {
      for (int i = 0; i < paths.length; i++) {
        Node n = root;
        for (String key : paths[i].split("\\.")) {
          n = n.children.computeIfAbsent(key, k -> new Node());
        }
        n.field = i;
      }
    }
  }

  static final class Node {
    final Map<String, Node> children = new HashMap<>(4);
    int field = -1;
  }

  // tokenizer states
  private static final int VALUE = 0;
  private static final int AFTER_VALUE = 1;
  private static final int KEY_OR_END = 2; // after '{'
  private static final int KEY = 3; // after ','
  private static final int COLON = 4;
  private static final int STRING = 5;
  private static final int STRING_ESCAPE = 6;
  private static final int STRING_UNICODE = 7;
  private static final int NUMBER = 8;
  private static final int LITERAL = 9;
  private static final int DONE = 10;
  private static final int ERROR = 11;
  private static final int VALUE_OR_END = 12; // after '['

  private final Fields fields;
  private final Listener listener;
  // nesting stacks, grown on demand: the documents we scan are a few levels deep
  private boolean[] isObject = new boolean[8];
  private Node[] nodes = new Node[8];
  private int depth; // number of open containers
  private int state = VALUE;
  private Node valueNode; // trie node of the value about to start (null: not of interest)

  private boolean stringIsKey;
  private byte[] capture = new byte[32];
  private int captured;
  private int stringLength;
  private boolean keyUsable;
  private int unicodeDigits;
  private int unicodeValue;

  private final StringBuilder token = new StringBuilder(24);

  public JsonFieldScanner(Fields fields, Listener listener) {
    this.fields = fields;
    this.listener = listener;
    this.valueNode = fields.root;
  }

  /** Ready for a new document (used per server-sent event). */
  public void reset() {
    depth = 0;
    state = VALUE;
    valueNode = fields.root;
    token.setLength(0);
  }

  public boolean failed() {
    return state == ERROR;
  }

  public void feed(byte[] b, int off, int len) {
    int end = off + len;
    for (int i = off; i < end && state != ERROR; i++) {
      step(b[i]);
    }
  }

  /** Marks the end of input: a trailing top-level number or literal is complete now. */
  public void finish() {
    if (state == NUMBER || state == LITERAL) {
      endToken();
    }
  }

  private void step(byte c) {
    switch (state) {
      case STRING:
        stringByte(c);
        return;
      case STRING_ESCAPE:
        escapeByte(c);
        return;
      case STRING_UNICODE:
        unicodeByte(c);
        return;
      case NUMBER:
      case LITERAL:
        if (c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '.' || c == '-' || c == '+' || c == 'E') {
          if (token.length() < 40) {
            token.append((char) c);
          }
          return;
        }
        endToken();
        if (state == ERROR) {
          return;
        }
        step(c); // the delimiter
        return;
      default:
        break;
    }
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      return;
    }
    switch (state) {
      case VALUE:
      case VALUE_OR_END:
        if (state == VALUE_OR_END && c == ']') {
          close();
          return;
        }
        startValue(c);
        return;
      case AFTER_VALUE:
        if (c == ',') {
          if (depth == 0) {
            state = ERROR;
          } else if (currentIsObject()) {
            state = KEY;
          } else {
            state = VALUE;
            valueNode = currentNode();
          }
        } else if (c == '}' && depth > 0 && currentIsObject()) {
          close();
        } else if (c == ']' && depth > 0 && !currentIsObject()) {
          close();
        } else {
          state = ERROR;
        }
        return;
      case KEY_OR_END:
        if (c == '}') {
          close();
          return;
        }
        // fall through
      case KEY:
        if (c != '"') {
          state = ERROR;
          return;
        }
        beginString(true);
        return;
      case COLON:
        if (c != ':') {
          state = ERROR;
          return;
        }
        state = VALUE;
        return;
      case DONE:
        state = ERROR; // trailing data: not one document
        return;
      default:
        state = ERROR;
    }
  }

  private void startValue(byte c) {
    switch (c) {
      case '{':
        open(true);
        return;
      case '[':
        open(false);
        return;
      case '"':
        beginString(false);
        return;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          token.setLength(0);
          token.append((char) c);
          state = NUMBER;
        } else if (c == 't' || c == 'f' || c == 'n') {
          token.setLength(0);
          token.append((char) c);
          state = LITERAL;
        } else {
          state = ERROR;
        }
    }
  }

  private void open(boolean object) {
    if (depth == MAX_DEPTH) {
      state = ERROR;
      return;
    }
    Node n = valueNode;
    if (depth == isObject.length) {
      isObject = java.util.Arrays.copyOf(isObject, depth * 2);
      nodes = java.util.Arrays.copyOf(nodes, depth * 2);
    }
    isObject[depth] = object;
    nodes[depth] = n;
    depth++;
    if (object) {
      state = KEY_OR_END;
    } else {
      state = VALUE_OR_END;
      valueNode = n; // arrays are transparent
    }
  }

  private void close() {
    depth--;
    afterValue();
  }

  private void afterValue() {
    state = depth == 0 ? DONE : AFTER_VALUE;
  }

  private boolean currentIsObject() {
    return isObject[depth - 1];
  }

  private Node currentNode() {
    return nodes[depth - 1];
  }

  private void beginString(boolean key) {
    stringIsKey = key;
    captured = 0;
    stringLength = 0;
    keyUsable = true;
    state = STRING;
  }

  private void stringByte(byte c) {
    if (c == '"') {
      endString();
    } else if (c == '\\') {
      state = STRING_ESCAPE;
    } else if ((c & 0xff) < 0x20) {
      state = ERROR;
    } else {
      if (stringIsKey && (c & 0x80) != 0) {
        keyUsable = false;
      }
      keep(c);
    }
  }

  private void escapeByte(byte c) {
    state = STRING;
    switch (c) {
      case '"':
      case '\\':
      case '/':
        keep(c);
        return;
      case 'b':
        keep((byte) 8);
        return;
      case 'f':
        keep((byte) 12);
        return;
      case 'n':
        keep((byte) '\n');
        return;
      case 'r':
        keep((byte) '\r');
        return;
      case 't':
        keep((byte) '\t');
        return;
      case 'u':
        state = STRING_UNICODE;
        unicodeDigits = 0;
        unicodeValue = 0;
        return;
      default:
        state = ERROR;
    }
  }

  private void unicodeByte(byte c) {
    int d = Character.digit(c, 16);
    if (d < 0) {
      state = ERROR;
      return;
    }
    unicodeValue = unicodeValue * 16 + d;
    if (++unicodeDigits == 4) {
      state = STRING;
      if (stringIsKey) {
        keyUsable = false;
      }
      byte[] utf8 = String.valueOf((char) unicodeValue).getBytes(StandardCharsets.UTF_8);
      for (byte u : utf8) {
        keep(u);
      }
    }
  }

  private void keep(byte c) {
    stringLength++;
    int limit = stringIsKey ? MAX_KEY : MAX_CAPTURE;
    if (captured < limit) {
      if (captured == capture.length) {
        capture = java.util.Arrays.copyOf(capture, Math.min(limit, captured * 2));
      }
      capture[captured++] = c;
    } else if (stringIsKey) {
      keyUsable = false;
    }
  }

  private void endString() {
    if (stringIsKey) {
      Node parent = currentNode();
      valueNode = null;
      if (parent != null && keyUsable && !parent.children.isEmpty()) {
        valueNode = parent.children.get(new String(capture, 0, captured, StandardCharsets.ISO_8859_1));
      }
      state = COLON;
      return;
    }
    Node n = valueNode;
    if (n != null && n.field >= 0) {
      listener.onString(n.field, new String(capture, 0, captured, StandardCharsets.UTF_8), stringLength);
    }
    afterValue();
  }

  private void endToken() {
    Node n = valueNode;
    String t = token.toString();
    if (state == LITERAL) {
      if (!(t.equals("true") || t.equals("false") || t.equals("null"))) {
        state = ERROR;
        return;
      }
      if (n != null && n.field >= 0 && !t.equals("null")) {
        listener.onBoolean(n.field, t.equals("true"));
      }
    } else {
      double v;
      try {
        v = Double.parseDouble(t);
      } catch (NumberFormatException e) {
        state = ERROR;
        return;
      }
      if (n != null && n.field >= 0) {
        listener.onNumber(n.field, v);
      }
    }
    token.setLength(0);
    afterValue();
  }
}
