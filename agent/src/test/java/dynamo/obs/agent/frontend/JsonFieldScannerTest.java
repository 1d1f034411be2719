package dynamo.obs.agent.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonFieldScannerTest {
  static final class Seen implements JsonFieldScanner.Listener {
    final List<String> events = new ArrayList<>();

    @Override
    public void onString(int field, String value, int length) {
      events.add(field + "=s:" + value + "/" + length);
    }

    @Override
    public void onNumber(int field, double value) {
      events.add(field + "=n:" + value);
    }

    @Override
    public void onBoolean(int field, boolean value) {
      events.add(field + "=b:" + value);
    }
  }

  private static List<String> scan(String json, int chunk, String... paths) {
    return scan(true, json, chunk, paths);
  }

  private static List<String> scan(boolean checksAll, String json, int chunk, String... paths) {
    Seen seen = new Seen();
    JsonFieldScanner s = new JsonFieldScanner(new JsonFieldScanner.Fields(checksAll, paths), seen);
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < b.length; i += chunk) {
      s.feed(b, i, Math.min(chunk, b.length - i));
    }
    s.finish();
    return seen.events;
  }

  @Test
  void findsTopLevelAndNestedFieldsInAnySplit() {
    String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi \\\"model\\\"\"}],"
        + "\"model\": \"Qwen/Qwen3-0.6B\", \"stream\":true,\"stream_options\":{\"include_usage\":true},"
        + "\"max_tokens\":16}";
    for (int chunk : new int[]{1, 2, 3, 7, 1000}) {
      assertEquals(List.of("0=s:Qwen/Qwen3-0.6B/15", "1=b:true", "2=b:true", "3=n:16.0"),
          scan(body, chunk, "model", "stream", "stream_options.include_usage", "max_tokens"), "chunk " + chunk);
    }
  }

  @Test
  void arraysAreTransparent() {
    String chunk = "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"},\"finish_reason\":null}],"
        + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"prompt_tokens_details\":{\"cached_tokens\":8}}}";
    assertEquals(List.of("0=s:Hel/3", "1=n:12.0", "2=n:3.0", "3=n:8.0"), scan(chunk, 5, "choices.delta.content",
        "usage.prompt_tokens", "usage.completion_tokens", "usage.prompt_tokens_details.cached_tokens"));
  }

  @Test
  void onlyTheExactPathMatches() {
    assertEquals(List.of(), scan("{\"a\":{\"model\":\"x\"},\"models\":\"y\",\"b\":[\"model\"]}", 3, "model"));
  }

  @Test
  void escapesAndUnicodeAreDecoded() {
    assertEquals(List.of("0=s:a/b\u00e9\n/6"), scan("{\"model\":\"a\\/b\\u00e9\\n\"}", 1, "model"));
    assertEquals(List.of("0=s:m\u00fcnchen/8"), scan("{\"model\":\"m\u00fcnchen\"}", 1, "model"));
  }

  @Test
  void longValuesAreCappedButTheirLengthCounted() {
    String big = "x".repeat(10_000);
    List<String> e = scan("{\"model\":\"" + big + "\"}", 333, "model");
    assertEquals(1, e.size());
    assertTrue(e.get(0).endsWith("/10000"));
    assertEquals(JsonFieldScanner.MAX_CAPTURE + "0=s:/10000".length(), e.get(0).length());
  }

  @Test
  void invalidJsonStopsQuietly() {
    assertEquals(List.of(), scan("{\"model\" \"x\"}", 1, "model"));
    assertEquals(List.of(), scan("[DONE]", 1, "model"));
    assertEquals(List.of("0=s:a/1"), scan("{\"model\":\"a\",}", 1, "model"));
  }

  @Test
  void deepNestingIsTrackedUpToABound() {
    String deep = "[".repeat(300) + "]".repeat(300);
    assertEquals(List.of("0=s:m/1"), scan("{\"x\":" + deep + ",\"model\":\"m\"}", 7, "model"));
    String tooDeep = "[".repeat(600) + "]".repeat(600);
    assertEquals(List.of(), scan("{\"x\":" + tooDeep + ",\"model\":\"m\"}", 7, "model"));
  }

  @Test
  void topLevelScalarsAndLiterals() {
    assertEquals(List.of("0=b:false"), scan("{\"stream\":false}", 1, "stream"));
    assertEquals(List.of(), scan("{\"stream\":null}", 1, "stream"));
    assertEquals(List.of("0=n:-1.5E3"),
        scan("{\"n\":-1.5e3}", 1, "n").stream().map(s -> s.replace("-1500.0", "-1.5E3")).toList());
  }

  @Test
  void numbersFollowJsonsGrammar() {
    assertEquals(List.of("0=n:12.0"), scan("{\"n\":12}", 1, "n"));
    assertEquals(List.of("0=n:-7.0"), scan("{\"n\":-7}", 1, "n"));
    assertEquals(List.of("0=n:0.25"), scan("{\"n\":0.25}", 1, "n"));
    assertEquals(List.of("0=n:9.223372036854776E18"), scan("{\"n\":9223372036854775807}", 1, "n"));
    for (String bad : new String[]{"01", "1.", "-", ".5", "1e", "1e+", "0x1p3", "1f", "12abc", "--1"}) {
      assertEquals(List.of(), scan("{\"n\":" + bad + ",\"m\":\"x\"}", 1, "n", "m"), bad);
    }
    // a number not looked for is judged all the same: invalid JSON stops the scan before "m"
    assertEquals(List.of(), scan("{\"x\":01,\"m\":\"x\"}", 1, "m"));
    // longer than any count: passed over, the scan goes on
    String precise = "0." + "1".repeat(60);
    assertEquals(List.of("0=s:x/1"), scan("{\"x\":" + precise + ",\"m\":\"x\"}", 1, "m"));
  }

  @Test
  void aFieldWhoseValueIsNotWantedGetsItsLengthOnly() {
    List<String> got = new java.util.ArrayList<>();
    JsonFieldScanner s = new JsonFieldScanner(new JsonFieldScanner.Fields("a", "b"), new JsonFieldScanner.Listener() {
      @Override
      public void onString(int field, String value, int length) {
        got.add(field + "=" + value + "/" + length);
      }

      @Override
      public void onNumber(int field, double value) {
      }

      @Override
      public void onBoolean(int field, boolean value) {
      }

      @Override
      public boolean wantsValue(int field) {
        return field == 1;
      }
    });
    byte[] doc = "{\"a\":\"h\\u00e9llo\",\"b\":\"w\\\"x\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    for (int i = 0; i < doc.length; i++) {
      s.feed(doc, i, 1);
    }
    assertEquals(List.of("0=null/6", "1=w\"x/3"), got);
  }

  @Test
  void unicodeEscapesEncodeAsUtf8() {
    assertEquals(List.of("0=s:\u20ac\u0041?/5"), scan("{\"model\":\"\\u20ac\\u0041\\ud83d\"}", 1, "model"));
  }

  @Test
  void theEightByteTestFindsEveryStopByteAndNothingElse() {
    java.util.Random random = new java.util.Random(7);
    byte[] b = new byte[8];
    for (int filler : new int[]{'a', ' ', 0x7f, 0x80, 0xff, 0x21, 0x5d}) {
      for (int v = 0; v < 256; v++) {
        for (int at = 0; at < 8; at++) {
          java.util.Arrays.fill(b, (byte) filler);
          b[at] = (byte) v;
          assertEquals(firstStopByteByByte(b), JsonFieldScanner.firstStop(
              java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong()),
              "byte " + v + " at " + at);
        }
      }
    }
    for (int n = 0; n < 200_000; n++) {
      random.nextBytes(b);
      if (n % 2 == 0) {
        b[random.nextInt(8)] = (byte) "\"\\\u0000\u001f".charAt(random.nextInt(4));
      }
      assertEquals(firstStopByteByByte(b),
          JsonFieldScanner.firstStop(java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong()));
    }
  }

  private static int firstStopByteByByte(byte[] b) {
    int k = 0;
    while (k < b.length && !JsonFieldScanner.STRING_STOP[b[k] & 0xff]) {
      k++;
    }
    return k;
  }

  @Test
  void longStringsWithStopBytesAtEveryPlaceAndSplit() {
    for (int at = 0; at < 40; at++) {
      StringBuilder v = new StringBuilder("x".repeat(40));
      v.insert(at, "\\\"\\n");
      String body = "{\"model\":\"" + v + "\",\"n\":1}";
      String want = v.toString().replace("\\\"", "\"").replace("\\n", "\n");
      for (int chunk : new int[]{1, 5, 8, 9, 1000}) {
        assertEquals(List.of("0=s:" + want + "/" + want.length(), "1=n:1.0"), scan(body, chunk, "model", "n"),
            "at " + at + ", chunk " + chunk);
      }
    }
  }

  /** Valid documents: what no path can be in is passed over, and the fields found are the same as when all is read. */
  @Test
  void passingOverWhatNoPathIsInFindsTheSameFields() {
    String[] paths = {"choices.delta.content", "choices.text", "delta.text", "usage.prompt_tokens",
        "usage.completion_tokens", "model", "stream"};
    String[] docs = {
        "{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"]}\\\"[{\"},\"logprobs\":{\"t\":[[1,2],"
            + "{\"a\":\"}\"}]}}],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":8,\"x\":{\"y\":[]}}}",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"a \\\\\\\"]\\\\\"},{\"content\":[{\"type\":\"text\"}]}],"
            + "\"model\":\"m\",\"stream\":true,\"meta\":{}}",
        "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"{[\\\"\"},\"o\":[[],[[]],{}]}",
        "{\"a\":[\"\\u005d\",{\"b\":\"\\\\\"}],\"model\":\"after\"}",
        "[{\"model\":\"x\"},{\"other\":[1]}]",
    };
    for (String doc : docs) {
      List<String> all = scan(true, doc, 1000, paths);
      assertTrue(!all.isEmpty(), doc);
      for (int chunk = 1; chunk <= doc.length(); chunk++) {
        assertEquals(all, scan(false, doc, chunk, paths), doc + " in chunks of " + chunk);
      }
    }
  }

  @Test
  void whatIsPassedOverIsNotChecked() {
    String body = "{\"a\":{\"x\":tru,\"y\":[1,,2],\"z\":\"\u0001\"},\"n\":3}";
    assertEquals(List.of(), scan(true, body, 1, "n"));
    assertEquals(List.of("0=n:3.0"), scan(false, body, 1, "n"));
    // beyond the depth bound too: nothing is kept per level of what is passed over
    String tooDeep = "[".repeat(600) + "]".repeat(600);
    assertEquals(List.of("0=s:m/1"), scan(false, "{\"x\":" + tooDeep + ",\"model\":\"m\"}", 7, "model"));
    // the document around what is passed over is still read as JSON
    assertEquals(List.of("0=n:1.0"), scan(false, "{\"n\":1,\"a\":[],}", 1, "n"));
    assertTrue(failsWhenPassingOver("{\"n\":1,\"a\":[],}"), "a trailing comma after what was passed over");
    assertTrue(failsWhenPassingOver("{\"a\":[]]"), "a bracket too many after what was passed over");
    // a number or literal no path wants is passed over unread too; a wanted one is still judged
    String scalars = "{\"id\":12x,\"f\":nul,\"g\":-,\"n\":3}";
    assertEquals(List.of(), scan(true, scalars, 1, "n"));
    assertEquals(List.of("0=n:3.0"), scan(false, scalars, 1, "n"));
    assertTrue(failsWhenPassingOver("{\"n\":12x}"), "a wanted number that is not one");
    assertTrue(failsWhenPassingOver("{\"a\":1 2}"), "two scalars after one key");
  }

  private static boolean failsWhenPassingOver(String json) {
    JsonFieldScanner s = new JsonFieldScanner(new JsonFieldScanner.Fields(false, "n"), new Seen());
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    s.feed(b, 0, b.length);
    s.finish();
    return s.failed();
  }

  @Test
  void aNullPathKeepsItsNumberUnused() {
    assertEquals(List.of("1=n:1.0", "2=n:5.0"),
        scan(false, "{\"a\":\"x\",\"b\":{\"c\":1},\"d\":5}", 1, null, "b.c", "d"));
  }
}
