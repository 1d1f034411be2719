package dynamo.obs.agent.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The event-stream splitter against streams drawn at random (a fixed seed): every event's data, as the HTML
 * standard's event-stream reading assembles it (written out below, line by line), scanned whole by a fresh
 * scanner, must give the fields that the streaming splitter reports — whatever the line endings, comments,
 * other fields, byte-order mark and split points.
 */
class SseScannerRandomTest {
  private static final String[] PATHS = JsonFieldScannerRandomTest.PATHS;
  private static final String[] ENDINGS = {"\n", "\r", "\r\n"};

  /** A stream of events, each of whose data is a random JSON document cut into lines at random. */
  private static String randomStream(Random r) {
    StringBuilder s = new StringBuilder(r.nextInt(5) == 0 ? "\uFEFF" : "");
    int events = 1 + r.nextInt(6);
    for (int e = 0; e < events; e++) {
      String json = new JsonFieldScannerRandomTest.Doc(r).json.toString().replace('\n', ' ').replace('\r', ' ');
      int cuts = r.nextInt(3);
      List<String> parts = new ArrayList<>();
      int from = 0;
      for (int c = 0; c < cuts && from < json.length(); c++) {
        int at = from + r.nextInt(json.length() - from);
        parts.add(json.substring(from, at));
        from = at;
      }
      parts.add(json.substring(from));
      boolean noData = r.nextInt(8) == 0;
      for (String part : parts) {
        other(s, r);
        if (!noData) {
          String head = new String[]{"data: ", "data:", "data:  "}[r.nextInt(3)];
          s.append(part.isEmpty() && r.nextBoolean() ? "data" : head + part).append(ENDINGS[r.nextInt(3)]);
        }
      }
      other(s, r);
      s.append(ENDINGS[r.nextInt(3)]); // the blank line that ends the event
    }
    return s.toString();
  }

  /** Sometimes a line that is not JSON: a comment, another field, one that only looks like data, or "data" with no value. */
  private static void other(StringBuilder s, Random r) {
    if (r.nextInt(3) == 0) {
      String line = new String[]{": keep-alive", ":", "event: message", "id: 42", "retry: 100", "DATA: {}", "dat: 1",
          "datax: 2", "data : 3", "a-very-long-field-name: 4", "data"}[r.nextInt(11)];
      s.append(line).append(ENDINGS[r.nextInt(3)]);
    }
  }

  /** The HTML standard's reading: lines, fields, and an event dispatched at each blank line. */
  private static List<String> reference(String stream) {
    List<String> out = new ArrayList<>();
    StringBuilder data = null;
    int i = stream.startsWith("\uFEFF") ? 1 : 0; // decoding drops a leading byte-order mark
    while (i < stream.length()) {
      int end = i;
      while (end < stream.length() && stream.charAt(end) != '\n' && stream.charAt(end) != '\r') {
        end++;
      }
      if (end == stream.length()) {
        break; // an unfinished line at the end of the stream is not a line
      }
      String line = stream.substring(i, end);
      i = end + (stream.startsWith("\r\n", end) ? 2 : 1);
      if (line.isEmpty()) {
        out.add(data == null ? "empty[]" : "event" + scanWhole(data.substring(0, data.length() - 1)));
        data = null;
        continue;
      }
      int colon = line.indexOf(':');
      String name = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      if (name.equals("data")) {
        data = (data == null ? new StringBuilder() : data).append(value).append('\n');
      }
    }
    return out;
  }

  private static List<String> scanWhole(String data) {
    JsonFieldScannerTest.Seen seen = new JsonFieldScannerTest.Seen();
    JsonFieldScanner json = new JsonFieldScanner(new JsonFieldScanner.Fields(false, PATHS), seen);
    byte[] b = data.getBytes(StandardCharsets.UTF_8);
    json.feed(b, 0, b.length);
    json.finish();
    return seen.events;
  }

  /** What a fresh scanner reports of one document: its fields, then whether it failed or is complete. */
  private static String scanAlone(String data) {
    JsonFieldScannerTest.Seen seen = new JsonFieldScannerTest.Seen();
    JsonFieldScanner json = new JsonFieldScanner(new JsonFieldScanner.Fields(false, PATHS), seen);
    byte[] b = data.getBytes(StandardCharsets.UTF_8);
    json.feed(b, 0, b.length);
    json.finish();
    return seen.events + (json.failed() ? " failed" : json.complete() ? " complete" : " incomplete");
  }

  private static String randomDoc(Random r) {
    return new JsonFieldScannerRandomTest.Doc(r).json.toString().replace('\n', ' ').replace('\r', ' ');
  }

  /**
   * Streams whose events begin alike, as the events of a real stream do (the same id, model and path to the text):
   * the scanner that goes on from a remembered beginning must report, for every event, what a fresh scanner reports
   * of that event alone — whether an event repeats another, shares a beginning of any length with it and then differs,
   * differs by one character, or is another document; whether each comes in one write or in pieces.
   */
  @Test
  void eventsThatBeginAlikeGiveWhatEachGivesAlone() {
    Random r = new Random(77);
    for (int k = 0; k < 4000; k++) {
      String base = randomDoc(r);
      List<String> data = new ArrayList<>();
      int events = 2 + r.nextInt(7);
      for (int e = 0; e < events; e++) {
        switch (r.nextInt(5)) {
          case 0, 1 -> data.add(base);
          case 2 -> {
            String other = randomDoc(r);
            data.add(base.substring(0, r.nextInt(base.length() + 1)) + other.substring(r.nextInt(other.length() + 1)));
          }
          case 3 -> {
            int at = r.nextInt(base.length() + 1);
            data.add(
                base.substring(0, at) + "x {}[]\"1:,".charAt(r.nextInt(10)) + base.substring(Math.min(base.length(),
                    at + r.nextInt(2))));
          }
          default -> base = randomDoc(r);
        }
      }
      List<String> expected = new ArrayList<>();
      StringBuilder stream = new StringBuilder();
      for (String d : data) {
        expected.add(scanAlone(d));
        stream.append("data: ").append(d).append("\n\n");
      }
      List<String> seen = new ArrayList<>();
      JsonFieldScannerTest.Seen fields = new JsonFieldScannerTest.Seen();
      JsonFieldScanner json = new JsonFieldScanner(new JsonFieldScanner.Fields(false, PATHS), fields);
      SseScanner sse = new SseScanner(json, hadData -> {
        seen.add(fields.events + (json.failed() ? " failed" : json.complete() ? " complete" : " incomplete"));
        fields.events.clear();
      });
      byte[] b = stream.toString().getBytes(StandardCharsets.UTF_8);
      if (r.nextInt(4) == 0) {
        JsonFieldScannerRandomTest.inRandomPieces(b, r, sse::feed);
      } else {
        for (String d : data) { // one write an event, as a server streams them
          byte[] event = ("data: " + d + "\n\n").getBytes(StandardCharsets.UTF_8);
          sse.feed(event, 0, event.length);
        }
      }
      assertEquals(expected, seen, "stream " + k + ":\n" + stream);
    }
  }

  private static List<String> scanStreaming(String stream, Random splits) {
    List<String> out = new ArrayList<>();
    JsonFieldScannerTest.Seen seen = new JsonFieldScannerTest.Seen();
    JsonFieldScanner json = new JsonFieldScanner(new JsonFieldScanner.Fields(false, PATHS), seen);
    SseScanner sse = new SseScanner(json, hadData -> {
      out.add((hadData ? "event" : "empty") + seen.events);
      seen.events.clear();
    });
    JsonFieldScannerRandomTest.inRandomPieces(stream.getBytes(StandardCharsets.UTF_8), splits, sse::feed);
    return out;
  }

  @Test
  void randomStreamsGiveTheFieldsOfEachEventsData() {
    Random r = new Random(2026);
    for (int k = 0; k < 1500; k++) {
      String stream = randomStream(r);
      assertEquals(reference(stream), scanStreaming(stream, r), "stream " + k + ":\n" + stream);
    }
  }
}
