package dynamo.obs.agent.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SystemStatusServerTest {
  private static HttpRequest parse(String raw) throws IOException {
    return SystemStatusServer.readHead(new ByteArrayInputStream(raw.getBytes(StandardCharsets.ISO_8859_1)));
  }

  @Test
  void parsesRequestHead() throws IOException {
    HttpRequest r = parse("GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\nAccept: a\r\nAccept: b\r\n\r\n");
    assertEquals("GET", r.method());
    assertEquals("/metrics", r.path());
    assertEquals("HTTP/1.1", r.version());
    assertEquals("gzip", r.header("Accept-Encoding"));
    assertEquals("a, b", r.header("accept"));
  }

  @Test
  void cleanEndOfStreamIsNoRequest() throws IOException {
    assertNull(parse(""));
  }

  @Test
  void malformedHeadsAreRejected() {
    assertThrows(IOException.class, () -> parse("GARBAGE\r\n\r\n"));
    assertThrows(IOException.class, () -> parse("GET / HTTP/1.1\r\nno-colon\r\n\r\n"));
    assertThrows(IOException.class, () -> parse("GET / HTTP/1.1\r\nHost: a\r\n"));
    assertThrows(IOException.class, () -> parse("GET / HTTP/1.1\r\nX: " + "a".repeat(20_000) + "\r\n\r\n"));
  }
}
