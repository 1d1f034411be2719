package dynamo.obs.agent.targets.netty;

import dynamo.obs.agent.frontend.Frontend;
import dynamo.obs.agent.frontend.FrontendRequest;
import dynamo.obs.agent.http.FrontendPortRoutes;
import dynamo.obs.agent.http.ServedRequests;
import dynamo.obs.agent.trace.Tracing;
import dynamo.obs.agent.worker.InboundRequest;
import dynamo.obs.agent.worker.WorkerRuntime;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Requests on Netty connections. A connection's requests are answered in the order they came (HTTP/1.1, pipelined or
 * not), so each connection keeps its exchanges in a queue: a request's body belongs to the newest, a response to the
 * oldest not yet answered. Every event of a connection comes on its event loop, one at a time; the map of
 * connections is shared by the event loops.
 *
 * <p>The request context ({@link ServedRequests#started}) is left as soon as the request is registered: an event
 * loop serves many connections, and the application's handlers run later, often elsewhere.
 */
final class NettyExchanges {
  /** Bound on tracked connections, so a server that never closes its connections cannot grow memory. */
  private static final int MAX_CONNECTIONS = 100_000;
  /** Bound on one connection's unanswered requests (pipelining). */
  private static final int MAX_PENDING = 64;

  /** One request of a connection. */
  private static final class Exchange {
    /** The request's key in {@link ServedRequests}. */
    final Object key = new Object();
    FrontendRequest recorder;
    InboundRequest inbound;
    boolean answered;
    /** A handler threw while it was unanswered: a connection closed now is the server's failure, not the client's. */
    boolean failed;
    /**
     * A GET or HEAD of a system status route (method, path, Accept, Accept-Encoding): the application's 404 to it
     * is replaced by the agent's answer.
     */
    String[] portRoute;
  }

  /** A connection's requests: those not fully answered, oldest first; the one whose body is being read. */
  private static final class Connection {
    final ArrayDeque<Exchange> pending = new ArrayDeque<>(2);
    Exchange reading;
    /** Where a direct buffer's bytes are copied to be scanned, a piece at a time (made at the first). */
    byte[] scratch;
  }

  private final ServedRequests<Object> requests;
  private final Consumer<Throwable> errors;
  /** Null when the application's port answers no system routes. */
  private final FrontendPortRoutes portRoutes;
  private final NettyHeaders headers = new NettyHeaders();
  private final ConcurrentHashMap<Object, Connection> connections = new ConcurrentHashMap<>();

  NettyExchanges(Frontend frontend, WorkerRuntime workers, Tracing tracing, Consumer<Throwable> errors,
      FrontendPortRoutes portRoutes) {
    this.requests = new ServedRequests<>(frontend, workers, tracing, headers, errors);
    this.errors = errors;
    this.portRoutes = portRoutes;
  }

  /** A request's head was decoded; {@code target} is its request target (origin or absolute form). */
  void requestHead(Object connection, String method, String target, Object headers) {
    Connection c = connections.get(connection);
    if (c == null) {
      if (connections.size() >= MAX_CONNECTIONS) {
        return;
      }
      c = new Connection();
      connections.put(connection, c);
    }
    if (c.pending.size() >= MAX_PENDING) {
      return;
    }
    Exchange e = new Exchange();
    String path = path(target);
    try {
      e.recorder = requests.started(e.key, path, headers, requests.tracing() ? line(method, target) : null);
    } finally {
      requests.runEnded(); // the event loop goes on with other connections
    }
    e.inbound = e.recorder == null ? requests.inbound(e.key) : null;
    if (portRoutes != null && e.recorder == null && portRoutes.answers(method, path)) {
      e.portRoute = new String[]{method, path, this.headers.first(headers, "accept"),
          this.headers.first(headers, "accept-encoding")};
    }
    c.pending.addLast(e);
    c.reading = e;
  }

  /** A piece of a request's or a response's body. */
  void bytes(Object connection, boolean request, byte[] b, int off, int len) {
    Connection c = connections.get(connection);
    if (c != null) {
      deliver(c, request, b, off, len);
    }
  }

  /** A piece of a body in a buffer that has no array: scanned a piece at a time, never a copy of the body. */
  void bytes(Object connection, boolean request, ByteBuffer buffer, int off, int len) {
    Connection c = connections.get(connection);
    if (c == null || (request ? c.reading : c.pending.peekFirst()) == null) {
      return;
    }
    if (c.scratch == null) {
      c.scratch = new byte[512];
    }
    ByteBuffer view = buffer.duplicate();
    view.limit(off + len).position(off);
    while (view.hasRemaining()) {
      int k = Math.min(c.scratch.length, view.remaining());
      view.get(c.scratch, 0, k);
      deliver(c, request, c.scratch, 0, k);
    }
  }

  private void deliver(Connection c, boolean request, byte[] b, int off, int len) {
    if (request) {
      Exchange e = c.reading;
      if (e != null) {
        if (e.recorder != null) {
          e.recorder.requestBytes(b, off, len);
        } else if (e.inbound != null) {
          e.inbound.requestBytes(b, off, len);
        }
      }
      return;
    }
    Exchange e = c.pending.peekFirst();
    if (e != null && e.answered) {
      if (e.recorder != null) {
        e.recorder.responseBytes(b, off, len);
      } else if (e.inbound != null) {
        e.inbound.responseBytes(len);
      }
    }
  }

  /** The request's body ended. */
  void requestEnd(Object connection) {
    Connection c = connections.get(connection);
    if (c != null && c.reading != null) {
      Exchange e = c.reading;
      c.reading = null;
      if (e.recorder != null) {
        e.recorder.requestBodyDone();
      } else if (e.inbound != null) {
        e.inbound.requestBodyDone();
      }
    }
  }

  /**
   * A final response's head: returns the x-request-id to echo (a String); or, for the application's 404 to a system
   * status route, the agent's whole answer to send in its place (a byte[]); or null.
   */
  Object responseHead(Object connection, CharSequence status, String contentType, Object responseHeaders) {
    Connection c = connections.get(connection);
    Exchange e = c == null ? null : c.pending.peekFirst();
    if (e == null || e.answered) {
      return null;
    }
    e.answered = true;
    if (e.portRoute != null && status(status) == 404) {
      String[] r = e.portRoute;
      // the connection stays open, or closes after this answer, as the application's own answer said
      boolean keepAlive = !"close".equalsIgnoreCase(headers.first(responseHeaders, "connection"));
      return portRoutes.answer(r[0], r[1], r[2], r[3]).wire(keepAlive, r[0].equals("HEAD"));
    }
    if (e.recorder == null) {
      return null;
    }
    e.recorder.responseStarted(status(status), ServedRequests.isEventStream(contentType));
    return e.recorder.xRequestId();
  }

  /** The response ended: the oldest exchange is answered. */
  void responseEnd(Object connection) {
    Connection c = connections.get(connection);
    Exchange e = c == null ? null : c.pending.peekFirst();
    if (e == null || !e.answered) {
      return;
    }
    c.pending.pollFirst();
    if (c.reading == e) {
      c.reading = null; // answered before its body was read to its end
    }
    if (e.recorder != null) {
      e.recorder.completed();
    } else if (e.inbound != null) {
      requests.inboundEnded(e.key);
    }
  }

  /** The connection's input ended: what is not answered by now has lost its client. */
  void closed(Object connection) {
    Connection c = connections.remove(connection);
    if (c == null) {
      return;
    }
    for (Exchange e : c.pending) {
      if (e.recorder != null && e.failed) {
        e.recorder.failed();
      } else if (e.recorder != null) {
        e.recorder.clientGone();
      } else if (e.inbound != null) {
        requests.inboundEnded(e.key);
      }
    }
    c.pending.clear();
  }

  /**
   * An exception travels the connection's pipeline: a handler threw (an I/O error is the client's connection, which
   * its close tells). The requests not answered yet then fail if the connection closes without their answer.
   */
  void exception(Object connection, Throwable t) {
    if (t instanceof IOException) {
      return;
    }
    Connection c = connections.get(connection);
    if (c != null) {
      for (Exchange e : c.pending) {
        if (!e.answered) {
          e.failed = true;
        }
      }
    }
  }

  /** The target was turned off: its open requests are let go of. */
  void abandonAll() {
    requests.abandonAll();
    connections.clear();
  }

  /** The path of a request target: the origin form's path, or an absolute form's; the query is not part of it. */
  static String path(String target) {
    if (target == null) {
      return null;
    }
    int start = 0;
    if (!target.startsWith("/")) {
      int scheme = target.indexOf("://");
      if (scheme < 0) {
        return target; // "*" (OPTIONS) or a malformed target: no inference route
      }
      start = target.indexOf('/', scheme + 3);
      if (start < 0) {
        return "/";
      }
    }
    int end = target.length();
    for (int i = start; i < end; i++) {
      char ch = target.charAt(i);
      if (ch == '?' || ch == '#') {
        end = i;
        break;
      }
    }
    return start == 0 && end == target.length() ? target : target.substring(start, end);
  }

  /** Three digits of a status code, as Netty keeps them in text. */
  static int status(CharSequence code) {
    int v = 0;
    for (int i = 0; i < code.length(); i++) {
      char ch = code.charAt(i);
      if (ch < '0' || ch > '9') {
        break;
      }
      v = v * 10 + (ch - '0');
    }
    return v;
  }

  private static ServedRequests.RequestLine line(String method, String target) {
    return new ServedRequests.RequestLine() {
      @Override
      public String method() {
        return method;
      }

      @Override
      public String uri() {
        return target;
      }

      @Override
      public String version() {
        return "HTTP/1.1";
      }
    };
  }

  /**
   * Netty's request headers ({@code io.netty.handler.codec.http.HttpHeaders}, of the application's class loader):
   * {@code get(String)}, looked up once per headers class and asked for just the names this process needs —
   * case-insensitive, without making strings of the headers it does not read.
   */
  static final class NettyHeaders implements ServedRequests.HeaderReader<Object> {
    private static final MethodType GET = MethodType.methodType(String.class, String.class);
    private static final ClassValue<MethodHandle> GETTERS = new ClassValue<>() {
      @Override
      protected MethodHandle computeValue(Class<?> type) {
        for (Class<?> t = type; t != null; t = t.getSuperclass()) {
          if (t.getName().equals("io.netty.handler.codec.http.HttpHeaders")) {
            try {
              return MethodHandles.publicLookup().findVirtual(t, "get", GET)
                  .asType(MethodType.methodType(String.class, Object.class, String.class));
            } catch (ReflectiveOperationException e) {
              throw new IllegalStateException("no HttpHeaders.get(String) on " + type.getName(), e);
            }
          }
        }
        throw new IllegalStateException(type.getName() + " is no io.netty.handler.codec.http.HttpHeaders");
      }
    };

    @Override
    public String first(Object headers, String name) {
      if (headers == null) {
        return null;
      }
      try {
        return (String) GETTERS.get(headers.getClass()).invokeExact(headers, name);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
    }
  }
}
