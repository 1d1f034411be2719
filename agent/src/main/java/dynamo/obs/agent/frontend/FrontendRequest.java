package dynamo.obs.agent.frontend;


/**
 * One inference request on a frontend: owns its timing, token counting and labels, and ends
 * exactly once, whichever of completion, error or client disconnect comes first (SPEC §4).
 *
 * <p>Threads: the request body is read and the response written by the application's threads,
 * possibly different ones but one at a time; only the end is raced (a stream close, an exchange
 * close, a failure), and a compare-and-set decides it.
 */
public final class FrontendRequest implements JsonFieldScanner.Listener, SseScanner.EventListener, RequestBody {
  // response fields (unary bodies and each server-sent event)
  static final int R_CONTENT_FIRST = 0;
  static final int R_CONTENT_LAST = 11;
  static final int R_PROMPT_FIRST = 12;
  static final int R_PROMPT_LAST = 15;
  static final int R_COMPLETION_FIRST = 16;
  static final int R_COMPLETION_LAST = 18;
  static final int R_CACHED_FIRST = 19;
  static final int R_CACHED_LAST = 22;
  private static final String[] RESPONSE_PATHS = {
      // text carried by an event: OpenAI chat (content, as a string or as parts; refusals) and completions,
      // reasoning (also as parts), tool calls, Anthropic, Responses API
      "choices.delta.content",
      "choices.delta.content.text",
      "choices.delta.content.thinking.text",
      "choices.delta.refusal",
      "choices.delta.reasoning_content",
      "choices.delta.reasoning",
      "choices.delta.tool_calls.function.arguments",
      "choices.text",
      "delta.text",
      "delta.partial_json",
      "delta",
      "delta.thinking",
      // usage: OpenAI, Anthropic (message_start / message_delta), Responses API
      "usage.prompt_tokens",
      "usage.input_tokens",
      "message.usage.input_tokens",
      "response.usage.input_tokens",
      "usage.completion_tokens",
      "usage.output_tokens",
      "response.usage.output_tokens",
      "usage.prompt_tokens_details.cached_tokens",
      "usage.cache_read_input_tokens",
      "message.usage.cache_read_input_tokens",
      "response.usage.input_tokens_details.cached_tokens"};
  /**
   * The fields of a server-sent event. Only the fields matter, not whether the rest of the answer is
   * valid JSON, so what no field can be in is passed over by its brackets.
   */
  static final JsonFieldScanner.Fields RESPONSE_FIELDS = new JsonFieldScanner.Fields(false, RESPONSE_PATHS);
  /**
   * The fields of a unary answer: its usage only. Its text is not counted (its tokens are what its usage
   * says, or unknown), so its {@code choices} are passed over whole.
   */
  static final JsonFieldScanner.Fields UNARY_RESPONSE_FIELDS = new JsonFieldScanner.Fields(false, usageOnly());

  // request fields, numbered after the response's: one listener (the request) hears both scanners
  static final int F_MODEL = RESPONSE_PATHS.length;
  static final int F_STREAM = F_MODEL + 1;
  static final JsonFieldScanner.Fields REQUEST_FIELDS = new JsonFieldScanner.Fields(requestPaths());

  private static String[] requestPaths() {
    String[] paths = new String[F_STREAM + 1];
    paths[F_MODEL] = "model";
    paths[F_STREAM] = "stream";
    return paths;
  }

  private static String[] usageOnly() {
    String[] paths = RESPONSE_PATHS.clone();
    java.util.Arrays.fill(paths, R_CONTENT_FIRST, R_CONTENT_LAST + 1, null);
    return paths;
  }

  private static final int OPEN = 0;
  private static final int ENDED = 1;


  private final FrontendMetrics metrics;
  private final int endpoint;
  private final long startNanos;
  private final java.util.function.Consumer<FrontendRequest> onEnd;
  /** Where errors inside the recorder go (counted against the server's target); never into the application. */
  private final java.util.function.Consumer<Throwable> errors;
  private static final java.util.concurrent.atomic.AtomicIntegerFieldUpdater<FrontendRequest> STATE =
      java.util.concurrent.atomic.AtomicIntegerFieldUpdater.newUpdater(FrontendRequest.class, "state");
  private volatile int state = OPEN;

  private String xRequestId;
  private String inboundRequestId;
  /** The {@code http-request} span, when tracing is on. */
  private dynamo.obs.agent.trace.TraceSpan span;
  private java.io.InputStream requestStream;
  private java.io.OutputStream responseStream;

  /** Made at the first body byte: a request or answer without a body scans nothing and allocates no scanner. */
  private JsonFieldScanner requestScanner;
  /** The request scanner serves the response once the request body was read to its end. */
  private boolean requestDone;
  private JsonFieldScanner responseScanner;
  private SseScanner sse;
  /** A 2xx answer: its body is scanned (the scanner made at its first byte). */
  private boolean scanningResponse;

  private String model;
  /** The series of the request's model, found by its bytes when seen before (then {@link #model} stays null). */
  private FrontendMetrics.ModelSeries modelSeries;
  private boolean streamRequested;
  private FrontendMetrics.ModelSeries series;
  private boolean queued;

  private int status = -1;
  private boolean eventStream;
  private boolean firstByteSeen;
  private long firstTokenNanos;
  private long lastTokenNanos;
  private int contentEvents;

  // per event
  private boolean eventContent;
  private long eventCompletionTokens = -1;

  // from usage, -1 when absent
  private long promptTokens = -1;
  private long completionTokens = -1;
  private long cachedTokens = -1;
  private long lastCompletionTokens = -1;

  FrontendRequest(FrontendMetrics metrics, int endpoint, long startNanos,
      java.util.function.Consumer<FrontendRequest> onEnd, java.util.function.Consumer<Throwable> errors) {
    this.metrics = metrics;
    this.endpoint = endpoint;
    this.startNanos = startNanos;
    this.onEnd = onEnd;
    this.errors = errors;
  }

  // ---- request -----------------------------------------------------------------------------------

  /** Inbound identifiers: {@code x-request-id} is echoed; {@code request-id} is kept if a UUID. */
  public void requestHeaders(String xRequestId, String requestId, String dynamoRequestId) {
    this.xRequestId = xRequestId;
    String id = requestId != null ? requestId : dynamoRequestId;
    this.inboundRequestId = id != null && isUuid(id) ? id : null;
  }

  public String xRequestId() {
    return xRequestId;
  }

  /** The request's {@code http-request} span (SPEC §5), ended with the request. */
  public void span(dynamo.obs.agent.trace.TraceSpan span) {
    this.span = span;
  }

  public dynamo.obs.agent.trace.TraceSpan span() {
    return span;
  }

  /** Dynamo's request id: the inbound UUID, else a new UUIDv4 (made only when asked for). */
  public String requestId() {
    if (inboundRequestId == null) {
      inboundRequestId = newRequestId();
    }
    return inboundRequestId;
  }

  /**
   * A random UUID version 4 from the thread's own generator: a correlation id needs uniqueness, not the
   * unpredictability of {@code UUID.randomUUID()}, whose shared SecureRandom is synchronized (~180 ns).
   */
  static String newRequestId() {
    java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
    long high = (r.nextLong() & ~0xF000L) | 0x4000L; // version 4
    long low = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // the RFC 4122 variant
    return new java.util.UUID(high, low).toString();
  }

  static boolean isUuid(String s) {
    if (s.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = s.charAt(i);
      boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash ? c != '-' : Character.digit(c, 16) < 0) {
        return false;
      }
    }
    return true;
  }

  public java.io.InputStream requestStream() {
    return requestStream;
  }

  public void requestStream(java.io.InputStream wrapped) {
    requestStream = wrapped;
  }

  public java.io.OutputStream responseStream() {
    return responseStream;
  }

  public void responseStream(java.io.OutputStream wrapped) {
    responseStream = wrapped;
  }

  @Override
  public void requestBytes(byte[] b, int off, int len) {
    try {
      if (len > 0 && state == OPEN && !requestDone) {
        if (requestScanner == null) {
          requestScanner = new JsonFieldScanner(REQUEST_FIELDS, this);
        }
        requestScanner.feed(b, off, len);
      }
    } catch (RuntimeException e) {
      errors.accept(e);
    }
  }

  @Override
  public void requestBodyDone() {
    try {
      if (!requestDone) {
        if (requestScanner != null) {
          requestScanner.finish();
        }
        begin();
        requestDone = true;
      }
    } catch (RuntimeException e) {
      errors.accept(e);
    }
  }

  private void onRequestModel(String value) {
    if (model == null && modelSeries == null) {
      model = value;
    }
  }

  private boolean onRequestModelBytes(byte[] b, int captured) {
    if (model != null || modelSeries != null) {
      return true; // the first model wins
    }
    if (captured == 0) {
      return false;
    }
    modelSeries = metrics.cachedModel(b, captured);
    return modelSeries != null;
  }

  /**
   * The request is admitted: its model is known (or will not be), so the per-model gauges count it.
   * Called at the first of: the body's end, the response's start, the request's end. A body that
   * is not valid JSON has no trustworthy model: {@code unknown}.
   */
  private void begin() {
    if (series != null) {
      return;
    }
    boolean valid = requestScanner == null || !requestScanner.failed();
    if (valid && modelSeries != null) {
      series = modelSeries;
    } else {
      series = metrics.model(valid && model != null && !model.isEmpty() ? model : "unknown");
    }
    series.inflight.inc();
    series.active.inc();
    series.queued.inc();
    queued = true;
    if (span != null) {
      dynamo.obs.agent.applog.AgentEvents.requestReceived(requestId(), series.model,
          FrontendMetrics.ENDPOINTS.get(endpoint), streamRequested || eventStream ? "stream" : "unary");
    }
  }

  private void leaveQueue() {
    if (queued) {
      queued = false;
      series.queued.dec();
    }
  }

  // ---- response ----------------------------------------------------------------------------------

  /** Response status and whether the body is a {@code text/event-stream}. */
  public void responseStarted(int status, boolean eventStream) {
    try {
      startResponse(status, eventStream);
    } catch (RuntimeException e) {
      errors.accept(e);
    }
  }

  private void startResponse(int status, boolean eventStream) {
    if (this.status >= 0 || state != OPEN) {
      return; // headers sent twice: the server refuses the second time
    }
    begin();
    this.status = status;
    this.eventStream = eventStream;
    scanningResponse = status >= 200 && status < 300;
  }

  /** The response's scanner, at its first byte: the request's scanner once that is done with, else a new one. */
  private void openResponseScanner() {
    JsonFieldScanner.Fields fields = eventStream ? RESPONSE_FIELDS : UNARY_RESPONSE_FIELDS;
    if (requestDone && requestScanner != null) {
      requestScanner.reuse(fields, this);
      responseScanner = requestScanner;
    } else {
      responseScanner = new JsonFieldScanner(fields, this);
    }
    if (eventStream) {
      sse = new SseScanner(responseScanner, this);
    }
  }

  public void responseBytes(byte[] b, int off, int len) {
    try {
      scanResponse(b, off, len);
    } catch (RuntimeException e) {
      errors.accept(e);
    }
  }

  private void scanResponse(byte[] b, int off, int len) {
    if (len <= 0 || state != OPEN) {
      return;
    }
    if (scanningResponse && responseScanner == null) {
      openResponseScanner();
    }
    if (!firstByteSeen) {
      firstByteSeen = true;
      if (!eventStream && scanningResponse) {
        // unary: the whole answer is the first "token"
        long now = System.nanoTime();
        firstTokenNanos = now;
        leaveQueue();
        series.ttft.observe((now - startNanos) / 1e9);
      }
    }
    if (sse != null) {
      sse.feed(b, off, len);
    } else if (responseScanner != null) {
      responseScanner.feed(b, off, len);
    }
  }

  // ---- the scanners' fields: the request's model and stream, the response's text and usage ----------

  @Override
  public boolean wantsValue(int field) {
    return field == F_MODEL; // of the response's, a content field's length is all that counts
  }

  /** The model's bytes: its series if this spelling was seen before (then no String is made). */
  @Override
  public boolean onStringBytes(int field, byte[] value, int captured, int length) {
    return field != F_MODEL || onRequestModelBytes(value, captured);
  }

  @Override
  public void onString(int field, String value, int length) {
    if (field == F_MODEL) {
      onRequestModel(value);
    } else if (field <= R_CONTENT_LAST && length > 0) {
      eventContent = true;
    }
  }

  @Override
  public void onBoolean(int field, boolean value) {
    if (field == F_STREAM) {
      streamRequested = value;
    }
  }

  @Override
  public void onNumber(int field, double value) {
    long v = (long) value;
    if (field >= R_PROMPT_FIRST && field <= R_PROMPT_LAST) {
      promptTokens = v;
    } else if (field >= R_COMPLETION_FIRST && field <= R_COMPLETION_LAST) {
      completionTokens = v;
      eventCompletionTokens = v;
    } else if (field >= R_CACHED_FIRST && field <= R_CACHED_LAST) {
      cachedTokens = v;
    }
  }

  /** A server-sent event ended: a content event is a token (or, with running usage, several). */
  @Override
  public void onEventEnd(boolean hadData) {
    boolean content = eventContent;
    long completionSoFar = eventCompletionTokens;
    eventContent = false;
    eventCompletionTokens = -1;
    if (!content) {
      return;
    }
    long tokens = 1;
    if (completionSoFar >= 0) {
      // servers that report running usage in every chunk say how many tokens this event carried
      tokens = lastCompletionTokens >= 0 ? Math.max(1, completionSoFar - lastCompletionTokens) : Math.max(1, completionSoFar);
      lastCompletionTokens = completionSoFar;
    }
    long now = System.nanoTime();
    contentEvents += (int) tokens;
    series.outputTokens.inc(tokens);
    if (firstTokenNanos == 0) {
      firstTokenNanos = now;
      leaveQueue();
      series.ttft.observe((now - startNanos) / 1e9);
    } else {
      double perToken = (now - lastTokenNanos) / 1e9 / tokens;
      for (long i = 0; i < tokens; i++) {
        series.itl.observe(perToken);
      }
    }
    lastTokenNanos = now;
  }

  // ---- end ---------------------------------------------------------------------------------------

  /** The response is complete (body closed or exchange closed). */
  public void completed() {
    end(status > 0 ? Outcome.ofStatus(status) : Outcome.INTERNAL, false);
  }

  /** The handler threw. */
  public void failed() {
    end(Outcome.INTERNAL, false);
  }

  /** Writing to the client failed: it went away. */
  public void clientGone() {
    end(Outcome.CANCELLED, true);
  }

  public boolean ended() {
    return state == ENDED;
  }

  /**
   * Ends the request without recording it (its server's instrumentation was turned off, so no end will come): the
   * gauges it raised go down, nothing else is counted.
   */
  public void abandon() {
    if (!STATE.compareAndSet(this, OPEN, ENDED)) {
      return;
    }
    try {
      if (series != null) {
        leaveQueue();
        series.inflight.dec();
        series.active.dec();
      }
    } finally {
      onEnd.accept(this);
    }
  }

  private void end(Outcome outcome, boolean disconnected) {
    if (!STATE.compareAndSet(this, OPEN, ENDED)) {
      return;
    }
    try {
      record(outcome, disconnected);
    } catch (RuntimeException e) {
      errors.accept(e);
    } finally {
      onEnd.accept(this);
    }
  }

  private void record(Outcome outcome, boolean disconnected) {
    begin(); // a request that ends before anything else still counts
    if (responseScanner != null) {
      responseScanner.finish();
    }
    long now = System.nanoTime();
    boolean stream = streamRequested || eventStream;
    FrontendMetrics.ModelSeries s = series;
    leaveQueue();
    s.inflight.dec();
    s.active.dec();
    s.duration.observe((now - startNanos) / 1e9);
    if (disconnected) {
      metrics.clientDisconnected();
      s.cancellations(endpoint, stream).inc();
    }
    if (outcome == Outcome.SUCCESS || outcome == Outcome.CANCELLED) {
      if (promptTokens >= 0) {
        s.isl.observe(promptTokens);
      }
      if (cachedTokens >= 0) {
        s.cached.observe(cachedTokens);
      }
      long osl = completionTokens >= 0 ? completionTokens : contentEvents;
      if (!eventStream && completionTokens > 0) {
        s.outputTokens.inc(completionTokens); // unary: no per-event counting happened
      }
      if (osl > 0) {
        s.osl.observe(osl);
      }
    }
    // last, so that a scrape that sees the request counted sees all of its series too
    s.requests(endpoint, stream, outcome).inc();
    if (span != null) {
      endSpan(outcome, now);
    }
  }

  private void endSpan(Outcome outcome, long now) {
    dynamo.obs.agent.trace.TraceSpan t = span;
    long elapsedMs = (now - startNanos) / 1_000_000;
    if (outcome == Outcome.SUCCESS) {
      dynamo.obs.agent.applog.AgentEvents.requestCompleted(outcome.status, elapsedMs);
    } else {
      dynamo.obs.agent.applog.AgentEvents.requestFailed(outcome.status, outcome.errorType,
          status > 0 ? "HTTP " + status : "no response", elapsedMs);
    }
    t.set("model", series.model);
    long osl = completionTokens >= 0 ? completionTokens : contentEvents;
    if (promptTokens >= 0) {
      t.set("input_tokens", promptTokens);
    }
    t.set("output_tokens", osl);
    if (firstTokenNanos != 0) {
      t.set("ttft_ms", dynamo.obs.agent.trace.SpanValues.millis(firstTokenNanos - startNanos));
      if (osl > 1 && lastTokenNanos > firstTokenNanos) {
        t.set("avg_itl_ms", dynamo.obs.agent.trace.SpanValues.millis((lastTokenNanos - firstTokenNanos) / (osl - 1)));
      }
    }
    if (status > 0) {
      t.set("http.status_code", (long) status);
    }
    if (outcome != Outcome.SUCCESS) {
      t.error(outcome.errorType);
    }
    t.end();
  }

  /** The lower-cased model label this request is counted under (for tests and spans). */
  public String modelLabel() {
    return series == null ? null : series.model;
  }
}
