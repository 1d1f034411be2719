package dynamo.obs.agent.worker;

import dynamo.obs.agent.frontend.JsonFieldScanner;
import dynamo.obs.agent.frontend.RequestBody;
import dynamo.obs.agent.trace.SpanParent;
import dynamo.obs.agent.trace.SpanValues;
import dynamo.obs.agent.trace.TraceSpan;
import dynamo.obs.agent.trace.Tracing;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A request a worker received over HTTP: the sizes the engine call it leads to reports, and what
 * its {@code handle_payload} span needs. The span is made only when the request leads to an engine
 * call (so a router's or an application's other requests make none), starting when the request
 * arrived, and ends with the exchange. Its bytes go to the first engine call's series: the
 * request's when that call starts (the declared length, or what was read if more), the response's
 * as they are written (those written before the call, when it starts).
 */
public final class InboundRequest implements RequestBody, JsonFieldScanner.Listener {
  /** The request's top-level {@code model}, for engine calls whose arguments do not say it. */
  private static final JsonFieldScanner.Fields MODEL_FIELD = new JsonFieldScanner.Fields("model");
  private final long requestBytes;
  private final AtomicLong requestBytesRead = new AtomicLong();
  /** Response bytes written while no engine call's series was known. */
  private final AtomicLong responsePending = new AtomicLong();
  /** The series the response bytes go to, from the first engine call on. */
  private volatile CounterDataPoint responseCounter;
  private final SpanParent remoteParent;
  private final String xRequestId;
  private final String requestId;
  private final long startNanos;
  private volatile TraceSpan span;
  private JsonFieldScanner modelScanner;
  private volatile String model;

  InboundRequest(long requestBytes, SpanParent remoteParent, String xRequestId, String requestId, long startNanos) {
    this.requestBytes = Math.max(0, requestBytes);
    this.remoteParent = remoteParent;
    this.xRequestId = xRequestId;
    this.requestId = requestId;
    this.startNanos = startNanos;
  }

  private InputStream scanned;

  /** The request body, its model scanned as the worker reads it (the same wrapper however often asked for). */
  public InputStream scanOnce(InputStream body) {
    if (scanned == null) {
      scanned = new dynamo.obs.agent.frontend.RecordingInputStream(body, this);
    }
    return scanned;
  }

  // ---- the body as the worker reads it: its model, scanned in passing ----------------------------

  @Override
  public void requestBytes(byte[] b, int off, int len) {
    if (len > 0) {
      requestBytesRead.addAndGet(len);
    }
    if (model != null) {
      return;
    }
    JsonFieldScanner s = modelScanner;
    if (s == null) {
      s = new JsonFieldScanner(MODEL_FIELD, this);
      modelScanner = s;
    }
    s.feed(b, off, len);
  }

  @Override
  public void requestBodyDone() {
    modelScanner = null;
  }

  @Override
  public void onString(int field, String value, int length) {
    if (model == null && value != null && !value.isEmpty()) {
      model = value;
    }
  }

  @Override
  public void onNumber(int field, double value) {
  }

  @Override
  public void onBoolean(int field, boolean value) {
  }

  /** The model the request named, or null (not read yet, or none). */
  String model() {
    return model;
  }

  /** The {@code handle_payload} span, made at the first engine call of this request. */
  synchronized TraceSpan span(Tracing tracing, ComponentIdentity id) {
    TraceSpan s = span;
    if (s == null) {
      s = tracing.start("handle_payload", TraceSpan.Kind.SERVER, remoteParent, xRequestId, requestId, startNanos);
      s.set("component", id.component()).set("endpoint", id.endpoint()).set("namespace", id.namespace())
          .set("instance_id", id.routerId()).set(SpanValues.X_REQUEST_ID, xRequestId)
          .set(SpanValues.REQUEST_ID, requestId);
      span = s;
    }
    return s;
  }

  /** The span, if an engine call made one. */
  public TraceSpan span() {
    return span;
  }

  void ended() {
    TraceSpan s = span;
    if (s != null) {
      s.end();
    }
  }

  /**
   * The first engine call of this request started: its series counts the request's bytes now and
   * the response's from here on. Later calls of the same request count nothing more.
   */
  void countInto(CounterDataPoint requestCounter, CounterDataPoint responseCounter) {
    if (this.responseCounter != null) {
      return;
    }
    synchronized (this) {
      if (this.responseCounter != null) {
        return;
      }
      requestCounter.inc(Math.max(requestBytes, requestBytesRead.get()));
      this.responseCounter = responseCounter;
    }
    drainPending(responseCounter);
  }

  /** {@code n} response bytes were written. */
  public void responseBytes(long n) {
    if (n <= 0) {
      return;
    }
    CounterDataPoint c = responseCounter;
    if (c != null) {
      c.inc(n);
      return;
    }
    responsePending.addAndGet(n);
    c = responseCounter;
    if (c != null) {
      drainPending(c); // the call started meanwhile: whoever takes the pending bytes counts them
    }
  }

  private void drainPending(CounterDataPoint c) {
    long p = responsePending.getAndSet(0);
    if (p > 0) {
      c.inc(p);
    }
  }

  private OutputStream counted;

  /** The response body, counted as it passes (the same wrapper however often it is asked for). */
  public OutputStream countOnce(OutputStream out) {
    if (counted == null) {
      counted = count(out);
    }
    return counted;
  }

  private OutputStream count(OutputStream out) {
    return new FilterOutputStream(out) {
      @Override
      public void write(int b) throws IOException {
        out.write(b);
        responseBytes(1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        responseBytes(len);
      }
    };
  }
}
