package dynamo.obs.agent.frontend;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Finds a few fields in a JSON document as its bytes pass, without building or buffering the
 * document: memory is bounded by the nesting depth and by the capture limits below, whatever the
 * size of the input. Fields are dotted key paths in which arrays are transparent
 * ({@code choices.delta.content} matches {@code {"choices":[{"delta":{"content":"…"}}]}}).
 * Invalid JSON stops the scan silently; the application's bytes are never changed.
 *
 * <p>Why one class of this size: it is one state machine over one set of fields (the tokenizer state, the nesting
 * stacks, the capture buffer), fed a piece at a time on the request path; splitting it would put its hot loop's
 * state behind calls between objects, which the measurements in BENCHMARKS.md rule out.
 */
public final class JsonFieldScanner {

  /** Receives the values of the fields of interest, identified by their index in the path list. */
  public interface Listener {
    /**
     * A string value; {@code value} holds at most {@link #MAX_CAPTURE} bytes of it (null when
     * {@link #wantsValue} said no: then only its length is told, and nothing is allocated).
     */
    void onString(int field, String value, int length);

    /** Whether {@link #onString} needs the value of this field, or its length only. */
    default boolean wantsValue(int field) {
      return true;
    }

    /**
     * A wanted string value's bytes (UTF-8, escapes decoded, at most {@link #MAX_CAPTURE} of them;
     * valid during the call only), before a String is made of them. Returns true when that is all
     * the listener needed: then {@link #onString} is not called and no String is made.
     */
    default boolean onStringBytes(int field, byte[] value, int captured, int length) {
      return false;
    }

    void onNumber(int field, double value);

    void onBoolean(int field, boolean value);
  }

  public static final int MAX_CAPTURE = 256;
  private static final int MAX_KEY = 64;
  /** Deeper documents stop the scan (the fields we look for are never that deep). */
  private static final int MAX_DEPTH = 512;

  /**
   * A compiled set of paths: a trie of keys. A path's index is its field number; a null path keeps
   * its number unused.
   */
  public static final class Fields {
    final Node root = new Node();
    /**
     * Whether the whole document is checked: true (the default), any invalid JSON fails the scan; false,
     * an object or array in which no path can match is passed over by its brackets and strings alone
     * (its numbers, literals, commas and colons unread), and a number or literal no path wants is passed over
     * unjudged, so that a document's uninteresting bulk costs little. For documents whose validity nothing
     * depends on.
     */
    final boolean checksAll;

    public Fields(String... paths) {
      this(true, paths);
    }

    public Fields(boolean checksAll, String... paths) {
      this.checksAll = checksAll;
      for (int i = 0; i < paths.length; i++) {
        if (paths[i] == null) {
          continue;
        }
        Node n = root;
        for (String key : paths[i].split("\\.")) {
          n = n.child(key);
        }
        n.field = i;
      }
    }
  }

  /**
   * A trie node; its children's keys as bytes, so a key read from the input is matched in place. A key is looked
   * up by its length and first byte before its bytes are compared: most keys of a document are none of ours.
   */
  static final class Node {
    byte[][] keys = new byte[0][];
    Node[] next = new Node[0];
    /** Per child: its key's length and first byte, {@code length << 8 | first}. */
    int[] heads = new int[0];
    int field = -1;

    Node child(String key) {
      byte[] k = key.getBytes(StandardCharsets.ISO_8859_1);
      for (int i = 0; i < keys.length; i++) {
        if (Arrays.equals(keys[i], k)) {
          return next[i];
        }
      }
      keys = Arrays.copyOf(keys, keys.length + 1);
      next = Arrays.copyOf(next, next.length + 1);
      heads = Arrays.copyOf(heads, heads.length + 1);
      keys[keys.length - 1] = k;
      next[next.length - 1] = new Node();
      heads[heads.length - 1] = head(k, k.length);
      return next[next.length - 1];
    }

    private static int head(byte[] b, int len) {
      return len << 8 | (len == 0 ? 0 : b[0] & 0xff);
    }

    boolean hasChildren() {
      return keys.length > 0;
    }

    /**
     * The child whose key is {@code b[off, off + len)}, or null. Its bytes are compared in a plain loop: keys are a
     * few bytes long, shorter than what {@code Arrays.equals} on ranges pays to set up.
     */
    Node find(byte[] b, int off, int len) {
      int h = len << 8 | (len == 0 ? 0 : b[off] & 0xff);
      int[] hs = heads;
      for (int i = 0; i < hs.length; i++) {
        if (hs[i] == h && sameBytes(keys[i], b, off, len)) {
          return next[i];
        }
      }
      return null;
    }

    private static boolean sameBytes(byte[] key, byte[] b, int off, int len) {
      for (int k = 1; k < len; k++) {
        if (key[k] != b[off + k]) {
          return false;
        }
      }
      return true;
    }
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
  private static final int SKIP = 13; // inside an object or array passed over (Fields.checksAll false)
  private static final int SKIP_TOKEN = 14; // a number or literal no field wants, passed over (Fields.checksAll false)

  private Fields fields;
  private Listener listener;
  // nesting stacks, grown on demand: the documents we scan are a few levels deep
  private boolean[] isObject = new boolean[8];
  private Node[] nodes = new Node[8];
  private int depth; // number of open containers
  private int state = VALUE;
  private Node valueNode; // trie node of the value about to start (null: not of interest)

  private boolean stringIsKey;
  /** Whether the string's bytes are kept: a key that may be looked up, or a value whose text is wanted. */
  private boolean capturing;
  /**
   * A string's kept bytes; between strings, a number's or literal's (only one of them is read at a time,
   * so one array serves both, at least {@link #MAX_TOKEN} long).
   */
  private byte[] capture = new byte[MAX_TOKEN];
  private int captured;
  private int stringLength;
  private boolean keyUsable;
  private int unicodeDigits;
  private int unicodeValue;
  /** The UTF-8 bytes of a unicode escape (made at the first one). */
  private byte[] escaped;

  // the object or array being passed over: its open brackets, and whether in a string, after its backslash
  private int skipDepth;
  private boolean skipString;
  private boolean skipEscape;

  /** The length of the number or literal being read, kept in {@link #capture} (longer ones than MAX_TOKEN are passed over). */
  private int tokenLength;
  private static final int MAX_TOKEN = 40;

  // the beginning of the last document that reached a field, and the state there ({@link #rememberPrefixes})
  private boolean prefixes;
  /** No byte of the current document was fed yet. */
  private boolean fresh = true;
  /** Where in the array being fed the current document began, while its beginning may still be remembered; else -1. */
  private int memoFrom = -1;
  private byte[] memo;
  /** How many bytes of {@link #memo} are the remembered beginning (0: none). */
  private int memoLength;
  private int memoDepth;
  private boolean[] memoIsObject;
  private Node[] memoNodes;
  private int memoState;
  private Node memoValueNode;
  /** Longer beginnings are not remembered. */
  private static final int MAX_MEMO = 512;

  public JsonFieldScanner(Fields fields, Listener listener) {
    this.fields = fields;
    this.listener = listener;
    this.valueNode = fields.root;
  }

  /** Ready for a new document of other fields, for another listener: one scanner serves a request and then its response. */
  public void reuse(Fields fields, Listener listener) {
    this.fields = fields;
    this.listener = listener;
    prefixes = false;
    memoLength = 0;
    reset();
  }

  /**
   * The documents that follow begin alike (the events of one stream: each {@code chat.completion.chunk} begins with
   * the same id, object, creation time, model and path to its text): the bytes of a document up to the first value of
   * a field are remembered with the scan's state there, and a document that begins with exactly those bytes goes on
   * from that state without reading them again. Nothing is told the listener before a field's value, so the scan and
   * what it tells are the same.
   */
  public void rememberPrefixes() {
    prefixes = true;
  }

  /** Ready for a new document (used per server-sent event). */
  public void reset() {
    fresh = true;
    depth = 0;
    state = VALUE;
    valueNode = fields.root;
    tokenLength = 0;
    skipDepth = 0;
    skipString = false;
    skipEscape = false;
  }

  public boolean failed() {
    return state == ERROR;
  }

  /**
   * Whether the bytes so far are exactly one whole JSON document (call {@link #finish} first): false for a
   * document cut short ({@code {"model":"m","messages":[} with no end), for no input at all, and after a failure.
   */
  public boolean complete() {
    return state == DONE;
  }

  public void feed(byte[] b, int off, int len) {
    int end = off + len;
    int i = off;
    memoFrom = -1;
    if (fresh) {
      fresh = false;
      if (prefixes) {
        i = documentStart(b, off, end);
      }
    }
    if (state == SKIP) {
      i = skip(b, i, end); // the rest of what the last bytes were passing over
    }
    while (i < end) {
      int st = state;
      if (st == STRING) {
        int j = plainRun(b, i, end);
        if (j > i) {
          keepRun(b, i, j - i);
        }
        if (j == end) {
          return;
        }
        stringByte(b[j]);
        i = j + 1;
        continue;
      }
      if (st == NUMBER || st == LITERAL || st == SKIP_TOKEN) {
        // the rest of a number or literal in one go; the byte after it is then read as structure
        int j = i;
        while (j < end && TOKEN[b[j] & 0xff]) {
          j++;
        }
        if (st == SKIP_TOKEN) {
          if (j == end) {
            return;
          }
          afterValue();
        } else {
          keepToken(b, i, j - i);
          if (j == end) {
            return;
          }
          endToken();
        }
        i = j;
        st = state;
      } else if (st == STRING_ESCAPE) {
        escapeByte(b[i++]);
        continue;
      } else if (st == STRING_UNICODE) {
        unicodeByte(b[i++]);
        continue;
      }
      if (st == ERROR) {
        return;
      }
      byte c = b[i++];
      if (WHITESPACE[c & 0xff]) {
        continue;
      }
      // the commonest structure first, each with one test
      if (c == '"' && (st == KEY || st == KEY_OR_END)) {
        i = key(b, i, end);
      } else if (c == '"' && (st == VALUE || st == VALUE_OR_END)) {
        if (memoFrom >= 0) {
          remember(b, i - 1);
        }
        i = stringValue(b, i, end);
      } else if (c == ':' && st == COLON) {
        state = VALUE;
      } else if (c == ',' && st == AFTER_VALUE && depth > 0) {
        if (isObject[depth - 1]) {
          state = KEY;
        } else {
          state = VALUE;
          valueNode = nodes[depth - 1];
        }
      } else {
        if (memoFrom >= 0 && (st == VALUE || st == VALUE_OR_END)) {
          remember(b, i - 1);
        }
        structure(c);
        if (state == SKIP) {
          i = skip(b, i, end); // an object or array no field can be in: passed over here, off the loop's path
        }
      }
    }
  }

  /**
   * A document's first bytes, from {@code off}: when they begin with the remembered beginning, the scan's state after
   * it is restored and the index after it returned; else the document's beginning may be remembered ({@link #remember}).
   */
  private int documentStart(byte[] b, int off, int end) {
    int n = memoLength;
    if (n > 0 && end - off >= n && Arrays.equals(b, off, off + n, memo, 0, n)) {
      int d = memoDepth;
      if (d > isObject.length) {
        isObject = Arrays.copyOf(isObject, memoIsObject.length);
        nodes = Arrays.copyOf(nodes, memoNodes.length);
      }
      System.arraycopy(memoIsObject, 0, isObject, 0, d);
      Node[] to = nodes;
      for (int k = 0; k < d; k++) {
        // the last event walked the same path, so these are mostly its nodes already: a reference array's copy
        // calls into the VM for the collector's card marks (G1's write_ref_array_post), a compare does not
        Node node = memoNodes[k];
        if (to[k] != node) {
          to[k] = node;
        }
      }
      depth = d;
      state = memoState;
      valueNode = memoValueNode;
      return off + n;
    }
    memoFrom = off;
    return off;
  }

  /**
   * A value begins at {@code at}, in the document's first feed (the state is still as before its first byte): if it
   * is a field's, the first of this document, the document's bytes up to it and the state are remembered.
   */
  private void remember(byte[] b, int at) {
    Node n = valueNode;
    if (n == null || n.field < 0) {
      return;
    }
    int length = at - memoFrom;
    if (length <= MAX_MEMO) {
      if (memo == null || memo.length < length) {
        memo = new byte[length];
      }
      System.arraycopy(b, memoFrom, memo, 0, length);
      if (memoIsObject == null || memoIsObject.length < depth) {
        memoIsObject = new boolean[depth];
        memoNodes = new Node[depth];
      }
      System.arraycopy(isObject, 0, memoIsObject, 0, depth);
      System.arraycopy(nodes, 0, memoNodes, 0, depth);
      memoDepth = depth;
      memoState = state;
      memoValueNode = n;
      memoLength = length;
    }
    memoFrom = -1;
  }

  /**
   * A key from {@code i} (after its opening quote). When it ends in these bytes without an escape (nearly every key),
   * it is looked up where it lies, neither copied nor decoded; else it is read byte by byte like any string.
   */
  private int key(byte[] b, int i, int end) {
    int j = plainRun(b, i, end);
    if (j < end && b[j] == '"') {
      Node parent = nodes[depth - 1];
      // longer than MAX_KEY: not looked up, as when read byte by byte
      valueNode = parent != null && parent.hasChildren() && j - i <= MAX_KEY ? parent.find(b, i, j - i) : null;
      if (j + 1 < end && b[j + 1] == ':') {
        state = VALUE; // the colon right after the key, as nearly always
        return j + 2;
      }
      state = COLON;
      return j + 1;
    }
    beginString(true);
    return i;
  }

  /**
   * A string value from {@code i} (after its opening quote). One no field wants, or whose text is not wanted, that
   * ends in these bytes without an escape is passed over to its closing quote at once; else it is read byte by byte.
   */
  private int stringValue(byte[] b, int i, int end) {
    Node n = valueNode;
    boolean field = n != null && n.field >= 0;
    if (!field || !listener.wantsValue(n.field)) {
      int j = plainRun(b, i, end);
      if (j < end && b[j] == '"') {
        if (field) {
          listener.onString(n.field, null, j - i);
        }
        afterValue();
        return j + 1;
      }
    }
    beginString(false);
    return i;
  }

  /**
   * The end of a string's plain run starting at {@code i}: the index of its first quote, backslash or
   * control byte, or {@code end}. Eight bytes at a time (the first stop byte of a word found at once), the last
   * few byte by byte.
   */
  private static int plainRun(byte[] b, int i, int end) {
    int j = i;
    while (j <= end - 8) {
      int k = firstStop((long) LONGS.get(b, j));
      if (k < 8) {
        return j + k;
      }
      j += 8;
    }
    while (j < end && !STRING_STOP[b[j] & 0xff]) {
      j++;
    }
    return j;
  }

  /**
   * Passes over the object or array being skipped, from {@code i}: counts its brackets outside strings
   * until the one that closes it, then goes on after it as after any value. Returns where it stopped.
   */
  private int skip(byte[] b, int i, int end) {
    int d = skipDepth;
    boolean inString = skipString;
    boolean escape = skipEscape;
    while (i < end) {
      if (escape) {
        escape = false;
        i++;
      } else if (inString) {
        int j = plainRun(b, i, end);
        if (j == end) {
          i = end;
        } else {
          byte c = b[j];
          i = j + 1;
          if (c == '"') {
            inString = false;
          } else if (c == '\\') {
            escape = true;
          } // a control byte: not JSON, but not this scan's to judge
        }
      } else {
        int k = SKIP_CLASS[b[i++] & 0xff];
        if (k == SKIP_QUOTE) {
          inString = true;
        } else if (k == SKIP_OPEN) {
          d++;
        } else if (k == SKIP_CLOSE && --d == 0) {
          skipString = false;
          skipEscape = false;
          skipDepth = 0;
          afterValue();
          return i;
        }
      }
    }
    skipDepth = d;
    skipString = inString;
    skipEscape = escape;
    return i;
  }

  private static final byte SKIP_QUOTE = 1;
  private static final byte SKIP_OPEN = 2;
  private static final byte SKIP_CLOSE = 3;
  /** What a byte outside strings is to {@link #skip}: a quote, an opening or a closing bracket, or nothing. */
  private static final byte[] SKIP_CLASS = new byte[256];

  private static final VarHandle LONGS = MethodHandles
      .byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  /**
   * Which of eight bytes (a little-endian word) is the first quote, backslash or control byte, 8 if none: the
   * classic test for a zero byte, {@code (x - 0x01…) & ~x & 0x80…}, of the word xor each of the first two, and
   * its less-than form for bytes below 0x20. The lowest byte it flags is exact (a false flag needs a borrow from
   * a true one below it).
   */
  static int firstStop(long w) {
    long quote = w ^ (ONES * '"');
    long backslash = w ^ (ONES * '\\');
    long flags = (((quote - ONES) & ~quote) | ((backslash - ONES) & ~backslash) | ((w - ONES * 0x20) & ~w)) & HIGHS;
    return Long.numberOfTrailingZeros(flags) >>> 3;
  }

  /** Bytes that end a string's plain run: a quote, a backslash, a control byte. */
  static final boolean[] STRING_STOP = new boolean[256];
  /** Bytes that continue a number or literal (anything else ends it, and is judged on its own). */
  private static final boolean[] TOKEN = new boolean[256];

  /** JSON's whitespace, between tokens. */
  private static final boolean[] WHITESPACE = new boolean[256];

  static {
    WHITESPACE[' '] = true;
    WHITESPACE['\n'] = true;
    WHITESPACE['\r'] = true;
    WHITESPACE['\t'] = true;
    for (int c = 0; c < 0x20; c++) {
      STRING_STOP[c] = true;
    }
    STRING_STOP['"'] = true;
    STRING_STOP['\\'] = true;
    SKIP_CLASS['"'] = SKIP_QUOTE;
    SKIP_CLASS['{'] = SKIP_OPEN;
    SKIP_CLASS['['] = SKIP_OPEN;
    SKIP_CLASS['}'] = SKIP_CLOSE;
    SKIP_CLASS[']'] = SKIP_CLOSE;
    for (int c = 0; c < 256; c++) {
      TOKEN[c] = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '.' || c == '-' || c == '+' || c == 'E';
    }
  }

  /** {@code n} more bytes of a number or literal: the first {@link #MAX_TOKEN} kept, all counted. */
  private void keepToken(byte[] b, int off, int n) {
    int room = MAX_TOKEN - tokenLength;
    if (room > 0) {
      System.arraycopy(b, off, capture, tokenLength, Math.min(room, n));
    }
    tokenLength += n;
  }

  /** Marks the end of input: a trailing top-level number or literal is complete now. */
  public void finish() {
    if (state == NUMBER || state == LITERAL) {
      endToken();
    } else if (state == SKIP_TOKEN) {
      afterValue();
    }
  }

  /** A byte of structure (not whitespace) outside strings, numbers and literals. */
  private void structure(byte c) {
    switch (state) {
      case VALUE :
      case VALUE_OR_END :
        if (state == VALUE_OR_END && c == ']') {
          close();
          return;
        }
        startValue(c);
        return;
      case AFTER_VALUE :
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
      case KEY_OR_END :
        if (c == '}') {
          close();
          return;
        }
        // fall through
      case KEY :
        if (c != '"') {
          state = ERROR;
          return;
        }
        beginString(true);
        return;
      case COLON :
        if (c != ':') {
          state = ERROR;
          return;
        }
        state = VALUE;
        return;
      case DONE :
        state = ERROR; // trailing data: not one document
        return;
      default :
        state = ERROR;
    }
  }

  private void startValue(byte c) {
    switch (c) {
      case '{' :
        open(true);
        return;
      case '[' :
        open(false);
        return;
      case '"' :
        beginString(false);
        return;
      default :
        if (!fields.checksAll && (valueNode == null || valueNode.field < 0) && TOKEN[c & 0xff]) {
          state = SKIP_TOKEN; // no field wants it: passed over unread, whatever it is
        } else if (c == '-' || (c >= '0' && c <= '9')) {
          capture[0] = c;
          tokenLength = 1;
          state = NUMBER;
        } else if (c == 't' || c == 'f' || c == 'n') {
          capture[0] = c;
          tokenLength = 1;
          state = LITERAL;
        } else {
          state = ERROR;
        }
    }
  }

  private void open(boolean object) {
    Node n = valueNode;
    if (!fields.checksAll && (n == null || !n.hasChildren() && (object || n.field < 0))) {
      // no path goes through this object or array (an array's items are its key's values, so it is read when
      // that key is a field): passed over (it may be nested deeper than MAX_DEPTH)
      skipDepth = 1;
      state = SKIP;
      return;
    }
    if (depth == MAX_DEPTH) {
      state = ERROR;
      return;
    }
    if (depth == isObject.length) {
      isObject = Arrays.copyOf(isObject, depth * 2);
      nodes = Arrays.copyOf(nodes, depth * 2);
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
    if (key) {
      Node parent = currentNode();
      capturing = parent != null && parent.hasChildren();
    } else {
      Node n = valueNode;
      capturing = n != null && n.field >= 0 && listener.wantsValue(n.field);
    }
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
      case '"' :
      case '\\' :
      case '/' :
        keep(c);
        return;
      case 'b' :
        keep((byte) 8);
        return;
      case 'f' :
        keep((byte) 12);
        return;
      case 'n' :
        keep((byte) '\n');
        return;
      case 'r' :
        keep((byte) '\r');
        return;
      case 't' :
        keep((byte) '\t');
        return;
      case 'u' :
        state = STRING_UNICODE;
        unicodeDigits = 0;
        unicodeValue = 0;
        return;
      default :
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
      if (escaped == null) {
        escaped = new byte[Utf8.MAX_BYTES];
      }
      int n = Utf8.put(unicodeValue, escaped, 0); // half of a surrogate pair becomes '?'
      for (int i = 0; i < n; i++) {
        keep(escaped[i]);
      }
    }
  }

  /** {@code n} plain bytes of a string (no quote, backslash or control byte among them). */
  private void keepRun(byte[] b, int off, int n) {
    stringLength += n;
    if (!capturing) {
      return;
    }
    if (stringIsKey) {
      // a key: short, ASCII or not looked up; copied as it is checked
      if (captured + n > MAX_KEY) {
        keyUsable = false;
        return;
      }
      if (captured + n > capture.length) {
        capture = Arrays.copyOf(capture, MAX_KEY);
      }
      byte[] c = capture;
      int at = captured;
      for (int i = off; i < off + n; i++) {
        byte x = b[i];
        if (x < 0) {
          keyUsable = false;
          return;
        }
        c[at++] = x;
      }
      captured = at;
      return;
    }
    int k = Math.min(n, MAX_CAPTURE - captured);
    if (k > 0) {
      if (captured + k > capture.length) {
        capture = Arrays.copyOf(capture, Math.min(MAX_CAPTURE, Math.max(captured + k, capture.length * 2)));
      }
      System.arraycopy(b, off, capture, captured, k);
      captured += k;
    }
  }

  private void keep(byte c) {
    stringLength++;
    if (!capturing) {
      return;
    }
    int limit = stringIsKey ? MAX_KEY : MAX_CAPTURE;
    if (captured < limit) {
      if (captured == capture.length) {
        capture = Arrays.copyOf(capture, Math.min(limit, captured * 2));
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
      if (capturing && keyUsable) {
        valueNode = parent.find(capture, 0, captured);
      }
      state = COLON;
      return;
    }
    Node n = valueNode;
    if (n != null && n.field >= 0) {
      if (!capturing) {
        listener.onString(n.field, null, stringLength);
      } else if (!listener.onStringBytes(n.field, capture, captured, stringLength)) {
        listener.onString(n.field, new String(capture, 0, captured, StandardCharsets.UTF_8), stringLength);
      }
    }
    afterValue();
  }

  private void endToken() {
    Node n = valueNode;
    boolean wanted = n != null && n.field >= 0;
    int len = tokenLength;
    tokenLength = 0;
    if (state == LITERAL) {
      boolean isTrue = is(capture, len, TRUE);
      if (!isTrue && !is(capture, len, FALSE) && !is(capture, len, NULL)) {
        state = ERROR;
        return;
      }
      if (wanted && !is(capture, len, NULL)) {
        listener.onBoolean(n.field, isTrue);
      }
    } else {
      if (len > MAX_TOKEN) {
        // longer than any count looked for (a high-precision float): passed over, not judged
        afterValue();
        return;
      }
      if (!isJsonNumber(capture, len)) {
        state = ERROR;
        return;
      }
      if (wanted) {
        listener.onNumber(n.field, parseNumber(capture, len));
      }
    }
    afterValue();
  }

  private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
  private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
  private static final byte[] NULL = {'n', 'u', 'l', 'l'};

  private static boolean is(byte[] b, int len, byte[] word) {
    return len == word.length && Arrays.equals(b, 0, len, word, 0, len);
  }

  /** JSON's number grammar: {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}. */
  static boolean isJsonNumber(byte[] b, int len) {
    int i = 0;
    if (i < len && b[i] == '-') {
      i++;
    }
    if (i >= len || b[i] < '0' || b[i] > '9') {
      return false;
    }
    i = b[i] == '0' ? i + 1 : digits(b, i, len);
    if (i < len && b[i] == '.') {
      int from = i + 1;
      i = digits(b, from, len);
      if (i == from) {
        return false;
      }
    }
    if (i < len && (b[i] == 'e' || b[i] == 'E')) {
      i++;
      if (i < len && (b[i] == '+' || b[i] == '-')) {
        i++;
      }
      int from = i;
      i = digits(b, from, len);
      if (i == from) {
        return false;
      }
    }
    return i == len;
  }

  /** The end of the run of digits starting at {@code i}. */
  private static int digits(byte[] b, int i, int len) {
    while (i < len && b[i] >= '0' && b[i] <= '9') {
      i++;
    }
    return i;
  }

  /** A valid JSON number's value: integers of up to 18 digits exactly and without allocating. */
  private static double parseNumber(byte[] b, int len) {
    int i = b[0] == '-' ? 1 : 0;
    if (len - i <= 18) {
      long v = 0;
      int j = i;
      while (j < len && b[j] >= '0' && b[j] <= '9') {
        v = v * 10 + (b[j] - '0');
        j++;
      }
      if (j == len) {
        return i == 1 ? -(double) v : v; // -0 stays -0.0, as Double.parseDouble has it
      }
    }
    return Double.parseDouble(new String(b, 0, len, StandardCharsets.ISO_8859_1));
  }
}
