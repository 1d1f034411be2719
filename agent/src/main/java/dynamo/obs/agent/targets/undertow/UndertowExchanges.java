package dynamo.obs.agent.targets.undertow;

import dynamo.obs.agent.context.RequestContext;
import dynamo.obs.agent.frontend.Frontend;
import dynamo.obs.agent.frontend.FrontendRequest;
import dynamo.obs.agent.http.FrontendPortRoutes;
import dynamo.obs.agent.http.ServedRequests;
import dynamo.obs.agent.trace.Tracing;
import dynamo.obs.agent.worker.InboundRequest;
import dynamo.obs.agent.worker.WorkerRuntime;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Requests on Undertow servers. The {@code HttpServerExchange} is the key: one per request, its channels the
 * application's only way to its body. An exchange is used by one thread at a time (Undertow hands it from the I/O
 * thread to a worker and back, never to two at once), but by different threads over its life.
 *
 * <p>Only exchanges measured here are tracked — an inference request, a worker's inbound request, or one handed
 * over to the servlet target — from their first root handler call to their end; a later root handler call of a
 * tracked exchange (after a dispatch) gives that thread the request's context again. Any other exchange is looked
 * up and not found, nothing more.
 */
final class UndertowExchanges {
  /** Where a buffer without an array is copied to be scanned, a piece at a time (per thread: no copy of a body). */
  private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[512]);

  /** One exchange measured here. */
  private static final class Exchange {
    final FrontendRequest recorder;
    final InboundRequest inbound;
    /** The request context it started with, for the threads it is dispatched to. */
    final Object context;
    /** The positions of the buffers of a scattering read or gathering write, taken before it (made at the first). */
    int[] readPositions;
    int[] writePositions;

    Exchange(FrontendRequest recorder, InboundRequest inbound, Object context) {
      this.recorder = recorder;
      this.inbound = inbound;
      this.context = context;
    }
  }

  /** An exchange a servlet deployment serves: the servlet target measures it. */
  private static final Exchange HANDED_OVER = new Exchange(null, null, null);

  private final ServedRequests<Object> requests;
  private final UndertowHeaders headers = new UndertowHeaders();
  /** Null when the application's port answers no system routes. */
  private final FrontendPortRoutes portRoutes;
  private final ConcurrentHashMap<Object, Exchange> exchanges = new ConcurrentHashMap<>();

  UndertowExchanges(Frontend frontend, WorkerRuntime workers, Tracing tracing, Consumer<Throwable> errors,
      FrontendPortRoutes portRoutes) {
    this.requests = new ServedRequests<>(frontend, workers, tracing, headers, errors);
    this.portRoutes = portRoutes;
  }

  /**
   * The root handler is entered for {@code exchange}: the request starts (its head is parsed), or goes on on this
   * thread after a dispatch. Returns non-null when this thread has the request's context until the root handler
   * returns.
   */
  Object rootEntered(Object exchange, String path, Object headers) {
    Exchange e = exchanges.get(exchange);
    if (e != null) {
      if (e == HANDED_OVER) {
        return null;
      }
      requests.resumed(exchange, e.context);
      return Boolean.TRUE;
    }
    FrontendRequest recorder = requests.started(exchange, path, headers,
        requests.tracing() ? ExchangeLine.of(exchange) : null);
    InboundRequest inbound = recorder == null ? requests.inbound(exchange) : null;
    if (recorder != null || inbound != null) {
      exchanges.put(exchange, new Exchange(recorder, inbound, RequestContext.current()));
    }
    return Boolean.TRUE;
  }

  /** The root handler returned: this thread serves the request no longer. */
  void rootExited() {
    requests.runEnded();
  }

  /** Bytes of the request's body (read into) or of the response's (written from) {@code buffer}, in place. */
  void bytes(Object exchange, boolean request, ByteBuffer buffer, int from, int to) {
    Exchange e = exchanges.get(exchange);
    if (e != null && e != HANDED_OVER) {
      deliver(e, request, buffer, from, to);
    }
  }

  /** A scattering read or gathering write is about to move the positions of these buffers. */
  void buffersBefore(Object exchange, boolean request, ByteBuffer[] buffers, int offset, int length) {
    Exchange e = exchanges.get(exchange);
    if (e == null || e == HANDED_OVER || offset < 0 || length <= 0 || offset + length > buffers.length) {
      return;
    }
    int[] positions = request ? e.readPositions : e.writePositions;
    if (positions == null || positions.length < length) {
      positions = new int[Math.max(length, 4)];
      if (request) {
        e.readPositions = positions;
      } else {
        e.writePositions = positions;
      }
    }
    for (int i = 0; i < length; i++) {
      ByteBuffer b = buffers[offset + i];
      positions[i] = b == null ? -1 : b.position();
    }
  }

  /**
   * The scattering read or gathering write returned: each buffer's bytes are between its positions; a write that
   * {@code failed} wrote all it was given, as the application sees it (and as the JDK server counts it).
   */
  void buffersAfter(Object exchange, boolean request, ByteBuffer[] buffers, int offset, int length, boolean failed) {
    Exchange e = exchanges.get(exchange);
    if (e == null || e == HANDED_OVER || offset < 0 || length <= 0 || offset + length > buffers.length) {
      return;
    }
    int[] positions = request ? e.readPositions : e.writePositions;
    if (positions == null || positions.length < length) {
      return;
    }
    for (int i = 0; i < length; i++) {
      ByteBuffer b = buffers[offset + i];
      int end = b == null ? -1 : failed ? b.limit() : b.position();
      if (positions[i] >= 0 && end > positions[i]) {
        deliver(e, request, b, positions[i], end);
      }
    }
  }

  private static void deliver(Exchange e, boolean request, ByteBuffer buffer, int from, int to) {
    int len = to - from;
    if (len <= 0) {
      return;
    }
    if (!request && e.inbound != null) {
      e.inbound.responseBytes(len); // a worker's response is counted, not read
      return;
    }
    if (buffer.hasArray()) {
      deliver(e, request, buffer.array(), buffer.arrayOffset() + from, len);
      return;
    }
    byte[] scratch = SCRATCH.get();
    for (int at = from; at < to;) {
      int k = Math.min(scratch.length, to - at);
      buffer.get(at, scratch, 0, k); // absolute: the buffer's position and limit stay as they are
      deliver(e, request, scratch, 0, k);
      at += k;
    }
  }

  private static void deliver(Exchange e, boolean request, byte[] b, int off, int len) {
    if (e.recorder != null) {
      if (request) {
        e.recorder.requestBytes(b, off, len);
      } else {
        e.recorder.responseBytes(b, off, len);
      }
    } else if (e.inbound != null && request) {
      e.inbound.requestBytes(b, off, len);
    }
  }

  /** A read found the request's body at its end. */
  void requestEnd(Object exchange) {
    Exchange e = exchanges.get(exchange);
    if (e == null) {
      return;
    }
    if (e.recorder != null) {
      e.recorder.requestBodyDone();
    } else if (e.inbound != null) {
      e.inbound.requestBodyDone();
    }
  }

  /** The response's head is final: returns the x-request-id to echo, or null. */
  String responseHead(Object exchange, int status, String contentType) {
    Exchange e = exchanges.get(exchange);
    if (e == null || e.recorder == null) {
      return null;
    }
    e.recorder.responseStarted(status, ServedRequests.isEventStream(contentType));
    return e.recorder.xRequestId();
  }

  /**
   * The exchange ended. A connection closed by then lost its client (Undertow closes the connection when a write to
   * it fails, and ends the exchange of a connection that closed); otherwise a throwable the root handler caught means
   * the handler failed (its 500, or the end of a response it had begun).
   */
  void completed(Object exchange, boolean connectionOpen, boolean handlerFailed) {
    Exchange e = exchanges.remove(exchange);
    if (e == null || e == HANDED_OVER) {
      return;
    }
    if (e.recorder != null) {
      if (!connectionOpen) {
        e.recorder.clientGone();
      } else if (handlerFailed) {
        e.recorder.failed();
      } else {
        e.recorder.completed();
      }
    } else {
      requests.inboundEnded(exchange);
    }
  }

  /** A servlet deployment serves the request: the servlet target measures it, so it is let go of here uncounted. */
  void servlet(Object exchange) {
    Exchange e = exchanges.get(exchange);
    if (e == null || e == HANDED_OVER) {
      return;
    }
    exchanges.put(exchange, HANDED_OVER); // kept, so that a later dispatch does not start it again
    if (e.recorder != null) {
      e.recorder.abandon();
    } else {
      requests.inboundEnded(exchange);
    }
  }

  /**
   * Undertow's own 404 handler is about to answer the request: the agent's answer when it is a GET or HEAD of a
   * system status route ({@link FrontendPortRoutes#answerFields}), or null. (A servlet deployment answers its 404s
   * with {@code sendError}, where the servlet target answers: Undertow's servlet classes never run this handler.)
   */
  Object[] notFound(String method, String path, Object requestHeaders) {
    if (portRoutes == null || !portRoutes.answers(method, path)) {
      return null;
    }
    return portRoutes.answerFields(method, path, headers.first(requestHeaders, "accept"),
        headers.first(requestHeaders, "accept-encoding"));
  }

  /** The target was turned off: its open requests are let go of. */
  void abandonAll() {
    requests.abandonAll();
    exchanges.clear();
  }

  /**
   * Undertow's request headers ({@code io.undertow.util.HeaderMap}, of the application's class loader):
   * {@code getFirst(String)}, a case-insensitive hashed lookup, looked up once per class.
   */
  static final class UndertowHeaders implements ServedRequests.HeaderReader<Object> {
    private static final ClassValue<MethodHandle> GET_FIRST = new ClassValue<>() {
      @Override
      protected MethodHandle computeValue(Class<?> type) {
        return ExchangeLine.method(type, "io.undertow.util.HeaderMap", "getFirst",
            MethodType.methodType(String.class, String.class));
      }
    };

    @Override
    public String first(Object headers, String name) {
      if (headers == null) {
        return null;
      }
      try {
        return (String) GET_FIRST.get(headers.getClass()).invokeExact(headers, name);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
    }
  }

  /**
   * The request line of an exchange, for its span (read only when tracing is on): {@code getRequestMethod()},
   * {@code getRequestURI()}, {@code getQueryString()}, {@code getProtocol()}, looked up once per exchange class.
   */
  static final class ExchangeLine implements ServedRequests.RequestLine {
    private static final String EXCHANGE = "io.undertow.server.HttpServerExchange";
    private static final ClassValue<MethodHandle[]> ACCESSORS = new ClassValue<>() {
      @Override
      protected MethodHandle[] computeValue(Class<?> type) {
        MethodType httpString = MethodType.methodType(findClass(type, "io.undertow.util.HttpString"));
        return new MethodHandle[]{
            method(type, EXCHANGE, "getRequestMethod", httpString),
            method(type, EXCHANGE, "getRequestURI", MethodType.methodType(String.class)),
            method(type, EXCHANGE, "getQueryString", MethodType.methodType(String.class)),
            method(type, EXCHANGE, "getProtocol", httpString)};
      }
    };

    private final String method;
    private final String uri;
    private final String version;

    private ExchangeLine(String method, String uri, String version) {
      this.method = method;
      this.uri = uri;
      this.version = version;
    }

    static ExchangeLine of(Object exchange) {
      MethodHandle[] m = ACCESSORS.get(exchange.getClass());
      try {
        String uri = (String) m[1].invokeExact(exchange);
        String query = (String) m[2].invokeExact(exchange);
        Object method = m[0].invokeExact(exchange);
        Object protocol = m[3].invokeExact(exchange);
        return new ExchangeLine(String.valueOf(method), query == null || query.isEmpty() ? uri : uri + '?' + query,
            String.valueOf(protocol));
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
    }

    @Override
    public String method() {
      return method;
    }

    @Override
    public String uri() {
      return uri;
    }

    @Override
    public String version() {
      return version;
    }

    /** A public method of the class named {@code owner} (a super class of {@code type}), typed (Object…)R. */
    static MethodHandle method(Class<?> type, String owner, String name, MethodType mt) {
      for (Class<?> t = type; t != null; t = t.getSuperclass()) {
        if (t.getName().equals(owner)) {
          try {
            MethodHandle h = MethodHandles.publicLookup().findVirtual(t, name, mt);
            return h.asType(h.type().changeParameterType(0, Object.class).changeReturnType(
                mt.returnType().isPrimitive() || mt.returnType() == String.class ? mt.returnType() : Object.class));
          } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no " + owner + "." + name + mt + " on " + type.getName(), e);
          }
        }
      }
      throw new IllegalStateException(type.getName() + " is no " + owner);
    }

    private static Class<?> findClass(Class<?> type, String name) {
      try {
        return Class.forName(name, false, type.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(name + " is not visible to " + type.getName(), e);
      }
    }
  }
}
