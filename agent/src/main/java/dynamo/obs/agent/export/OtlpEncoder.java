package dynamo.obs.agent.export;

import dynamo.obs.agent.applog.LogEvent;
import dynamo.obs.agent.trace.ActiveSpan;
import dynamo.obs.agent.trace.SpanParent;
import dynamo.obs.agent.trace.TraceSpan;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's spans and log records as OTLP protobuf ({@code ExportTraceServiceRequest},
 * {@code ExportLogsServiceRequest}), in two steps: a batch's items are written field by field from the
 * agent's own objects in one pass into a {@link Packed} batch (no per-item attribute maps, no size
 * pre-pass), and a message is that batch's bytes framed by the resource and scopes, encoded once each.
 * Every message starts with 5 free bytes for the gRPC frame header ({@link ProtoWriter#grpcPrefix}).
 * One encoder per export thread.
 */
final class OtlpEncoder {
  /** Bytes before the message: the gRPC frame header (skipped for OTLP/HTTP). */
  static final int PREFIX = 5;

  // OTLP field numbers (opentelemetry/proto/{trace,logs,common,resource}/v1)
  private static final int REQUEST_RESOURCE_ITEMS = 1;
  private static final int RESOURCE_ATTRIBUTES = 1;
  private static final int SCOPE_NAME = 1;
  private static final int RESOURCE = 1;
  private static final int RESOURCE_SCOPE_ITEMS = 2;
  private static final int SCOPE = 1;
  private static final int SCOPE_ITEMS = 2;
  private static final int KEY_VALUE_KEY = 1;
  private static final int KEY_VALUE_VALUE = 2;
  private static final int ANY_STRING = 1;
  private static final int ANY_BOOL = 2;
  private static final int ANY_INT = 3;
  private static final int ANY_DOUBLE = 4;

  private static final int SPAN_TRACE_ID = 1;
  private static final int SPAN_SPAN_ID = 2;
  private static final int SPAN_TRACE_STATE = 3;
  private static final int SPAN_PARENT_ID = 4;
  private static final int SPAN_NAME = 5;
  private static final int SPAN_KIND = 6;
  private static final int SPAN_START = 7;
  private static final int SPAN_END = 8;
  private static final int SPAN_ATTRIBUTES = 9;
  private static final int SPAN_STATUS = 15;
  private static final int SPAN_FLAGS = 16;
  private static final int STATUS_MESSAGE = 2;
  private static final int STATUS_CODE = 3;
  private static final int KIND_INTERNAL = 1;
  private static final int KIND_SERVER = 2;
  private static final int STATUS_ERROR = 2;
  /** Span flags: the parent's is-remote bit is known, and whether it is set. */
  private static final int FLAG_HAS_IS_REMOTE = 0x100;
  private static final int FLAG_IS_REMOTE = 0x200;

  private static final int LOG_TIME = 1;
  private static final int LOG_SEVERITY_NUMBER = 2;
  private static final int LOG_SEVERITY_TEXT = 3;
  private static final int LOG_BODY = 5;
  private static final int LOG_ATTRIBUTES = 6;
  private static final int LOG_FLAGS = 8;
  private static final int LOG_TRACE_ID = 9;
  private static final int LOG_SPAN_ID = 10;
  private static final int LOG_OBSERVED_TIME = 11;

  /**
   * Past this many bytes a message takes no more items; the rest of the batch goes in further messages.
   * Collectors take up to 4 MiB by default (gRPC's limit); this leaves room for the item that crosses it.
   */
  static final int MAX_MESSAGE = 2 * 1024 * 1024;

  /** Room for the request's own tag and length, left out of a message's size while its items are chosen. */
  private static final int HEADROOM = 8;

  /** Distinct logger names whose scope encodings are kept; past it a name's scope is encoded each time. */
  private static final int MAX_SCOPES = 4096;

  private final ProtoWriter w = new ProtoWriter(64 * 1024);
  private final ProtoWriter scratch = new ProtoWriter(256);
  private final byte[] resource;
  private final byte[] spanScope;
  private final Map<String, byte[]> logScopes = new java.util.HashMap<>();
  private int encoded;
  /** The runs of the message being framed: first item, end, bytes of its scope group. */
  private int[] runBounds = new int[48];
  private String lastTraceState;
  private String lastTraceStateValid;

  /**
   * @param resourceAttributes {@code OTEL_RESOURCE_ATTRIBUTES}
   * @param serviceName {@code service.name}, which wins over one in the attributes; also the spans' scope
   */
  OtlpEncoder(Map<String, String> resourceAttributes, String serviceName) {
    Map<String, String> attributes = new LinkedHashMap<>(resourceAttributes);
    attributes.put("service.name", serviceName);
    scratch.reset(0);
    for (Map.Entry<String, String> e : attributes.entrySet()) {
      attribute(scratch, RESOURCE_ATTRIBUTES, e.getKey(), e.getValue());
    }
    resource = scratch.toByteArray();
    spanScope = scope(serviceName);
  }

  private byte[] scope(String name) {
    scratch.reset(0);
    scratch.optionalString(SCOPE_NAME, name);
    return scratch.toByteArray();
  }

  /** An export request with nothing in it (what {@code doctor} sends). */
  static byte[] empty() {
    return new byte[PREFIX];
  }

  /** The spans, each encoded as a {@code ScopeSpans.spans} field, under the service's scope. */
  Packed packSpans(List<TraceSpan> spans) {
    w.reset(0);
    int[] ends = new int[spans.size()];
    byte[][] scopes = new byte[spans.size()][];
    for (int i = 0; i < ends.length; i++) {
      span(spans.get(i));
      ends[i] = w.size();
      scopes[i] = spanScope;
    }
    return new Packed(w.toByteArray(), ends, scopes);
  }

  /** The log records, each encoded as a {@code ScopeLogs.log_records} field, each under its logger's scope. */
  Packed packLogs(List<LogEvent> events) {
    w.reset(0);
    int[] ends = new int[events.size()];
    byte[][] scopes = new byte[events.size()][];
    for (int i = 0; i < ends.length; i++) {
      LogEvent e = events.get(i);
      record(e);
      ends[i] = w.size();
      scopes[i] = logScope(target(e));
    }
    return new Packed(w.toByteArray(), ends, scopes);
  }

  /**
   * The export request ({@code ExportTraceServiceRequest} or {@code ExportLogsServiceRequest}: both frame
   * their items alike) of the packed items from {@code from} on, after {@link #PREFIX} bytes: the resource
   * once, each run of items of one scope under that scope, as many items as fit in {@link #MAX_MESSAGE}
   * (at least one); {@link #encoded()} says how many. The items' bytes stay in the batch: the message is
   * the framing written here around runs of them.
   */
  Message message(Packed p, int from) {
    // the runs of one scope, and with them every length, before a byte is written
    int resourceField = ProtoWriter.fieldSize(RESOURCE, resource.length);
    int size = resourceField;
    int runs = 0;
    int i = from;
    while (i < p.count() && (i == from || PREFIX + HEADROOM + size < MAX_MESSAGE)) {
      byte[] scope = p.scopes[i];
      int first = i;
      int scopeField = ProtoWriter.fieldSize(SCOPE, scope.length);
      do {
        i++;
      } while (i < p.count() && p.scopes[i] == scope
          && PREFIX + HEADROOM + size + scopeField + (p.ends[i - 1] - p.start(first)) < MAX_MESSAGE);
      int group = scopeField + p.ends[i - 1] - p.start(first);
      size += ProtoWriter.fieldSize(RESOURCE_SCOPE_ITEMS, group);
      if (runs * 3 + 3 > runBounds.length) {
        runBounds = java.util.Arrays.copyOf(runBounds, runBounds.length * 2);
      }
      runBounds[runs * 3] = first;
      runBounds[runs * 3 + 1] = i;
      runBounds[runs * 3 + 2] = group;
      runs++;
    }
    encoded = i - from;
    w.reset(PREFIX);
    w.lengthPrefix(REQUEST_RESOURCE_ITEMS, size);
    w.lengthPrefix(RESOURCE, resource.length);
    w.raw(resource);
    int[] pieces = new int[runs * 6 + 3];
    int piece = 0;
    int framed = 0;
    int length = 0;
    for (int r = 0; r < runs; r++) {
      byte[] scope = p.scopes[runBounds[r * 3]];
      w.lengthPrefix(RESOURCE_SCOPE_ITEMS, runBounds[r * 3 + 2]);
      w.lengthPrefix(SCOPE, scope.length);
      w.raw(scope); // then the run's items, which carry their own tags
      int itemsFrom = p.start(runBounds[r * 3]);
      int itemsLen = p.ends[runBounds[r * 3 + 1] - 1] - itemsFrom;
      piece = piece(pieces, piece, 0, framed, w.size() - framed);
      piece = piece(pieces, piece, 1, itemsFrom, itemsLen);
      length += w.size() - framed + itemsLen;
      framed = w.size();
    }
    if (framed < w.size() || runs == 0) {
      piece = piece(pieces, piece, 0, framed, w.size() - framed);
      length += w.size() - framed;
    }
    w.grpcPrefix(length - PREFIX);
    return new Message(w.toByteArray(), p.bytes, java.util.Arrays.copyOf(pieces, piece), length);
  }

  private static int piece(int[] pieces, int at, int source, int off, int len) {
    pieces[at] = source;
    pieces[at + 1] = off;
    pieces[at + 2] = len;
    return at + 3;
  }

  /** How many items the last message holds. */
  int encoded() {
    return encoded;
  }

  private void message(int field, byte[] body) {
    int m = w.begin(field, 2);
    w.raw(body);
    w.end(m);
  }

  private void span(TraceSpan s) {
    int m = w.begin(SCOPE_ITEMS, 2);
    w.id(SPAN_TRACE_ID, s.traceIdHigh(), s.traceIdLow());
    w.id(SPAN_SPAN_ID, s.spanIdValue());
    w.optionalString(SPAN_TRACE_STATE, traceState(s.traceState()));
    if (s.parentSpanIdValue() != 0) {
      w.id(SPAN_PARENT_ID, s.parentSpanIdValue());
    }
    w.string(SPAN_NAME, s.spanName());
    w.uint(SPAN_KIND, s.kindOf() == TraceSpan.Kind.SERVER ? KIND_SERVER : KIND_INTERNAL);
    w.fixed64(SPAN_START, s.startEpochNanos());
    w.fixed64(SPAN_END, s.endEpochNanos());
    for (int i = 0; i < s.attributeCount(); i++) {
      attribute(w, SPAN_ATTRIBUTES, s.attributeKey(i), s.attributeValue(i));
    }
    if (s.isError()) {
      int status = w.begin(SPAN_STATUS, 1);
      w.optionalString(STATUS_MESSAGE, s.errorDescription());
      w.uint(STATUS_CODE, STATUS_ERROR);
      w.end(status);
    }
    w.fixed32(SPAN_FLAGS, (s.sampled() ? 1 : 0) | FLAG_HAS_IS_REMOTE | (s.parentIsRemote() ? FLAG_IS_REMOTE : 0));
    w.end(m);
  }

  /** The tracestate as W3C allows it (members it refuses left out); the last one is remembered. */
  private String traceState(String header) {
    if (header == null || header.isEmpty()) {
      return null;
    }
    if (!header.equals(lastTraceState)) {
      lastTraceStateValid = TraceStates.valid(header);
      lastTraceState = header;
    }
    return lastTraceStateValid;
  }

  private static String target(LogEvent e) {
    return e.target == null ? "" : e.target;
  }

  private byte[] logScope(String target) {
    byte[] s = logScopes.get(target);
    if (s == null) {
      s = scope(target);
      if (logScopes.size() < MAX_SCOPES) {
        logScopes.put(target, s);
      }
    }
    return s;
  }

  private void record(LogEvent e) {
    int m = w.begin(SCOPE_ITEMS, 2);
    w.fixed64(LOG_TIME, e.epochNanos);
    w.uint(LOG_SEVERITY_NUMBER, severityNumber(e));
    w.string(LOG_SEVERITY_TEXT, e.level.name());
    if (e.message != null) {
      int body = w.begin(LOG_BODY, 2);
      w.string(ANY_STRING, e.message);
      w.end(body);
    }
    for (Map.Entry<String, String> f : e.fields.entrySet()) {
      attribute(w, LOG_ATTRIBUTES, f.getKey(), f.getValue());
    }
    attribute(w, LOG_ATTRIBUTES, "thread.name", e.threadName);
    if (e.file != null) {
      attribute(w, LOG_ATTRIBUTES, "code.filepath", e.file);
      if (e.line > 0) {
        attribute(w, LOG_ATTRIBUTES, "code.lineno", (long) e.line);
      }
    }
    ActiveSpan s = e.span;
    if (s != null) {
      attribute(w, LOG_ATTRIBUTES, "x_request_id", s.xRequestId());
      attribute(w, LOG_ATTRIBUTES, "request_id", s.requestId());
    }
    if (e.thrown != null) {
      attribute(w, LOG_ATTRIBUTES, "exception.type", e.thrown.getClass().getName());
      attribute(w, LOG_ATTRIBUTES, "exception.message", e.thrown.getMessage());
      StringWriter trace = new StringWriter();
      e.thrown.printStackTrace(new PrintWriter(trace));
      attribute(w, LOG_ATTRIBUTES, "exception.stacktrace", trace.toString());
    }
    if (s != null) {
      spanOf(s);
    }
    w.fixed64(LOG_OBSERVED_TIME, e.epochNanos);
    w.end(m);
  }

  /** The trace id, span id and sampled flag of the span a record happened in. */
  private void spanOf(ActiveSpan s) {
    long high;
    long low;
    long span;
    boolean sampled;
    if (s instanceof SpanParent) {
      SpanParent p = (SpanParent) s;
      high = p.traceIdHigh();
      low = p.traceIdLow();
      span = p.spanIdValue();
      sampled = p.sampled();
    } else {
      try {
        String t = s.traceId();
        high = Long.parseUnsignedLong(t.substring(0, 16), 16);
        low = Long.parseUnsignedLong(t.substring(16, 32), 16);
        span = Long.parseUnsignedLong(s.spanId(), 16);
        sampled = true;
      } catch (RuntimeException bad) {
        return; // ids that are not W3C hex: the record goes without them
      }
    }
    w.fixed32(LOG_FLAGS, sampled ? 1 : 0);
    w.id(LOG_TRACE_ID, high, low);
    w.id(LOG_SPAN_ID, span);
  }

  private static int severityNumber(LogEvent e) {
    switch (e.level) {
      case ERROR:
        return 17;
      case WARN:
        return 13;
      case INFO:
        return 9;
      case DEBUG:
        return 5;
      case TRACE:
        return 1;
      default:
        return 0;
    }
  }

  /**
   * One {@code KeyValue} at {@code field}: a String, a whole number (int64), another number (double) or a
   * Boolean; anything else as its string. A null key or value writes nothing.
   */
  private static void attribute(ProtoWriter w, int field, String key, Object value) {
    if (key == null || value == null) {
      return;
    }
    int kv = w.begin(field, 1);
    w.string(KEY_VALUE_KEY, key);
    int any = w.begin(KEY_VALUE_VALUE, 1);
    if (value instanceof String) {
      w.string(ANY_STRING, (String) value);
    } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
      w.int64Always(ANY_INT, ((Number) value).longValue());
    } else if (value instanceof Number) {
      w.doubleValue(ANY_DOUBLE, ((Number) value).doubleValue());
    } else if (value instanceof Boolean) {
      w.bool(ANY_BOOL, (Boolean) value);
    } else {
      w.string(ANY_STRING, value.toString());
    }
    w.end(any);
    w.end(kv);
  }
}
