package dynamo.obs.agent.frontend;

import dynamo.obs.agent.applog.AgentEvents;
import dynamo.obs.agent.config.LogFilter.Level;
import dynamo.obs.agent.metrics.StripedHistogram;
import dynamo.obs.agent.trace.SpanValues;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Consumer;
/**
 * One inference request on a frontend: owns its timing, token counting and labels, and ends
 * exactly once, whichever of completion, error or client disconnect comes first (SPEC §4).
 *
 * <p>Why one class of this size: it is the request's one state — labels, timing, token counts, the scanners' fields,
 * the end decided once — kept in fields of one object, 152 bytes a request, with no object beside it on the hot
 * path; its parts are the phases of that state (request, response, end), marked below.
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
  /**
   * The {@code type} of a content part: OpenAI chat's and Anthropic's message parts, Anthropic's parts of a
   * tool result, and the Responses API's input parts. Upstream counts the {@code image_url}, {@code video_url}
   * and {@code audio_url} parts of a chat request (preprocessor.rs {@code MultimodalCounts}), and Anthropic's
   * {@code image} and the Responses API's {@code input_image} parts as the image_url parts they become.
   */
  static final int F_PART_FIRST = F_STREAM + 1;
  static final int F_PART_LAST = F_PART_FIRST + 2;
  static final JsonFieldScanner.Fields REQUEST_FIELDS = new JsonFieldScanner.Fields(requestPaths());

  private static String[] requestPaths() {
    String[] paths = new String[F_PART_LAST + 1];
    paths[F_MODEL] = "model";
    paths[F_STREAM] = "stream";
    paths[F_PART_FIRST] = "messages.content.type";
    paths[F_PART_FIRST + 1] = "messages.content.content.type";
    paths[F_PART_LAST] = "input.content.type";
    return paths;
  }

  private static final byte[][] IMAGE_PARTS = {ascii("image_url"), ascii("image"), ascii("input_image")};
  private static final byte[] VIDEO_PART = ascii("video_url");
  private static final byte[] AUDIO_PART = ascii("audio_url");

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String[] usageOnly() {
    String[] paths = RESPONSE_PATHS.clone();
    Arrays.fill(paths, R_CONTENT_FIRST, R_CONTENT_LAST + 1, null);
    return paths;
  }

  private static final int OPEN = 0;
  private static final int ENDED = 1;

  private final FrontendMetrics metrics;
  private final int endpoint;
  private final long startNanos;
  private final Consumer<FrontendRequest> onEnd;
  /** Where errors inside the recorder go (counted against the server's target); never into the application. */
  private final Consumer<Throwable> errors;
  private static final AtomicIntegerFieldUpdater<FrontendRequest> STATE = AtomicIntegerFieldUpdater
      .newUpdater(FrontendRequest.class, "state");
  private volatile int state = OPEN;

  private String xRequestId;
  private String inboundRequestId;
  /** The {@code http-request} span, when tracing is on. */
  private dynamo.obs.agent.trace.TraceSpan span;
  private InputStream requestStream;
  private OutputStream responseStream;

  /** Made at the first body byte: a request or answer without a body scans nothing and allocates no scanner. */
  private JsonFieldScanner requestScanner;
  /** The request scanner serves the response once the request body was read to its end. */
  private boolean requestDone;
  /**
   * The body's declared length ({@code Content-Length}), -1 when the server did not give it; the body is whole once
   * that many bytes are read, whether or not the application reads on to the end of the stream.
   */
  private long requestLength = -1;
  private long requestRead;
  /**
   * The body is not one JSON document: it failed to scan, or it was read to its end and was cut short or
   * empty. Decided when the body ends, before its scanner serves the response.
   */
  private boolean bodyNotJson;
  private JsonFieldScanner responseScanner;
  private SseScanner sse;
  /** A 2xx answer: its body is scanned (the scanner made at its first byte). */
  private boolean scanningResponse;

  private String model;
  /** The series of the request's model, found by its bytes when seen before (then {@link #model} stays null). */
  private FrontendMetrics.ModelSeries modelSeries;
  private boolean streamRequested;
  /** The series the request is counted under, from when it is admitted (null until then). */
  private FrontendMetrics.ModelSeries series;
  /**
   * Not counted at all: a body that is not JSON, which the application did not answer with a 2xx. Upstream
   * answers such a body 400 before any metric is recorded (openai.rs: the body is parsed before the
   * request's guards are made), so a made-up or cut-short body never shows in the request counts.
   */
  private boolean excluded;
  private boolean queued;
  // content parts of the request by kind (upstream's per-request media counts)
  private int images;
  private int videos;
  private int audios;

  private int status = -1;
  private boolean eventStream;
  private boolean firstByteSeen;
  private long firstTokenNanos;
  private long lastTokenNanos;
  private int contentEvents;
  /**
   * A streamed answer's tokens and inter-token latencies not yet in the model's series: they are added once a second
   * and at the request's end (before it is counted), not at every token, which would make a stream of a thousand
   * tokens pay some thousands of atomic updates on lines every request thread shares.
   */
  private long pendingTokens;
  private StripedHistogram.Batch itlBatch;
  private long flushedNanos;
  private static final long TOKENS_FLUSHED_NANOS = 1_000_000_000L;

  // per event
  private boolean eventContent;
  private long eventCompletionTokens = -1;

  // from usage, -1 when absent
  private long promptTokens = -1;
  private long completionTokens = -1;
  private long cachedTokens = -1;
  private long lastCompletionTokens = -1;

  FrontendRequest(FrontendMetrics metrics, int endpoint, long startNanos,
      Consumer<FrontendRequest> onEnd, Consumer<Throwable> errors) {
    this.metrics = metrics;
    this.endpoint = endpoint;
    this.startNanos = startNanos;
    this.onEnd = onEnd;
    this.errors = errors;
    this.flushedNanos = startNanos;
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
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long high = (r.nextLong() & ~0xF000L) | 0x4000L; // version 4
    long low = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // the RFC 4122 variant
    return new UUID(high, low).toString();
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

  public InputStream requestStream() {
    return requestStream;
  }

  public void requestStream(InputStream wrapped) {
    requestStream = wrapped;
  }

  public OutputStream responseStream() {
    return responseStream;
  }

  public void responseStream(OutputStream wrapped) {
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
        if (requestLength >= 0 && (requestRead += len) >= requestLength) {
          bodyEnded(true); // the application read exactly the declared length (readNBytes): it reads no end
        }
      }
    } catch (RuntimeException e) {
      errors.accept(e);
    }
  }

  /**
   * The request body's declared length, for servers whose applications may read exactly that many bytes and never
   * the end of the stream (a servlet's {@code readNBytes(getContentLength())}); negative when not declared.
   */
  public void requestLength(long length) {
    requestLength = length;
  }

  @Override
  public void requestBodyDone() {
    bodyEnded(true);
  }

  @Override
  public void requestBodyClosed() {
    bodyEnded(false);
  }

  /**
   * The body ended ({@code whole}: read to its end; else closed, perhaps before its end, when only a
   * failure to scan says it is not JSON). A request for a model the application serves is admitted now.
   */
  private void bodyEnded(boolean whole) {
    try {
      if (!requestDone) {
        JsonFieldScanner s = requestScanner;
        if (s != null) {
          s.finish();
        }
        bodyNotJson = s == null ? whole : s.failed() || whole && !s.complete();
        requestDone = true;
        admitIfServed();
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

  /** Whether the body is known not to be JSON (so far, when it has not ended). */
  private boolean bodyInvalid() {
    if (requestDone) {
      return bodyNotJson;
    }
    return requestScanner != null && requestScanner.failed();
  }

  /** The request's model as it spells it; {@code unknown} when it names none. */
  private String modelName() {
    if (modelSeries != null) {
      return modelSeries.model;
    }
    return model != null && !model.isEmpty() ? model : "unknown";
  }

  /** The series of the request's model, created (within the cap) if it has none. */
  private FrontendMetrics.ModelSeries modelSeriesOrNew() {
    return modelSeries != null ? modelSeries : metrics.model(modelName());
  }

  /**
   * At the body's end: a request for a model the application was seen to serve is admitted now, so
   * that it is in flight (and queued) from here. Any other waits for its answer's status.
   */
  private void admitIfServed() {
    if (series != null || excluded || bodyInvalid()) {
      return;
    }
    FrontendMetrics.ModelSeries s = modelSeries != null ? modelSeries : metrics.existingModel(modelName());
    if (s != null && s.served) {
      admit(s);
    }
  }

  /**
   * The answer's status decides what a request not yet admitted is counted under: 404 for a model the
   * application never served is upstream's {@code unknown_model} (upstream labels a model no worker has
   * registered so); a body that is not JSON is not counted unless answered 2xx; any other status admits
   * the request under its model, which from now on counts as served. A served model answered 404 (upstream:
   * a registered model asked for on an endpoint it does not serve) keeps its name.
   */
  private void decide(int status) {
    if (excluded || series != null) {
      return;
    }
    if (status == 404) {
      if (bodyInvalid()) {
        excluded = true;
        return;
      }
      FrontendMetrics.ModelSeries s = modelSeries != null ? modelSeries : metrics.existingModel(modelName());
      admit(s != null && s.served ? s : metrics.unknownModel());
      return;
    }
    if (bodyInvalid() && (status < 200 || status >= 300)) {
      excluded = true;
      return;
    }
    FrontendMetrics.ModelSeries s = modelSeriesOrNew();
    s.served = true;
    admit(s);
  }

  /** The request is counted under {@code s}: started, in flight, queued until its first token. */
  private void admit(FrontendMetrics.ModelSeries s) {
    series = s;
    s.started(endpoint, streamRequested || eventStream).inc();
    s.inflight.inc();
    s.active.inc();
    s.queued.inc();
    queued = true;
    if (AgentEvents.logged(Level.INFO)) { // the request id is made only for a line that is written
      AgentEvents.requestReceived(requestId(), s.model, FrontendMetrics.ENDPOINTS.get(endpoint), requestType());
    }
  }

  private String requestType() {
    return streamRequested || eventStream ? "stream" : "unary";
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
    this.status = status;
    this.eventStream = eventStream;
    decide(status);
    scanningResponse = status >= 200 && status < 300 && !excluded;
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

  /** The answer's first bytes (once a request, kept out of the per-write path): its first observations. */
  private void firstResponseBytes() {
    firstByteSeen = true;
    FrontendMetrics.Produced p = scanningResponse ? series.produced : null;
    if (p != null) {
      if (endpoint != FrontendMetrics.EMBEDDINGS) {
        // upstream observes them with its first answer chunk, once a request (0 for text only)
        p.images.observe(images);
        p.videos.observe(videos);
        p.audio.observe(audios);
      }
      if (!eventStream) {
        firstToken(p, System.nanoTime()); // unary: the whole answer is the first "token"
      }
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
      firstResponseBytes();
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
    return field >= F_MODEL; // the request's model and part types; of the response's, a content field's length
  }

  /**
   * The model's bytes: its series if this spelling was seen before (then no String is made). A content
   * part's type is counted from its bytes.
   */
  @Override
  public boolean onStringBytes(int field, byte[] value, int captured, int length) {
    if (field >= F_PART_FIRST) {
      countPart(value, captured);
      return true;
    }
    return field != F_MODEL || onRequestModelBytes(value, captured);
  }

  private void countPart(byte[] type, int len) {
    if (is(type, len, VIDEO_PART)) {
      videos++;
    } else if (is(type, len, AUDIO_PART)) {
      audios++;
    } else {
      for (byte[] image : IMAGE_PARTS) {
        if (is(type, len, image)) {
          images++;
          return;
        }
      }
    }
  }

  private static boolean is(byte[] b, int len, byte[] word) {
    return len == word.length && Arrays.equals(b, 0, len, word, 0, len);
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
      tokens = lastCompletionTokens >= 0
          ? Math.max(1, completionSoFar - lastCompletionTokens)
          : Math.max(1, completionSoFar);
      lastCompletionTokens = completionSoFar;
    }
    long now = System.nanoTime();
    contentEvents += (int) tokens;
    pendingTokens += tokens;
    FrontendMetrics.Produced p = series.produced;
    if (firstTokenNanos == 0) {
      firstToken(p, now);
    } else {
      if (itlBatch == null) {
        itlBatch = p.itl.batch();
      }
      itlBatch.observe((now - lastTokenNanos) / 1e9 / tokens, (int) Math.min(tokens, Integer.MAX_VALUE));
    }
    lastTokenNanos = now;
    if (now - flushedNanos >= TOKENS_FLUSHED_NANOS) {
      flushTokens(p, now);
    }
  }

  /** The tokens counted and inter-token latencies observed since the last time, added to the model's series. */
  private void flushTokens(FrontendMetrics.Produced p, long now) {
    flushedNanos = now;
    if (pendingTokens > 0) {
      p.outputTokens.inc(pendingTokens);
      pendingTokens = 0;
    }
    if (itlBatch != null) {
      p.itl.add(itlBatch);
    }
  }

  /** The first token: the request leaves the queue, its time to first token is observed. */
  private void firstToken(FrontendMetrics.Produced p, long now) {
    firstTokenNanos = now;
    leaveQueue();
    p.ttft.observe((now - startNanos) / 1e9);
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
        if (series.produced != null) {
          flushTokens(series.produced, System.nanoTime()); // the tokens it produced were produced all the same
        }
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

  /**
   * The request's end in its metrics. The path every request takes is kept short; what only some take (no status
   * before the end, a body not counted, a disconnect, a rejection, a span) is in methods of its own, so that the
   * JIT compiles this one small and soon.
   */
  private void record(Outcome outcome, boolean disconnected) {
    if (series == null && !excluded) {
      admitAtEnd();
    }
    if (responseScanner != null) {
      responseScanner.finish();
    }
    long now = System.nanoTime();
    if (excluded) {
      if (span != null) {
        endSpan(outcome, now);
      }
      return;
    }
    boolean stream = streamRequested || eventStream;
    FrontendMetrics.ModelSeries s = series;
    leaveQueue();
    s.inflight.dec();
    s.active.dec();
    double seconds = (now - startNanos) / 1e9;
    s.duration.observe(seconds);
    FrontendMetrics.Produced p = s.produced;
    if (p != null) {
      flushTokens(p, now);
    }
    if (disconnected || status == 529) {
      recordRefusal(s, disconnected, stream);
    }
    if (p != null && (outcome == Outcome.SUCCESS || outcome == Outcome.CANCELLED)) {
      recordProduced(p, outcome, seconds);
    }
    // last, so that a scrape that sees the request counted sees all of its series too
    s.requests(endpoint, stream, outcome).inc();
    logCompleted(outcome, now); // inside the span, before it ends
    if (span != null) {
      endSpan(outcome, now);
    }
  }

  /**
   * Ended before any status said what it is (a handler that threw, a client gone first): counted under its model,
   * unless its body is not JSON.
   */
  private void admitAtEnd() {
    if (bodyInvalid()) {
      excluded = true;
    } else {
      admit(modelSeriesOrNew());
    }
  }

  /** A client that went away, or upstream's overload answer (529: rejected for want of capacity). */
  private void recordRefusal(FrontendMetrics.ModelSeries s, boolean disconnected, boolean stream) {
    if (disconnected) {
      metrics.clientDisconnected();
      s.cancellations(endpoint, stream).inc();
    }
    if (status == 529) {
      s.rejections(endpoint).inc();
    }
  }

  /** What an answered request produced: its token counts from usage (or counted events), an embedding's latency. */
  private void recordProduced(FrontendMetrics.Produced p, Outcome outcome, double seconds) {
    if (promptTokens >= 0) {
      p.isl.observe(promptTokens);
    }
    if (cachedTokens >= 0) {
      p.cached.observe(cachedTokens);
    }
    long osl = completionTokens >= 0 ? completionTokens : contentEvents;
    if (!eventStream && completionTokens > 0) {
      p.outputTokens.inc(completionTokens); // unary: no per-event counting happened
    }
    if (osl > 0) {
      p.osl.observe(osl);
    }
    if (endpoint == FrontendMetrics.EMBEDDINGS && outcome == Outcome.SUCCESS) {
      p.embeddingLatency().observe(seconds);
    }
  }

  /**
   * Upstream's "request completed" of a counted request (a request rejected before it was counted has no lifecycle
   * events, as upstream): at INFO, or ERROR for a failure, whether or not spans are made.
   */
  private void logCompleted(Outcome outcome, long now) {
    boolean success = outcome == Outcome.SUCCESS;
    if (!AgentEvents.logged(success ? Level.INFO : Level.ERROR)) {
      return;
    }
    long elapsedMs = (now - startNanos) / 1_000_000;
    String endpointName = FrontendMetrics.ENDPOINTS.get(endpoint);
    if (success) {
      AgentEvents.requestCompleted(requestId(), series.model, endpointName, requestType(), outcome.status, elapsedMs);
    } else {
      AgentEvents.requestFailed(requestId(), series.model, endpointName, requestType(), outcome.status,
          outcome.errorType, elapsedMs);
    }
  }

  private void endSpan(Outcome outcome, long now) {
    dynamo.obs.agent.trace.TraceSpan t = span;
    if (series != null) {
      t.set(SpanValues.MODEL, series.model);
    }
    long osl = completionTokens >= 0 ? completionTokens : contentEvents;
    if (promptTokens >= 0) {
      t.set(SpanValues.INPUT_TOKENS, promptTokens);
    }
    t.set(SpanValues.OUTPUT_TOKENS, osl);
    if (firstTokenNanos != 0) {
      t.set(SpanValues.TTFT_MS, SpanValues.millis(firstTokenNanos - startNanos));
      if (osl > 1 && lastTokenNanos > firstTokenNanos) {
        t.set(SpanValues.AVG_ITL_MS, SpanValues.millis((lastTokenNanos - firstTokenNanos) / (osl - 1)));
      }
    }
    if (status > 0) {
      t.set(SpanValues.HTTP_STATUS_CODE, status);
    }
    if (outcome != Outcome.SUCCESS) {
      t.error(outcome.errorType);
    }
    t.end();
  }

  /** The model label this request is counted under (null until admitted, and when not counted at all). */
  public String modelLabel() {
    return series == null ? null : series.model;
  }
}
