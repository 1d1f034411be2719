package dynamo.obs.agent.targets.servlet;

import dynamo.obs.agent.frontend.Frontend;
import dynamo.obs.agent.frontend.FrontendRequest;
import dynamo.obs.agent.frontend.RequestBody;
import dynamo.obs.agent.frontend.Utf8;
import dynamo.obs.agent.trace.Tracing;
import dynamo.obs.agent.worker.InboundRequest;
import dynamo.obs.agent.worker.WorkerRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import dynamo.obs.agent.http.ServedRequests;
import dynamo.obs.agent.context.RequestContext;

/**
 * Requests on servlet containers ({@code jakarta.servlet} and {@code javax.servlet}). The container's
 * own request object is the {@link ServedRequests} key: its outermost filter or servlet starts it,
 * nested ones (filter chain, forward, include) are recognised by that key and pass through.
 *
 * <p>Bodies are observed where their bytes pass, never wrapped: the advice on the container's
 * {@code ServletInputStream} and {@code ServletOutputStream} hands over the bytes of each read and
 * write, and this class knows which request a stream belongs to — the one whose request or
 * response handed it out ({@code getInputStream}, {@code getOutputStream}), or, for a response
 * writer, the one whose writer was being called when the stream was first written to (the writer
 * encodes characters into the container's output stream). Inner calls of the same stream (a
 * {@code write(byte[])} that calls {@code write(byte[], int, int)}) are not counted twice. A writer
 * that encodes into the container's buffers itself, past its output stream (Tomcat's, Undertow's), hands over
 * the characters of its outermost {@code write} instead, encoded here as UTF-8; a reader that reads
 * the container's buffers itself (Tomcat's) hands over what its outermost {@code read} or
 * {@code readLine} returned.
 *
 * <p>Why one class of this size: every call of a container's streams, writers and readers meets the same two maps
 * (requests and their streams) and the same per-stream busy flag that keeps inner calls from being counted twice;
 * it is one piece of bookkeeping, its parts marked below (serving, ends, bodies).
 *
 * <p>In a worker process, every other request is a worker's inbound request: its body is scanned
 * for the model and counted, its response bytes counted, the same way.
 *
 * <p>A request ends when its outermost call returns (the handler's throw: {@code internal}), unless
 * it went asynchronous: then at the container's {@code AsyncListener.onComplete} (or
 * {@code onError}), whether the application called {@code complete()}, dispatched, or the request
 * timed out. A write that fails means the client went away ({@code cancelled}).
 */
final class ServletExchanges {
  private static final int IN = 0;
  private static final int OUT = 1;
  private static final int WRITER = 2;
  /** A response writer whose bytes do not pass the servlet output stream: its characters are what is seen. */
  private static final int DIRECT_WRITER = 3;
  /** A request reader whose bytes do not pass the servlet input stream: its characters are what is seen. */
  private static final int DIRECT_READER = 4;
  /** The writer and reader known to use the container's buffers themselves (Tomcat 9, 10 and 11). */
  private static final String TOMCAT_WRITER = "org.apache.catalina.connector.CoyoteWriter";
  /** Undertow's response writer: it encodes into its output stream's buffer, past the stream's write methods. */
  private static final String UNDERTOW_WRITER = "io.undertow.servlet.spec.ServletPrintWriterDelegate";
  private static final String TOMCAT_READER = "org.apache.catalina.connector.CoyoteReader";
  private static final byte[] NEWLINE = {'\n'};
  private static final byte[] NONE = new byte[0];

  /** One inference request ({@code recorder}), or a worker's inbound request ({@code inbound}). */
  private static final class Exchange {
    final ServletApi api;
    final Object request;
    final Object response;
    final FrontendRequest recorder;
    final InboundRequest inbound;
    /** The request context it started with, for its async dispatches. */
    final Object context;
    final byte[] oneIn = new byte[1];
    final byte[] oneOut = new byte[1];
    /** Characters of a direct writer, encoded a piece at a time (made at its first write). */
    byte[] encoded;
    char[] oneChar;
    Object in;
    Object out;
    Object writer;
    boolean described;
    volatile boolean inboundEnded;
    /** It went asynchronous: the container's listener calls end it. */
    volatile boolean async;
    /** The {@code AsyncContext} started during the current call, whose listener is added when that call returns. */
    Object pendingAsync;
    /** A write failed with an {@code IOException} (the client is gone) while it was asynchronous. */
    volatile boolean clientLeft;

    Exchange(ServletApi api, Object request, Object response, FrontendRequest recorder, InboundRequest inbound) {
      this.api = api;
      this.request = request;
      this.response = response;
      this.recorder = recorder;
      this.inbound = inbound;
      this.context = RequestContext.current();
    }

    boolean ended() {
      return recorder != null ? recorder.ended() : inboundEnded;
    }
  }

  /** A stream or writer of an exchange; busy while one of its calls runs, so inner calls are not counted again. */
  private static final class Io {
    final Exchange exchange;
    final int kind;
    boolean busy;
    /** The position of the buffer of the {@code ByteBuffer} call under way (one at a time: busy). */
    int from;

    Io(Exchange exchange, int kind) {
      this.exchange = exchange;
      this.kind = kind;
    }
  }

  private final ServedRequests<Object> requests;
  private final Consumer<Throwable> errors;
  /** The container's request and response objects of each open inference request. */
  private final ConcurrentHashMap<Object, Exchange> owners = new ConcurrentHashMap<>();
  /** The streams and writers handed out for them. */
  private final ConcurrentHashMap<Object, Io> io = new ConcurrentHashMap<>();
  /** The exchange whose writer is being called on this thread while its output stream is not known yet (cleared with set(null)). */
  private final ThreadLocal<Exchange> writing = new ThreadLocal<>();

  /**
   * @param errors where failures that must not end the call they happen in go: inside the container's listener
   *     calls, or beside a request that is measured all the same (counted against the servlet target)
   */
  ServletExchanges(Frontend frontend, WorkerRuntime workers, Tracing tracing, Consumer<Throwable> errors) {
    this.requests = new ServedRequests<>(frontend, workers, tracing,
        (request, name) -> ServletApi.of(request).header(request, name), errors);
    this.errors = errors;
  }

  /** The container's request a servlet or filter serves on this thread, or null. */
  Object serving() {
    return requests.serving();
  }

  /** The target was turned off: its open requests are let go of. */
  void abandonAll() {
    requests.abandonAll();
    owners.clear();
    io.clear();
  }

  // ---- serving -----------------------------------------------------------------------------------

  /**
   * A filter's {@code doFilter} or a servlet's {@code service} was entered. Returns whether this call
   * serves the request on this thread (then {@link #serviceExited} follows); false for the nested ones.
   */
  boolean serviceEntered(Object request, Object response) throws ReflectiveOperationException {
    ServletApi api = ServletApi.of(request);
    if (api == null || response == null) {
      return false;
    }
    Object key = api.unwrap(request);
    if (key == requests.serving()) {
      return false;
    }
    if (!api.isRequestDispatch(request)) {
      // an async dispatch (or error dispatch) of a request that started before: its context here too
      Exchange e = owners.get(key);
      if (e == null) {
        return false;
      }
      requests.resumed(key, e.context);
      return true;
    }
    FrontendRequest recorder = requests.started(key, api.pathInContext(key), key,
        requests.tracing() ? api.line(key) : null);
    InboundRequest inbound = recorder == null ? requests.inbound(key) : null;
    if (recorder != null || inbound != null) {
      Exchange e = new Exchange(api, key, response, recorder, inbound);
      owners.put(key, e);
      owners.put(response, e);
    }
    if (recorder != null) {
      try {
        recorder.requestLength(api.contentLength(key));
      } catch (ReflectiveOperationException | RuntimeException ex) {
        errors.accept(ex); // the body then ends where the application reads its end
      }
      String xRequestId = recorder.xRequestId();
      if (xRequestId != null) {
        try {
          api.setHeaderIfAbsent(response, "x-request-id", xRequestId);
        } catch (ReflectiveOperationException | RuntimeException ex) {
          errors.accept(ex); // the request is served and measured all the same
        }
      }
    }
    return true;
  }

  /** The call that serves the request on this thread returned, or threw {@code error}. */
  void serviceExited(Throwable error) throws ReflectiveOperationException {
    Object key = requests.serving();
    requests.runEnded();
    if (key == null) {
      return;
    }
    Exchange e = owners.get(key);
    if (e == null) {
      requests.inboundEnded(key);
      return;
    }
    if (e.recorder == null) {
      if (error != null || !e.api.isAsyncStarted(e.request)) {
        completed(e);
      } else {
        listenToAsyncEnd(e);
      }
    } else if (error != null) {
      failed(e);
    } else if (!e.api.isAsyncStarted(e.request)) {
      completed(e);
    } else {
      listenToAsyncEnd(e);
    }
  }

  /**
   * Adds the listener that ends an asynchronous request, once the call that started it returns: the container's
   * {@code onError} then reaches the application's listeners (Spring's, which settle the request) before the
   * agent's. Listening first, the agent's work would delay theirs and let an application thread that reacts to the
   * same failed write race them: Tomcat refuses its late {@code dispatch()} with an {@code IllegalStateException}.
   */
  private void listenToAsyncEnd(Exchange e) throws ReflectiveOperationException {
    Object asyncContext = e.pendingAsync;
    if (asyncContext != null) {
      e.pendingAsync = null;
      e.api.addListener(asyncContext, new AsyncEnd(e));
    }
  }

  /** {@code startAsync} returned {@code asyncContext}: the request ends when the container says so. */
  void asyncStarted(Object request, Object asyncContext) throws ReflectiveOperationException {
    Exchange e = owners.get(request); // the container's request: a wrapper's startAsync calls it
    if (e != null && asyncContext != null && !e.ended()) {
      // the listener is added when the call that started it returns (serviceExited): after the application's and
      // its framework's own listeners, so that the container's onError reaches them first, as without the agent
      e.pendingAsync = asyncContext;
      e.async = true;
    }
  }

  /** The container's {@code AsyncListener} calls: the end of an asynchronous request. */
  private final class AsyncEnd implements InvocationHandler {
    private final Exchange exchange;

    AsyncEnd(Exchange exchange) {
      this.exchange = exchange;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) {
      switch (method.getName()) {
        case "hashCode" :
          return System.identityHashCode(proxy);
        case "equals" :
          return args != null && args.length == 1 && proxy == args[0];
        case "toString" :
          return "dynamo-obs request end";
        default :
          break;
      }
      try {
        if (method.getName().equals("onComplete")) {
          if (exchange.clientLeft) {
            clientGone(exchange);
          } else {
            completed(exchange);
          }
        } else if (method.getName().equals("onError")) {
          Throwable t = exchange.api.throwable(args == null ? null : args[0]);
          if (t instanceof IOException || exchange.clientLeft) {
            clientGone(exchange);
          } else {
            failed(exchange);
          }
        }
        // onTimeout, onStartAsync: what the container or the application does next decides
      } catch (Throwable t) {
        errors.accept(t); // never into the container's listener loop
      }
      return null;
    }
  }

  // ---- ends --------------------------------------------------------------------------------------

  private void completed(Exchange e) throws ReflectiveOperationException {
    if (e.recorder == null) {
      release(e);
      return;
    }
    try {
      describe(e);
    } finally {
      e.recorder.completed();
      release(e);
    }
  }

  private void failed(Exchange e) {
    if (e.recorder != null) {
      e.recorder.failed();
    }
    release(e);
  }

  private void clientGone(Exchange e) {
    if (e.recorder != null) {
      e.recorder.clientGone();
    }
    release(e);
  }

  private void release(Exchange e) {
    if (e.recorder == null && !e.inboundEnded) {
      e.inboundEnded = true;
      requests.inboundEnded(e.request);
    }
    owners.remove(e.request, e);
    owners.remove(e.response, e);
    unbind(e, e.in);
    unbind(e, e.out);
    unbind(e, e.writer);
  }

  private void unbind(Exchange e, Object stream) {
    if (stream != null) {
      Io b = io.get(stream);
      if (b != null && b.exchange == e) {
        io.remove(stream, b);
      }
    }
  }

  /** The response's status and content type, once: as the first body bytes pass (or at the end). */
  private void describe(Exchange e) throws ReflectiveOperationException {
    if (!e.described) {
      e.described = true;
      e.recorder.responseStarted(e.api.status(e.response),
          ServedRequests.isEventStream(e.api.contentType(e.response)));
    }
  }

  // ---- bodies ------------------------------------------------------------------------------------

  /** A request or response handed out a stream or writer ({@code owner} may be a wrapper: then it is not ours). */
  void ioOpened(Object owner, Object stream) {
    Exchange e = stream == null ? null : owners.get(owner);
    if (e == null || e.ended()) {
      return;
    }
    if (stream instanceof InputStream) {
      e.in = bind(e, IN, stream);
    } else if (stream instanceof OutputStream) {
      bindOutput(e, stream);
    } else if (stream instanceof Reader && stream.getClass().getName().equals(TOMCAT_READER)) {
      e.in = bind(e, DIRECT_READER, stream);
    } else if (stream instanceof Writer && e.out == null) {
      String type = stream.getClass().getName();
      e.writer = bind(e, type.equals(TOMCAT_WRITER) || type.equals(UNDERTOW_WRITER) ? DIRECT_WRITER : WRITER, stream);
    }
  }

  private Object bind(Exchange e, int kind, Object stream) {
    Io b = io.get(stream);
    if (b == null || b.exchange != e) {
      io.put(stream, new Io(e, kind)); // a container reuses its streams from one request to the next
    }
    return stream;
  }

  private Io bindOutput(Exchange e, Object stream) {
    e.out = bind(e, OUT, stream);
    if (e.writer != null) {
      unbind(e, e.writer); // its bytes pass through the stream now known
      e.writer = null;
    }
    return io.get(stream);
  }

  /**
   * A read, write, flush or close of a servlet stream, or a call of a response writer, began.
   * Returns what its exit is handed, or null when it is none of an inference request's or an
   * inner call of one already running.
   */
  Object ioEntered(Object stream) {
    Io b = io.get(stream);
    if (b != null && (b.kind == DIRECT_WRITER || b.kind == DIRECT_READER)) {
      return null; // its characters are seen in its write and read calls
    }
    if (b == null) {
      Exchange e = writing.get();
      if (e == null || e.out != null || !(stream instanceof OutputStream)) {
        return null;
      }
      b = bindOutput(e, stream); // the stream its writer writes to
    }
    if (b.kind == WRITER) {
      if (b.exchange.out != null || writing.get() != null) {
        return null;
      }
      writing.set(b.exchange);
      return b;
    }
    if (b.busy || b.exchange.ended()) {
      return null;
    }
    b.busy = true;
    return b;
  }

  /**
   * A writer's {@code write} of characters, or a reader's {@code read} or {@code readLine}, began: for
   * a direct writer or reader, its outermost one is followed; for any other, as {@link #ioEntered}.
   */
  Object charsEntered(Object writerOrReader) {
    Io b = io.get(writerOrReader);
    if (b == null || (b.kind != DIRECT_WRITER && b.kind != DIRECT_READER)) {
      return ioEntered(writerOrReader);
    }
    if (b.busy || b.exchange.ended()) {
      return null;
    }
    b.busy = true;
    return b;
  }

  /**
   * A writer's {@code write} of {@code len} characters of {@code chars} (char[] or String) from
   * {@code off} ended, or a reader's {@code read} into {@code chars} from {@code off} returned {@code len}
   * (-1: the end).
   */
  void charsExited(Object call, Object chars, int off, int len, Throwable error) {
    Io b = (Io) call;
    if (b.kind != DIRECT_WRITER && b.kind != DIRECT_READER) {
      ioExited(call, error);
      return;
    }
    b.busy = false;
    if (b.kind == DIRECT_READER && len < 0 && error == null) {
      deliver(b, NONE, 0, -1, null); // the body's end
      return;
    }
    if (error != null || chars == null || len <= 0) {
      deliver(b, NONE, 0, 0, error);
      return;
    }
    char[] a = chars instanceof char[] ? (char[]) chars : null;
    CharSequence s = a == null ? (CharSequence) chars : null;
    Exchange e = b.exchange;
    if (e.encoded == null) {
      e.encoded = new byte[512];
    }
    byte[] out = e.encoded;
    int n = 0;
    int end = off + len;
    for (int i = off; i < end; i++) {
      if (n > out.length - Utf8.MAX_BYTES) {
        deliver(b, out, 0, n, null);
        n = 0;
      }
      int cp = a != null ? a[i] : s.charAt(i);
      if (Character.isHighSurrogate((char) cp) && i + 1 < end) {
        char low = a != null ? a[i + 1] : s.charAt(i + 1);
        if (Character.isLowSurrogate(low)) {
          cp = Character.toCodePoint((char) cp, low);
          i++;
        }
      }
      n = Utf8.put(cp, out, n);
    }
    deliver(b, out, 0, n, null);
  }

  /** A writer's {@code write(int)} of one character ended, or a reader's {@code read()} returned one (-1: the end). */
  void charExited(Object call, int c, Throwable error) {
    Io b = (Io) call;
    if (b.kind != DIRECT_WRITER && b.kind != DIRECT_READER) {
      ioExited(call, error);
      return;
    }
    if (c < 0) {
      charsExited(call, null, 0, -1, error);
      return;
    }
    if (b.exchange.oneChar == null) {
      b.exchange.oneChar = new char[1];
    }
    b.exchange.oneChar[0] = (char) c;
    charsExited(call, b.exchange.oneChar, 0, 1, error);
  }

  /** A reader's {@code readLine()} returned {@code line} (null: the end); the line's end is passed on as a newline. */
  void lineExited(Object call, String line, Throwable error) {
    Io b = (Io) call;
    if (b.kind != DIRECT_READER) {
      ioExited(call, error);
      return;
    }
    charsExited(call, line, 0, line == null ? -1 : line.length(), error);
    if (line != null && error == null) {
      deliver(b, NEWLINE, 0, 1, null);
    }
  }

  /** A flush, close or writer call ended. */
  void ioExited(Object call, Throwable error) {
    Io b = (Io) call;
    if (b.kind == WRITER) {
      writing.set(null);
      return;
    }
    passed(b, NONE, 0, 0, error);
  }

  /** {@code read()} returned {@code oneByte} (-1: the end), or {@code write(oneByte)} ended. */
  void ioExited(Object call, int oneByte, Throwable error) {
    Io b = (Io) call;
    if (oneByte < 0) {
      passed(b, NONE, 0, -1, error);
      return;
    }
    byte[] one = b.kind == IN ? b.exchange.oneIn : b.exchange.oneOut;
    one[0] = (byte) oneByte;
    passed(b, one, 0, 1, error);
  }

  /** {@code len} bytes of {@code bytes} from {@code off} were read (-1: the end) or written. */
  void ioExited(Object call, byte[] bytes, int off, int len, Throwable error) {
    passed((Io) call, bytes, off, len, error);
  }

  /** A read into or a write from {@code buffer} began, as {@link #ioEntered}: where it began is kept for its end. */
  Object bufferEntered(Object stream, ByteBuffer buffer) {
    Object call = ioEntered(stream);
    if (call instanceof Io b) {
      b.from = buffer == null ? 0 : buffer.position();
    }
    return call;
  }

  /** A {@code ByteBuffer} read or write ended; it began where {@link #bufferEntered} found it. */
  void ioExited(Object call, ByteBuffer buffer, Throwable error) {
    Io b = (Io) call;
    int from = b.from;
    b.busy = false;
    // a read advances the position; a blocking write passes what remained (whether it moves the position or not)
    int n = buffer == null ? 0 : (b.kind == IN ? buffer.position() : buffer.limit()) - from;
    if (n <= 0 || error != null) {
      deliver(b, NONE, 0, 0, error);
    } else if (buffer.hasArray()) {
      deliver(b, buffer.array(), buffer.arrayOffset() + from, n, null);
    } else {
      ByteBuffer view = buffer.duplicate();
      view.limit(from + n).position(from);
      byte[] chunk = new byte[Math.min(n, 512)]; // scanned a piece at a time: never a copy of the body
      while (view.hasRemaining()) {
        int k = Math.min(chunk.length, view.remaining());
        view.get(chunk, 0, k);
        deliver(b, chunk, 0, k, null);
      }
    }
  }

  private void passed(Io b, byte[] bytes, int off, int len, Throwable error) {
    b.busy = false;
    deliver(b, bytes, off, len, error);
  }

  private void deliver(Io b, byte[] bytes, int off, int len, Throwable error) {
    Exchange e = b.exchange;
    if (b.kind == IN || b.kind == DIRECT_READER) {
      if (error == null) {
        RequestBody body = e.recorder != null ? e.recorder : e.inbound;
        if (len < 0) {
          body.requestBodyDone();
        } else {
          body.requestBytes(bytes, off, len);
        }
      }
      return;
    }
    if (error != null) {
      if (error instanceof IOException) {
        if (e.async) {
          // Only noted: the container's onError or onComplete ends it, on the container's thread. Ending it here
          // would delay the application's own reaction to the failed write (completeWithError, complete) and let
          // the container's error handling overtake it, which Tomcat then refuses with an IllegalStateException.
          e.clientLeft = true;
        } else {
          clientGone(e);
        }
      }
      return;
    }
    if (e.recorder == null) {
      e.inbound.responseBytes(len);
      return;
    }
    if (len > 0) {
      try {
        describe(e);
      } catch (ReflectiveOperationException | RuntimeException ex) {
        errors.accept(ex);
      }
      e.recorder.responseBytes(bytes, off, len);
    }
  }
}
