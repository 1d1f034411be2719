package dynamo.obs.agent.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SystemStatusServerTest {
  private static HttpRequest parse(String raw) throws IOException {
    return SystemStatusServer.readHead(new ByteArrayInputStream(raw.getBytes(StandardCharsets.ISO_8859_1)));
  }

  @Test
  void parsesRequestHead() throws IOException {
    HttpRequest r = parse(
        "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\nAccept: a\r\nAccept: b\r\n\r\n");
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

  /** Request heads damaged at random (fixed seed): each is read as a request or refused, never anything else. */
  @Test
  void damagedHeadsAreReadOrRefused() {
    java.util.Random r = new java.util.Random(42);
    String good = "GET /metrics?name[]=x HTTP/1.1\r\nHost: a:1\r\nAccept: */*\r\nContent-Length: 0\r\n"
        + "Connection: keep-alive\r\n\r\n";
    char[] noise = {' ', ':', '\r', '\n', '?', '\u0000', '\u00ff', 'x', '/'};
    int read = 0;
    for (int k = 0; k < 20_000; k++) {
      StringBuilder b = new StringBuilder(good);
      for (int n = 1 + r.nextInt(3); n > 0 && b.length() > 0; n--) {
        int at = r.nextInt(b.length());
        switch (r.nextInt(3)) {
          case 0 -> b.setCharAt(at, noise[r.nextInt(noise.length)]);
          case 1 -> b.deleteCharAt(at);
          default -> b.insert(at, noise[r.nextInt(noise.length)]);
        }
      }
      try {
        HttpRequest req = parse(b.toString());
        if (req != null) {
          read++;
          assertTrue(req.path() != null && req.method() != null && req.version().startsWith("HTTP/1."), b.toString());
        }
      } catch (IOException refused) {
        // refused: 400 or 431 on the wire
      } catch (RuntimeException e) {
        throw new AssertionError("head " + b + " threw " + e, e);
      }
    }
    assertTrue(read > 1000 && read < 19_000, read + " of 20,000 read as requests");
  }

  private static SystemStatusServer server(int maxConnections, int headTimeoutMs) throws IOException {
    return SystemStatusServer.start("127.0.0.1", 0, req -> HttpResponse.text(200, "ok " + req.path()),
        maxConnections, headTimeoutMs);
  }

  private static Socket connect(SystemStatusServer server) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
    s.setSoTimeout(10_000);
    return s;
  }

  /** Sends one request and reads its whole answer (the head, then as many body bytes as it says). */
  private static String ask(Socket s, String path) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed after " + head);
      }
      head.append((char) b);
    }
    int at = head.indexOf("Content-Length: ") + "Content-Length: ".length();
    int length = Integer.parseInt(head.substring(at, head.indexOf("\r\n", at)));
    return head + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
  }

  @Test
  void probesAreAnsweredWhenEveryWorkerHoldsAConnection() throws IOException {
    SystemStatusServer server = server(2, 10_000);
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        Socket s = connect(server);
        held.add(s);
        // answered, so a worker has it; then left idle, kept alive
        String answer = ask(s, "/metrics");
        assertTrue(answer.startsWith("HTTP/1.1 200") && answer.contains("Connection: keep-alive"), answer);
      }
      for (int i = 0; i < 3; i++) {
        try (Socket probe = connect(server)) {
          String answer = ask(probe, "/live");
          assertTrue(answer.startsWith("HTTP/1.1 200") && answer.endsWith("ok /live"), answer);
          assertTrue(answer.contains("Connection: close"), answer);
          assertEquals(-1, probe.getInputStream().read(), "closed after its one answer");
        }
      }
      // the held connections still work
      assertTrue(ask(held.get(0), "/health").endsWith("ok /health"));
    } finally {
      for (Socket s : held) {
        s.close();
      }
      server.close();
    }
  }

  @Test
  void aRequestThatTricklesInIsCutOffAtItsDeadline() throws Exception {
    SystemStatusServer server = server(1, 300);
    try (Socket slow = connect(server)) {
      OutputStream out = slow.getOutputStream();
      Thread trickle = new Thread(() -> {
        try {
          out.write("GET /live HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1));
          for (int i = 0; i < 50; i++) { // 10 s of one header line every 200 ms, never the blank line
            Thread.sleep(200);
            out.write("X-Slow: 1\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
          }
        } catch (IOException | InterruptedException e) {
          // closed by the server: what this test expects
        }
      });
      trickle.setDaemon(true);
      trickle.start();
      // the server gives up on the head and closes without an answer (the client's own timeout is 10 s)
      int first;
      try {
        first = slow.getInputStream().read();
      } catch (java.net.SocketException reset) {
        first = -1;
      }
      assertEquals(-1, first, "closed without an answer");
      trickle.interrupt();
    }
    try (Socket next = connect(server)) {
      assertTrue(ask(next, "/live").endsWith("ok /live"), "the worker is free again");
    } finally {
      server.close();
    }
  }
}
