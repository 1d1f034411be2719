package dynamo.obs.agent.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.agent.config.JsonCheck;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The scanner against documents drawn at random (fixed seeds, so a failure repeats): the fields it reports are
 * those the generated tree holds, in either mode and however the bytes are split; and on those documents with a
 * byte changed, dropped or cut off, it fails exactly when the configuration's strict JSON reader (another
 * implementation, {@link JsonCheck#isValueOrStart}) says the bytes cannot begin a JSON document, and it calls
 * them complete exactly when that reader says they are one whole document ({@link JsonCheck#isValue}).
 */
class JsonFieldScannerRandomTest {
  /** The fields looked for, here and in {@link SseScannerRandomTest}. */
  static final String[] PATHS = {"model", "stream", "choices.delta.content", "usage.prompt_tokens", "a.b",
      "a.b.c", "x"};
  private static final Map<String, Integer> FIELD = new HashMap<>();
  private static final String[] KEYS = {"model", "stream", "choices", "delta", "content", "usage", "prompt_tokens",
      "a", "b", "c", "x", "id", "role", "mod", "models", "", "ü", "键 key"};
  private static final String[] NUMBERS = {"0", "-1", "42", "16", "123456789", "3.25", "-0.5e3", "1E+2", "7e-1",
      "-0", "99999999999"};

  static {
    for (int i = 0; i < PATHS.length; i++) {
      FIELD.put(PATHS[i], i);
    }
  }

  /** A random document and the events a scanner of {@link #PATHS} must report for it, in order. */
  static final class Doc {
    final StringBuilder json = new StringBuilder();
    final List<String> expected = new ArrayList<>();
    final Random r;

    Doc(Random r) {
      this.r = r;
      ws();
      if (r.nextInt(8) == 0) {
        array("", 0);
      } else {
        object("", 0);
      }
      ws();
    }

    private void ws() {
      int n = r.nextInt(4) == 0 ? r.nextInt(3) : 0;
      for (int i = 0; i < n; i++) {
        json.append(" \n\r\t".charAt(r.nextInt(4)));
      }
    }

    /** Whether a path can still lead to a field: it is one, or the start of one. */
    private static boolean onTrie(String path) {
      for (String p : PATHS) {
        if (p.equals(path) || p.startsWith(path + ".")) {
          return true;
        }
      }
      return false;
    }

    /** {@code path}: the keys so far (arrays add none), or null once no field can be below. */
    private void value(String path, int depth) {
      ws();
      int kind = depth > 5 ? 2 + r.nextInt(4) : r.nextInt(6);
      Integer field = path == null ? null : FIELD.get(path);
      switch (kind) {
        case 0 :
          object(path, depth + 1);
          break;
        case 1 :
          array(path, depth + 1);
          break;
        case 2 :
        case 3 : {
          String s = randomText();
          string(s);
          if (field != null) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            int kept = Math.min(utf8.length, JsonFieldScanner.MAX_CAPTURE);
            expected.add(field + "=s:" + new String(utf8, 0, kept, StandardCharsets.UTF_8) + "/" + utf8.length);
          }
          break;
        }
        case 4 : {
          String n = NUMBERS[r.nextInt(NUMBERS.length)];
          json.append(n);
          if (field != null) {
            expected.add(field + "=n:" + Double.parseDouble(n));
          }
          break;
        }
        default : {
          String lit = new String[]{"true", "false", "null"}[r.nextInt(3)];
          json.append(lit);
          if (field != null && !lit.equals("null")) {
            expected.add(field + "=b:" + lit);
          }
        }
      }
      ws();
    }

    private void object(String path, int depth) {
      json.append('{');
      int n = depth == 0 ? 2 + r.nextInt(4) : r.nextInt(5);
      for (int i = 0; i < n; i++) {
        if (i > 0) {
          json.append(',');
        }
        ws();
        String key = KEYS[r.nextInt(KEYS.length)];
        for (int tries = 0; tries < 8 && path != null && r.nextBoolean() && !onTrie(child(path, key)); tries++) {
          key = KEYS[r.nextInt(KEYS.length)]; // half the time a key that leads towards a field, when one does
        }
        string(key, false);
        ws();
        json.append(':');
        String child = path == null ? null : child(path, key);
        value(child != null && onTrie(child) ? child : null, depth);
      }
      ws();
      json.append('}');
    }

    private static String child(String path, String key) {
      return path.isEmpty() ? key : path + "." + key;
    }

    private void array(String path, int depth) {
      json.append('[');
      int n = r.nextInt(4);
      for (int i = 0; i < n; i++) {
        if (i > 0) {
          json.append(',');
        }
        value(path, depth);
      }
      ws();
      json.append(']');
    }

    private String randomText() {
      StringBuilder s = new StringBuilder();
      int parts = r.nextInt(4);
      for (int i = 0; i < parts; i++) {
        switch (r.nextInt(7)) {
          case 0 :
            s.append("Qwen/Qwen3-0.6B");
            break;
          case 1 :
            s.append("quote \" backslash \\ slash / tab \t newline \n");
            break;
          case 2 :
            s.append("é中ü€");
            break;
          case 3 :
            s.append("brackets ]}[{ and a colon: , comma");
            break;
          case 4 :
            s.append("a long run of plain prose that goes well past sixteen bytes ".repeat(1 + r.nextInt(6)));
            break;
          case 5 :
            s.append((char) (1 + r.nextInt(0x1f))); // a control character: escaped in the JSON
            break;
          default :
            s.append("x");
        }
      }
      return s.toString();
    }

    private void string(String s) {
      string(s, true);
    }

    /** {@code s} as a JSON string, with its characters escaped at random where JSON allows it. */
    private void string(String s, boolean escapeAtRandom) {
      json.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        boolean random = escapeAtRandom && r.nextInt(6) == 0;
        int shortForm = "\b\f\n\r\t".indexOf(c);
        if (c == '"' || c == '\\') {
          json.append('\\').append(c);
        } else if (shortForm >= 0 && r.nextBoolean()) {
          json.append('\\').append("bfnrt".charAt(shortForm));
        } else if (c < 0x20 || (random && c != '/')) {
          json.append(String.format("\\u%04x", (int) c));
        } else if (c == '/' && random) {
          json.append("\\/");
        } else {
          json.append(c);
        }
      }
      json.append('"');
    }
  }

  private static List<String> scan(boolean checksAll, byte[] b, Random splits) {
    JsonFieldScannerTest.Seen seen = new JsonFieldScannerTest.Seen();
    JsonFieldScanner s = new JsonFieldScanner(new JsonFieldScanner.Fields(checksAll, PATHS), seen);
    inRandomPieces(b, splits, s::feed);
    s.finish();
    if (s.failed()) {
      seen.events.add("failed");
    } else if (!s.complete()) {
      seen.events.add("incomplete");
    }
    return seen.events;
  }

  /** The scanner's last word on a document: failed, incomplete, or (the fields and) nothing. */
  private static String verdict(List<String> events) {
    String last = events.isEmpty() ? "" : events.get(events.size() - 1);
    return last.equals("failed") || last.equals("incomplete") ? last : "whole";
  }

  /** What takes bytes a piece at a time: a scanner's or an event-stream splitter's {@code feed}. */
  interface Feed {
    void feed(byte[] b, int off, int len);
  }

  /** {@code b} fed in pieces of random lengths (a third of the time, all the rest at once). */
  static void inRandomPieces(byte[] b, Random splits, Feed feed) {
    int i = 0;
    while (i < b.length) {
      int n = splits.nextInt(3) == 0 ? b.length - i : 1 + splits.nextInt(Math.min(40, b.length - i));
      feed.feed(b, i, n);
      i += n;
    }
  }

  @Test
  void randomDocumentsGiveTheFieldsTheirTreesHold() {
    Random r = new Random(20261130);
    int withFields = 0;
    for (int d = 0; d < 3000; d++) {
      Doc doc = new Doc(r);
      byte[] b = doc.json.toString().getBytes(StandardCharsets.UTF_8);
      withFields += doc.expected.isEmpty() ? 0 : 1;
      assertEquals(doc.expected, scan(true, b, r), "checking all, document " + d + ": " + doc.json);
      assertEquals(doc.expected, scan(false, b, r), "passing over, document " + d + ": " + doc.json);
    }
    // the generator must reach the fields often enough for the comparison to mean something
    assertTrue(withFields > 1200, withFields + " documents with fields");
  }

  @Test
  void damagedDocumentsFailExactlyWhenTheyCannotBeginAJsonDocument() {
    Random r = new Random(7);
    int failed = 0;
    int incomplete = 0;
    int total = 0;
    for (int d = 0; d < 3000; d++) {
      byte[] b = damage(new Doc(r).json.toString().getBytes(StandardCharsets.UTF_8), r);
      // the configuration's strict JSON reader, another implementation than the scanner's
      String text = new String(b, StandardCharsets.UTF_8);
      boolean viable = JsonCheck.isValueOrStart(text);
      boolean whole = JsonCheck.isValue(text);
      String verdict = verdict(scan(true, b, r));
      assertEquals(!viable, verdict.equals("failed"), "document " + d + ": " + text);
      // a document cut short (a truncated request body) is told apart from a whole one
      assertEquals(whole, verdict.equals("whole"), "document " + d + " (whole?): " + text);
      failed += verdict.equals("failed") ? 1 : 0;
      incomplete += verdict.equals("incomplete") ? 1 : 0;
      total++;
      scan(false, b, r); // passing over does not judge what it passes over, but must not throw either
    }
    // both verdicts must be common, or the comparison says little
    assertTrue(failed > total / 5 && failed < total * 4 / 5,
        failed + " of " + total + " failed");
    assertTrue(incomplete > total / 20, incomplete + " of " + total + " cut short");
  }

  /** One byte changed, dropped or inserted, or the end cut off. */
  private static byte[] damage(byte[] b, Random r) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = r.nextInt(b.length);
    byte[] noise = {'{', '}', '[', ']', ',', ':', '"', '\\', '1', '-', '.', 'e', 't', 'n', ' ', 0x01, (byte) 0xc3};
    switch (r.nextInt(4)) {
      case 0 :
        out.write(b, 0, at);
        out.write(noise[r.nextInt(noise.length)]);
        out.write(b, at + 1, b.length - at - 1);
        break;
      case 1 :
        out.write(b, 0, at);
        out.write(b, at + 1, b.length - at - 1);
        break;
      case 2 :
        out.write(b, 0, at);
        out.write(noise[r.nextInt(noise.length)]);
        out.write(b, at, b.length - at);
        break;
      default :
        out.write(b, 0, at);
    }
    return out.toByteArray();
  }
}
