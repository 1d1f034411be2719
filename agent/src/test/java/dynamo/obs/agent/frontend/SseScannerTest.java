package dynamo.obs.agent.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseScannerTest {
  private static List<String> scan(String stream, int chunk) {
    List<String> out = new ArrayList<>();
    JsonFieldScannerTest.Seen seen = new JsonFieldScannerTest.Seen();
    JsonFieldScanner json = new JsonFieldScanner(
        new JsonFieldScanner.Fields("choices.delta.content", "usage.completion_tokens"), seen);
    SseScanner sse = new SseScanner(json, hadData -> {
      out.add((hadData ? "event" : "empty") + seen.events);
      seen.events.clear();
    });
    byte[] b = stream.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < b.length; i += chunk) {
      sse.feed(b, i, Math.min(chunk, b.length - i));
    }
    return out;
  }

  @Test
  void eventsAreSplitAndTheirDataScanned() {
    String s = "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n"
        + "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n"
        + ": a comment\n\n"
        + "event: x\r\ndata:{\"choices\":[{\"delta\":{\"content\":\" there\"}}]}\r\n\r\n"
        + "data: {\"choices\":[],\"usage\":{\"completion_tokens\":2}}\n\n"
        + "data: [DONE]\n\n";
    List<String> expected = List.of("event[0=s:/0]", "event[0=s:Hi/2]", "empty[]", "event[0=s: there/6]",
        "event[1=n:2.0]", "event[]");
    for (int chunk : new int[]{1, 2, 5, 13, 4096}) {
      assertEquals(expected, scan(s, chunk), "chunk " + chunk);
    }
  }

  @Test
  void theLineEndIsFoundAtEveryPlaceAndOffset() {
    for (byte stop : new byte[]{'\n', '\r'}) {
      for (int len = 0; len <= 40; len++) {
        for (int at = 0; at <= len; at++) {
          byte[] b = new byte[len + 3];
          for (int i = 0; i < b.length; i++) {
            b[i] = (byte) "\u000b\u000c\u000e\"data: x\u008a\u008d".charAt(i % 10);
          }
          if (at < len) {
            b[at + 1] = stop;
          }
          int expected = at < len ? at + 1 : len + 1;
          assertEquals(expected, SseScanner.lineEnd(b, 1, len + 1), "length " + len + ", end at " + at);
        }
      }
    }
  }

  @Test
  void multiLineDataJoinsWithNewline() {
    String s = "data: {\"choices\":\ndata: [{\"delta\":{\"content\":\"x\"}}]}\n\n";
    assertEquals(List.of("event[0=s:x/1]"), scan(s, 3));
  }
}
