package dynamo.obs.agent.server;

import dynamo.obs.agent.console.AgentLog;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The system status server: a small HTTP/1.1 server for {@code /health}, {@code /live} and
 * {@code /metrics}.
 *
 * <p>Why not {@code com.sun.net.httpserver}: the application may use it too and the agent
 * instruments it; and it writes the response head and body in separate small writes without
 * TCP_NODELAY, so on a keep-alive connection each scrape waits for the peer's delayed ACK (~40 ms,
 * Nagle's algorithm). Here every response is one write on a TCP_NODELAY socket.
 */
public final class SystemStatusServer {
  private static final AgentLog LOG = AgentLog.forTarget("dynamo_obs.system_status_server");
  private static final int MAX_HEAD_BYTES = 16 * 1024;
  private static final int MAX_BODY_BYTES = 64 * 1024;
  private static final int IDLE_TIMEOUT_MS = 60_000;
  /** A request's head and body, from its first byte: a client that trickles them does not hold a worker longer. */
  private static final int HEAD_TIMEOUT_MS = 10_000;
  /** A connection beyond the workers': its one request, from its accept. */
  private static final int OVERFLOW_TIMEOUT_MS = 1_000;
  private static final int MAX_CONNECTIONS = 16;

  private final Function<HttpRequest, HttpResponse> routes;
  private final ServerSocket socket;
  private final ThreadPoolExecutor workers;
  /** The thread that accepts connections; joined on close, when the port is really free. */
  private volatile Thread acceptor;
  private final int headTimeoutMs;
  private volatile boolean closed;

  private SystemStatusServer(ServerSocket socket, Function<HttpRequest, HttpResponse> routes, int maxConnections,
      int headTimeoutMs) {
    this.socket = socket;
    this.routes = routes;
    this.headTimeoutMs = headTimeoutMs;
    AtomicInteger n = new AtomicInteger();
    this.workers = new ThreadPoolExecutor(0, maxConnections, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
      Thread t = new Thread(r, "dynamo-obs-http-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** Binds and starts serving; throws if the address cannot be bound. */
  public static SystemStatusServer start(String host, int port, Function<HttpRequest, HttpResponse> routes)
      throws IOException {
    return start(host, port, routes, MAX_CONNECTIONS, HEAD_TIMEOUT_MS);
  }

  static SystemStatusServer start(String host, int port, Function<HttpRequest, HttpResponse> routes,
      int maxConnections, int headTimeoutMs) throws IOException {
    ServerSocket ss = new ServerSocket();
    try {
      ss.setReuseAddress(true);
      ss.bind(new InetSocketAddress(InetAddress.getByName(host), port), 64);
    } catch (IOException | RuntimeException e) {
      ss.close();
      throw e;
    }
    SystemStatusServer server = new SystemStatusServer(ss, routes, maxConnections, headTimeoutMs);
    Thread acceptor = new Thread(server::acceptLoop, "dynamo-obs-http-acceptor");
    acceptor.setDaemon(true);
    server.acceptor = acceptor;
    acceptor.start();
    return server;
  }

  public int port() {
    return socket.getLocalPort();
  }

  /**
   * Closes the port and lets the server's threads go. Returns once the port is free: a socket closed while a thread
   * accepts on it is released only as that thread leaves {@code accept} — an application about to bind the same port
   * ({@link SystemPort}) must not find it still taken.
   */
  public void close() {
    closed = true;
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing
    }
    workers.shutdownNow();
    Thread a = acceptor;
    if (a != null && a != Thread.currentThread()) {
      try {
        a.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void acceptLoop() {
    while (!closed) {
      Socket s;
      try {
        s = socket.accept();
      } catch (IOException e) {
        if (!closed) {
          LOG.once(AgentLog.Level.WARN, "accept", "system status server: accept failed: " + e);
        }
        continue;
      }
      try {
        workers.execute(() -> serve(s));
      } catch (RejectedExecutionException e) {
        // Every worker holds a connection (most often an idle keep-alive one): this one's request is read and
        // answered here, within a short deadline, and the connection closed, so that probes are still answered.
        serveOne(s);
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      s.setTcpNoDelay(true);
      Deadline d = new Deadline(s, IDLE_TIMEOUT_MS);
      InputStream in = new BufferedInputStream(d, 8192);
      OutputStream out = s.getOutputStream();
      while (!closed) {
        d.startAtNextByte(headTimeoutMs);
        if (!exchange(in, out, true)) {
          return;
        }
        d.clear(); // waiting for the next request on a keep-alive connection: idle
      }
    } catch (IOException e) {
      // idle for too long, too slow to send its request, reset or gone: nothing to answer
    }
  }

  private void serveOne(Socket s) {
    try (s) {
      s.setTcpNoDelay(true);
      Deadline d = new Deadline(s, OVERFLOW_TIMEOUT_MS);
      d.startNow(OVERFLOW_TIMEOUT_MS);
      exchange(new BufferedInputStream(d, 8192), s.getOutputStream(), false);
    } catch (IOException e) {
      // too slow, reset or gone
    }
  }

  /** Reads one request and answers it; false when the connection is to be closed after it. */
  private boolean exchange(InputStream in, OutputStream out, boolean mayKeepAlive) throws IOException {
    HttpRequest req;
    try {
      req = readHead(in);
    } catch (HeadTooLarge e) {
      write(out, HttpResponse.text(431, "Request header fields too large"), false, false);
      return false;
    } catch (BadRequest e) {
      write(out, HttpResponse.text(400, "Bad request"), false, false);
      return false;
    }
    if (req == null) {
      return false; // peer closed
    }
    if (!discardBody(in, req)) {
      write(out, HttpResponse.text(413, "Request body too large"), false, false);
      return false;
    }
    boolean keepAlive = mayKeepAlive && keepAlive(req);
    HttpResponse resp;
    try {
      resp = routes.apply(req);
    } catch (RuntimeException e) {
      LOG.once(AgentLog.Level.ERROR, "route:" + e.getClass().getName(),
          "system status server: " + req.path() + " failed: " + e);
      resp = HttpResponse.text(500, "Internal error");
    }
    write(out, resp, keepAlive, req.method().equals("HEAD"));
    return keepAlive;
  }

  /**
   * A connection's input with a deadline for reading one request: each read waits at most until it (or, with
   * none running, for the idle timeout), and a read after it fails as a timeout.
   */
  static final class Deadline extends FilterInputStream {
    private final Socket socket;
    private final int idleMs;
    private long deadline; // System.nanoTime() bound, when running
    private boolean running;
    private int pendingMs; // > 0: starts at the next bytes read

    Deadline(Socket socket, int idleMs) throws IOException {
      super(socket.getInputStream());
      this.socket = socket;
      this.idleMs = idleMs;
      socket.setSoTimeout(idleMs);
    }

    void startAtNextByte(int ms) {
      pendingMs = ms;
    }

    void startNow(int ms) {
      pendingMs = 0;
      running = true;
      deadline = System.nanoTime() + ms * 1_000_000L;
    }

    void clear() throws IOException {
      pendingMs = 0;
      if (running) {
        running = false;
        socket.setSoTimeout(idleMs);
      }
    }

    private void beforeRead() throws IOException {
      if (running) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          throw new SocketTimeoutException("the request was not read in time");
        }
        socket.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
      }
    }

    private void afterRead(long n) {
      if (n > 0 && pendingMs > 0) {
        startNow(pendingMs);
      }
    }

    @Override
    public int read() throws IOException {
      beforeRead();
      int b = super.read();
      afterRead(b >= 0 ? 1 : 0);
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      beforeRead();
      int n = super.read(b, off, len);
      afterRead(n);
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      beforeRead();
      long k = super.skip(n);
      afterRead(k);
      return k;
    }
  }

  private static boolean keepAlive(HttpRequest req) {
    String conn = req.header("connection");
    String c = conn == null ? "" : conn.toLowerCase(Locale.ROOT);
    if ("HTTP/1.0".equals(req.version())) {
      return c.contains("keep-alive");
    }
    return !c.contains("close");
  }

  private static final class HeadTooLarge extends IOException {
    private static final long serialVersionUID = 1L;
  }

  private static final class BadRequest extends IOException {
    private static final long serialVersionUID = 1L;
  }

  /** Reads a request line and headers; null on a clean end of stream before any byte. */
  static HttpRequest readHead(InputStream in) throws IOException {
    String requestLine = readLine(in, true);
    while (requestLine != null && requestLine.isEmpty()) {
      requestLine = readLine(in, true); // tolerate stray CRLF between requests
    }
    if (requestLine == null) {
      return null;
    }
    String[] parts = requestLine.split(" ");
    if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
      throw new BadRequest();
    }
    String target = parts[1];
    int q = target.indexOf('?');
    String path = q >= 0 ? target.substring(0, q) : target;
    Map<String, String> headers = new HashMap<>();
    int total = requestLine.length();
    while (true) {
      String line = readLine(in, false);
      if (line == null) {
        throw new BadRequest();
      }
      if (line.isEmpty()) {
        break;
      }
      total += line.length();
      if (total > MAX_HEAD_BYTES) {
        throw new HeadTooLarge();
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new BadRequest();
      }
      String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).trim();
      headers.merge(name, value, (a, b) -> a + ", " + b);
    }
    return new HttpRequest(parts[0], path, parts[2], headers);
  }

  private static String readLine(InputStream in, boolean eofAllowed) throws IOException {
    StringBuilder sb = new StringBuilder(64);
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (eofAllowed && sb.length() == 0) {
          return null;
        }
        throw new BadRequest();
      }
      if (b == '\n') {
        int len = sb.length();
        if (len > 0 && sb.charAt(len - 1) == '\r') {
          sb.setLength(len - 1);
        }
        return sb.toString();
      }
      if (sb.length() >= MAX_HEAD_BYTES) {
        throw new HeadTooLarge();
      }
      sb.append((char) b);
    }
  }

  /** Skips a request body we do not use; false when it is too large to skip or chunked. */
  private static boolean discardBody(InputStream in, HttpRequest req) throws IOException {
    String te = req.header("transfer-encoding");
    if (te != null && !te.equalsIgnoreCase("identity")) {
      return false;
    }
    String cl = req.header("content-length");
    if (cl == null) {
      return true;
    }
    long len;
    try {
      len = Long.parseLong(cl.trim());
    } catch (NumberFormatException e) {
      return false;
    }
    if (len < 0 || len > MAX_BODY_BYTES) {
      return false;
    }
    while (len > 0) {
      long skipped = in.skip(len);
      if (skipped <= 0) {
        if (in.read() < 0) {
          return false;
        }
        skipped = 1;
      }
      len -= skipped;
    }
    return true;
  }

  private static void write(OutputStream out, HttpResponse r, boolean keepAlive, boolean headOnly) throws IOException {
    out.write(r.wire(keepAlive, headOnly));
    out.flush();
  }
}
