package dynamo.obs.agent.targets.helidon;

import dynamo.obs.agent.frontend.Frontend;
import dynamo.obs.agent.frontend.FrontendRequest;
import dynamo.obs.agent.frontend.RecordingInputStream;
import dynamo.obs.agent.frontend.RequestBody;
import dynamo.obs.agent.http.ServedRequests;
import dynamo.obs.agent.trace.Tracing;
import dynamo.obs.agent.worker.InboundRequest;
import dynamo.obs.agent.worker.WorkerRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Requests on Helidon's HTTP/1.1 connections. A connection serves one request at a time, inside
 * {@code Http1Connection.route} on its own (virtual) thread, so the connection is the key of the request it serves
 * until that request ends: when its response is complete (a whole body written, a stream committed), when a write
 * finds the client gone, when {@code route} throws after the head went out (the handler failed) or — when it threw
 * before — once the server wrote its own answer or the connection ended. Only requests with something to record (an
 * inference route, a worker's inbound request) are kept.
 *
 * <p>The request context ({@link ServedRequests#started}) is the connection thread's from the request's head to
 * {@code route}'s exit, where it is cleared: the thread goes on to the connection's next request. The application
 * may write a streamed answer from threads of its own; those writes find the request by the connection.
 */
final class HelidonExchanges {
  /** Bound on connections with a request open, so a server whose requests never end cannot grow memory. */
  private static final int MAX_OPEN = 100_000;

  /** One request of a connection. */
  private static final class Exchange {
    final HelidonApi api;
    FrontendRequest recorder;
    InboundRequest inbound;
    /** The response's head was reported. */
    boolean answered;
    /** Where a single byte written is put to be scanned (made at the first). */
    byte[] one;

    Exchange(HelidonApi api) {
      this.api = api;
    }
  }

  private final ServedRequests<Object> requests;
  private final ConcurrentHashMap<Object, Exchange> open = new ConcurrentHashMap<>();

  HelidonExchanges(Frontend frontend, WorkerRuntime workers, Tracing tracing, Consumer<Throwable> errors) {
    this.requests = new ServedRequests<>(frontend, workers, tracing, new HelidonHeaders(), errors);
  }

  /** A request's head was read; it is served on this thread until {@link #routed}. */
  void started(Object connection, Object prologue, Object headers) throws Throwable {
    Exchange left = open.remove(connection);
    if (left != null) {
      end(left, Outcome.FAILED); // never ended: its end was not seen
    }
    HelidonApi api = HelidonApi.of(prologue);
    Exchange e = new Exchange(api);
    e.recorder = requests.started(e, api.path(prologue), headers, requests.tracing() ? line(api, prologue) : null);
    e.inbound = e.recorder == null ? requests.inbound(e) : null;
    if ((e.recorder != null || e.inbound != null) && open.size() < MAX_OPEN) {
      open.put(connection, e);
    } else if (e.recorder != null) {
      e.recorder.abandon(); // beyond the bound: not counted rather than never ended
    }
  }

  /** The request body's stream filter: one that records what the application reads, around Helidon's. */
  UnaryOperator<InputStream> requestBody(Object connection, UnaryOperator<InputStream> filter) {
    Exchange e = open.get(connection);
    if (e == null || filter == null) {
      return filter;
    }
    RequestBody body = e.recorder != null ? e.recorder : e.inbound;
    return in -> new RecordingInputStream(filter.apply(in), body);
  }

  /** The request has no body: it is read to its end, empty (as an application reads an empty body). */
  void noBody(Object connection) {
    Exchange e = open.get(connection);
    if (e != null) {
      (e.recorder != null ? (RequestBody) e.recorder : e.inbound).requestBodyDone();
    }
  }

  /**
   * The response's head, before Helidon writes it: its status and content type are noted and, for an inference
   * request, the {@code x-request-id} it came with is echoed unless the application set one. Reported once.
   */
  void responseHead(Object connection, Object status, Object headers) throws Throwable {
    Exchange e = open.get(connection);
    if (e == null || e.answered) {
      return;
    }
    e.answered = true;
    if (e.recorder == null) {
      return;
    }
    HelidonApi api = e.api;
    String id = e.recorder.xRequestId();
    if (id != null && headers != null && isValidHeaderValue(id) && !api.contains(headers, "x-request-id")) {
      api.set(headers, "x-request-id", id);
    }
    e.recorder.responseStarted(api.status(status),
        headers != null && ServedRequests.isEventStream(api.header(headers, "content-type")));
  }

  /** Body bytes written ({@code b} null: the one byte {@code off}). */
  void responseBytes(Object connection, byte[] b, int off, int len) {
    Exchange e = open.get(connection);
    if (e == null || !e.answered || len <= 0) {
      return;
    }
    if (b == null) {
      if (e.one == null) {
        e.one = new byte[1];
      }
      e.one[0] = (byte) off;
      b = e.one;
      off = 0;
      len = 1;
    }
    if (e.recorder != null) {
      e.recorder.responseBytes(b, off, len);
    } else if (e.inbound != null) {
      e.inbound.responseBytes(len);
    }
  }

  /** A whole body was written: the response is complete. */
  void wholeBodySent(Object connection, byte[] b, int off, int len) {
    responseBytes(connection, b, off, len);
    committed(connection);
  }

  /** A response was written to its end. */
  void committed(Object connection) {
    Exchange e = open.get(connection);
    if (e != null && e.answered) {
      open.remove(connection, e);
      end(e, Outcome.COMPLETED);
    }
  }

  /** A write of the response failed: when the connection's socket did, the client is gone. */
  void writeFailed(Object connection, Throwable thrown) {
    Exchange e = open.get(connection);
    if (e != null && e.recorder != null && isConnectionFailure(thrown)) {
      e.recorder.clientGone();
    }
  }

  /**
   * {@code route} returned: the response was committed (its end is seen there first). It threw: after the head went
   * out, the request failed (unless a write found its client gone first); before, the server answers it itself or
   * the connection ends.
   */
  void routed(Object connection, Throwable thrown) {
    try {
      Exchange e = open.get(connection);
      if (e == null || (thrown != null && !e.answered)) {
        return;
      }
      open.remove(connection, e);
      end(e, thrown == null ? Outcome.COMPLETED : Outcome.FAILED);
    } finally {
      requests.runEnded(); // the connection's thread goes on to its next request
    }
  }

  /** The server answers the request itself: the head of its answer. */
  void serverAnswer(Object connection, Object requestException) throws Throwable {
    Exchange e = open.get(connection);
    if (e != null && !e.answered) {
      responseHead(connection, requestException, e.api.answerHeaders(requestException));
    }
  }

  /** The server's own answer was written (or its write failed): the request is over. */
  void serverAnswered(Object connection, Throwable thrown) {
    Exchange e = open.get(connection);
    if (e != null && e.answered) {
      open.remove(connection, e);
      end(e, thrown == null ? Outcome.COMPLETED : isConnectionFailure(thrown) ? Outcome.CLIENT_GONE : Outcome.FAILED);
    }
  }

  /** The connection's loop ended: a request still open there was never answered. */
  void connectionEnded(Object connection) {
    Exchange e = open.remove(connection);
    if (e != null) {
      end(e, Outcome.FAILED);
    }
  }

  /** The target was turned off: its open requests are let go of. */
  void abandonAll() {
    requests.abandonAll();
    open.clear();
  }

  private enum Outcome {
    COMPLETED, FAILED, CLIENT_GONE
  }

  private void end(Exchange e, Outcome outcome) {
    if (e.recorder == null) {
      requests.inboundEnded(e);
      return;
    }
    switch (outcome) {
      case COMPLETED -> e.recorder.completed();
      case CLIENT_GONE -> e.recorder.clientGone();
      default -> e.recorder.failed();
    }
  }

  /**
   * Whether a write failed because the connection did: Helidon reports its socket's failures unchecked, caused by
   * the {@code IOException} (a broken pipe, a reset), where a stream misused throws a checked one of its own.
   */
  static boolean isConnectionFailure(Throwable thrown) {
    if (thrown instanceof UncheckedIOException) {
      return true;
    }
    Throwable c = thrown == null ? null : thrown.getCause();
    for (int i = 0; c != null && i < 16; i++, c = c.getCause()) {
      if (c instanceof IOException || c instanceof UncheckedIOException) {
        return true;
      }
    }
    return false;
  }

  /** Whether Helidon accepts a response header value (as its {@code Header.validate} does): else none is echoed. */
  static boolean isValidHeaderValue(String v) {
    if (v.isEmpty() || v.charAt(0) < '!' || v.charAt(0) == '\u007f') {
      return false;
    }
    for (int i = 1; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < ' ' && c != '\t' || c == '\u007f') {
        return false;
      }
    }
    return true;
  }

  private static ServedRequests.RequestLine line(HelidonApi api, Object prologue) {
    return new ServedRequests.RequestLine() {
      @Override
      public String method() {
        return read(() -> api.method(prologue));
      }

      @Override
      public String uri() {
        return read(() -> api.target(prologue));
      }

      @Override
      public String version() {
        return read(() -> api.version(prologue));
      }
    };
  }

  private interface Read {
    String get() throws Throwable;
  }

  /** A part of the request line, or null when it cannot be read (the span goes without it). */
  private static String read(Read part) {
    try {
      return part.get();
    } catch (Error e) {
      throw e;
    } catch (Throwable t) {
      return null;
    }
  }

  /** Helidon's request headers, read by their public {@code first(HeaderName)}. */
  static final class HelidonHeaders implements ServedRequests.HeaderReader<Object> {
    @Override
    public String first(Object headers, String name) {
      if (headers == null) {
        return null;
      }
      try {
        return HelidonApi.of(headers).header(headers, name);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
    }
  }
}
