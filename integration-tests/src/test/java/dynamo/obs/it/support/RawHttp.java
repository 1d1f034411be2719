package dynamo.obs.it.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One raw TCP connection speaking HTTP/1.x by hand: for what {@link java.net.http.HttpClient}
 * hides (whether a connection stays open, HEAD, HTTP/1.0).
 */
public final class RawHttp implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  /** A parsed response: status line, headers (names lower-cased) and the body (by Content-Length, or de-chunked). */
  public record Response(String statusLine, int status, Map<String, String> headers, byte[] body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  public RawHttp(int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    socket.setSoTimeout(15_000);
    in = new BufferedInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  /** Sends the request text as is (CRLFs included). */
  public void write(String request) throws IOException {
    out.write(request.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** {@code METHOD path HTTP/1.1} with Host and the extra header lines given. */
  public static String request(String method, String path, String version, String... headerLines) {
    StringBuilder sb = new StringBuilder();
    sb.append(method).append(' ').append(path).append(' ').append(version).append("\r\n");
    sb.append("Host: 127.0.0.1\r\n");
    for (String h : headerLines) {
      sb.append(h).append("\r\n");
    }
    return sb.append("\r\n").toString();
  }

  /** Reads one response; with {@code headOnly} no body is read whatever Content-Length says. */
  public Response read(boolean headOnly) throws IOException {
    String statusLine = line();
    if (statusLine == null) {
      throw new IOException("connection closed before a response");
    }
    String[] parts = statusLine.split(" ", 3);
    int status = Integer.parseInt(parts[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    String l;
    while ((l = line()) != null && !l.isEmpty()) {
      int colon = l.indexOf(':');
      headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
    }
    if (l == null) {
      throw new IOException("connection closed inside the response head: " + statusLine + " " + headers);
    }
    byte[] body = new byte[0];
    String cl = headers.get("content-length");
    if (!headOnly && cl != null) {
      body = in.readNBytes(Integer.parseInt(cl));
      if (body.length != Integer.parseInt(cl)) {
        throw new IOException("body cut short: " + body.length + " of " + cl + " bytes");
      }
    } else if (!headOnly && "chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = chunks();
    }
    return new Response(statusLine, status, headers, body);
  }

  public Response exchange(String request) throws IOException {
    write(request);
    return read(request.startsWith("HEAD "));
  }

  /**
   * Whether the server closed the connection: true when a read sees end of stream within the
   * timeout, false when the connection is still open and silent.
   */
  public boolean closedByPeer(int timeoutMs) throws IOException {
    int old = socket.getSoTimeout();
    socket.setSoTimeout(timeoutMs);
    try {
      int b = in.read();
      if (b >= 0) {
        throw new IOException("unexpected byte after the response: " + b);
      }
      return true;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      if (String.valueOf(reset.getMessage()).toLowerCase(Locale.ROOT).contains("reset")) {
        return true;
      }
      throw reset;
    } finally {
      if (!socket.isClosed()) {
        socket.setSoTimeout(old);
      }
    }
  }

  /** Number of bytes available right now without blocking. */
  public int available() throws IOException {
    return in.available();
  }

  /** A chunked body up to its last chunk (trailers are read and dropped). */
  private byte[] chunks() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String size = line();
      if (size == null) {
        throw new IOException("connection closed inside a chunked body after " + body.size() + " bytes");
      }
      int semicolon = size.indexOf(';');
      int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
      if (n == 0) {
        String trailer;
        while ((trailer = line()) != null && !trailer.isEmpty()) {
          // dropped
        }
        return body.toByteArray();
      }
      byte[] chunk = in.readNBytes(n);
      if (chunk.length != n) {
        throw new IOException("chunk cut short: " + chunk.length + " of " + n + " bytes");
      }
      body.write(chunk);
      line(); // the CRLF after the chunk
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(64);
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        byte[] bytes = buf.toByteArray();
        int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
      }
      buf.write(b);
    }
    return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
