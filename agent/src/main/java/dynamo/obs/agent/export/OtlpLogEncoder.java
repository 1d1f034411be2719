package dynamo.obs.agent.export;

import dynamo.obs.agent.applog.LogEvent;
import dynamo.obs.agent.config.LogFilter;
import dynamo.obs.agent.trace.ActiveSpan;
import dynamo.obs.agent.trace.SpanParent;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.exporter.internal.marshal.Marshaler;
import io.opentelemetry.exporter.internal.otlp.InstrumentationScopeMarshaler;
import io.opentelemetry.exporter.internal.otlp.ResourceMarshaler;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's log events as OTLP log records, encoded straight into protobuf on the export thread: each event
 * once into its {@code LogRecord} bytes ({@link #encode}), each export one {@code ExportLogsServiceRequest}
 * joining them under the resource and their scopes ({@link #request}). What a record holds is what the
 * OpenTelemetry SDK's logger made of the event before: scope = the logger name (Dynamo's target), body = the
 * message, severity number and text, the event's fields and MDC, {@code thread.name}, {@code code.filepath} /
 * {@code code.lineno}, the request's {@code x_request_id} / {@code request_id}, the exception's
 * {@code exception.*}, the trace and span the event happened in, and the SDK's attribute limits
 * ({@code OTEL_LOGRECORD_ATTRIBUTE_*_LIMIT}: the first so many distinct keys kept, string values cut to so many
 * characters, the rest counted as dropped); attributes in key order, as the SDK's are. The resource and the scopes
 * are encoded by the SDK's own marshalers, once. Two lifecycle records a request made this the export thread's
 * largest cost through the SDK (its logger's records, then the exporter's size pass and write pass over every
 * string). {@link #encode} is the export thread's alone; {@link #request} may run on a transport thread too (a
 * batch too large, sent again in halves).
 */
final class OtlpLogEncoder {
  /** A log record's protobuf bytes and its scope's name. */
  record Encoded(String scope, byte[] bytes) {
  }

  private static final int MAX_CACHED = 1024;

  private final byte[] resource;
  private final String resourceSchemaUrl;
  private final int countLimit;
  private final int lengthLimit;
  /** Each target's encoded {@code InstrumentationScope}, and each attribute key's encoded bytes (bounded). */
  private final Map<String, byte[]> scopes = new ConcurrentHashMap<>(); // requests are also made on transport threads
  private final Map<String, byte[]> keys = new HashMap<>();
  private final Buffer out = new Buffer(512);
  /** The record's attributes while it is encoded: keys in the order first set, values (String, or Long). */
  private String[] attrKeys = new String[16];
  private Object[] attrValues = new Object[16];
  private int attrCount;
  private int attrTotal;

  OtlpLogEncoder(Resource resource, int countLimit, int lengthLimit) {
    this.resource = bytes(ResourceMarshaler.create(resource));
    this.resourceSchemaUrl = resource.getSchemaUrl();
    this.countLimit = countLimit;
    this.lengthLimit = lengthLimit;
  }

  // ---- one record --------------------------------------------------------------------------------

  Encoded encode(LogEvent e) {
    attrCount = 0;
    attrTotal = 0;
    for (Map.Entry<String, String> f : e.fields.entrySet()) {
      put(f.getKey(), f.getValue());
    }
    put("thread.name", e.threadName);
    if (e.file != null) {
      put("code.filepath", e.file);
      if (e.line > 0) {
        put("code.lineno", (long) e.line);
      }
    }
    ActiveSpan s = e.span;
    if (s != null) {
      put("x_request_id", s.xRequestId());
      put("request_id", s.requestId());
    }
    if (e.thrown != null) {
      put("exception.type", e.thrown.getClass().getName());
      try {
        put("exception.message", e.thrown.getMessage());
        StringWriter trace = new StringWriter();
        e.thrown.printStackTrace(new PrintWriter(trace));
        put("exception.stacktrace", trace.toString());
      } catch (RuntimeException broken) {
        // an application's throwable whose own methods throw: the record keeps its type, the batch its other records
      }
    }
    Buffer b = out;
    b.reset();
    b.fixed64(1, e.epochNanos); // time_unix_nano
    b.fixed64(11, e.epochNanos); // observed_time_unix_nano
    b.varintField(2, severity(e.level)); // severity_number
    b.string(3, e.level.name()); // severity_text
    if (e.message != null) {
      byte[] body = utf8(e.message);
      b.tag(5, 2); // body: AnyValue { string_value } (an empty string too: a oneof's value is always written)
      b.varint(Buffer.fieldSize(body.length));
      b.bytes(1, body);
    }
    sortAttributes();
    for (int i = 0; i < attrCount; i++) {
      attribute(b, attrKeys[i], attrValues[i]);
    }
    if (attrTotal > attrCount) {
      b.varintField(7, attrTotal - attrCount); // dropped_attributes_count
    }
    SpanContext span = s == null ? null : spanContext(s);
    if (span != null && span.isValid()) {
      b.fixed32(8, span.getTraceFlags().asByte() & 0xFF); // flags
      b.bytes(9, span.getTraceIdBytes()); // trace_id
      b.bytes(10, span.getSpanIdBytes()); // span_id
    }
    // the SDK's logger names a scope without a name "unknown"
    return new Encoded(e.target == null || e.target.isBlank() ? "unknown" : e.target, b.toArray());
  }

  /** An attribute as the SDK's attribute map takes it: a new key only below the limit, a string value cut. */
  private void put(String key, Object value) {
    if (key == null || value == null) {
      return;
    }
    if (value instanceof String && ((String) value).length() > lengthLimit) {
      value = ((String) value).substring(0, lengthLimit);
    }
    for (int i = 0; i < attrCount; i++) {
      if (attrKeys[i].equals(key)) {
        attrValues[i] = value;
        return;
      }
    }
    attrTotal++;
    if (attrCount >= countLimit) {
      return;
    }
    if (attrCount == attrKeys.length) {
      attrKeys = Arrays.copyOf(attrKeys, attrCount * 2);
      attrValues = Arrays.copyOf(attrValues, attrCount * 2);
    }
    attrKeys[attrCount] = key;
    attrValues[attrCount++] = value;
  }

  /** By key, as the SDK's attributes are ordered (a handful: insertion sort). */
  private void sortAttributes() {
    for (int i = 1; i < attrCount; i++) {
      String k = attrKeys[i];
      Object v = attrValues[i];
      int j = i - 1;
      while (j >= 0 && attrKeys[j].compareTo(k) > 0) {
        attrKeys[j + 1] = attrKeys[j];
        attrValues[j + 1] = attrValues[j];
        j--;
      }
      attrKeys[j + 1] = k;
      attrValues[j + 1] = v;
    }
  }

  /** A {@code KeyValue} (field 6 of a log record): the key, and an {@code AnyValue} of a string or an int. */
  private void attribute(Buffer b, String key, Object value) {
    byte[] k = key(key);
    int keyField = Buffer.fieldSize(k.length);
    if (value instanceof Long) {
      long v = (Long) value;
      int any = 1 + Buffer.varintSize(v);
      b.tag(6, 2);
      b.varint(keyField + 1 + Buffer.varintSize(any) + any);
      b.bytes(1, k);
      b.tag(2, 2);
      b.varint(any);
      b.tag(3, 0); // int_value (0 too: a oneof's value is always written)
      b.varint(v);
      return;
    }
    byte[] v = utf8(value.toString());
    int any = Buffer.fieldSize(v.length);
    b.tag(6, 2);
    b.varint(keyField + 1 + Buffer.varintSize(any) + any);
    b.bytes(1, k);
    b.tag(2, 2);
    b.varint(any);
    b.bytes(1, v); // string_value
  }

  private byte[] key(String name) {
    byte[] k = keys.get(name);
    if (k == null) {
      k = utf8(name);
      if (keys.size() < MAX_CACHED) {
        keys.put(name, k);
      }
    }
    return k;
  }

  // ---- one export --------------------------------------------------------------------------------

  /**
   * The {@code ExportLogsServiceRequest} of {@code records}: one {@code ResourceLogs}, a {@code ScopeLogs} per scope
   * in the order its first record came.
   */
  byte[] request(Collection<Encoded> records) {
    Map<String, List<Encoded>> byScope = new LinkedHashMap<>();
    for (Encoded r : records) {
      byScope.computeIfAbsent(r.scope(), k -> new ArrayList<>()).add(r);
    }
    int n = byScope.size();
    byte[][] scopeBytes = new byte[n][];
    int[] scopeLogsSize = new int[n];
    int resourceLogsSize = Buffer.fieldSize(resource.length);
    int i = 0;
    for (Map.Entry<String, List<Encoded>> g : byScope.entrySet()) {
      byte[] scope = scope(g.getKey());
      int size = Buffer.fieldSize(scope.length);
      for (Encoded r : g.getValue()) {
        size += Buffer.fieldSize(r.bytes().length);
      }
      scopeBytes[i] = scope;
      scopeLogsSize[i] = size;
      resourceLogsSize += Buffer.fieldSize(size);
      i++;
    }
    byte[] schema = resourceSchemaUrl == null || resourceSchemaUrl.isEmpty() ? null : utf8(resourceSchemaUrl);
    if (schema != null) {
      resourceLogsSize += Buffer.fieldSize(schema.length);
    }
    Buffer b = new Buffer(Buffer.fieldSize(resourceLogsSize));
    b.tag(1, 2); // resource_logs
    b.varint(resourceLogsSize);
    b.bytes(1, resource);
    i = 0;
    for (List<Encoded> group : byScope.values()) {
      b.tag(2, 2); // scope_logs
      b.varint(scopeLogsSize[i]);
      b.bytes(1, scopeBytes[i]);
      for (Encoded r : group) {
        b.bytes(2, r.bytes()); // log_records
      }
      i++;
    }
    if (schema != null) {
      b.bytes(3, schema);
    }
    return b.toArray();
  }

  private byte[] scope(String name) {
    byte[] s = scopes.get(name);
    if (s == null) {
      s = bytes(InstrumentationScopeMarshaler.create(InstrumentationScopeInfo.create(name)));
      if (scopes.size() < MAX_CACHED) {
        scopes.put(name, s);
      }
    }
    return s;
  }

  // ---- values ------------------------------------------------------------------------------------

  private static byte[] bytes(Marshaler m) {
    ByteArrayOutputStream b = new ByteArrayOutputStream(m.getBinarySerializedSize());
    try {
      m.writeBinaryTo(b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b.toByteArray();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The span's ids; a span the agent did not make (ids as hex only) is taken as sampled. */
  private static SpanContext spanContext(ActiveSpan s) {
    if (s instanceof SpanParent) {
      return ((SpanParent) s).spanContext();
    }
    return SpanContext.create(s.traceId(), s.spanId(), TraceFlags.getSampled(), TraceState.getDefault());
  }

  /** OTLP's {@code SeverityNumber} of a level: the API's {@link Severity}'s number. */
  static int severity(LogFilter.Level level) {
    switch (level) {
      case ERROR :
        return Severity.ERROR.getSeverityNumber();
      case WARN :
        return Severity.WARN.getSeverityNumber();
      case INFO :
        return Severity.INFO.getSeverityNumber();
      case DEBUG :
        return Severity.DEBUG.getSeverityNumber();
      case TRACE :
        return Severity.TRACE.getSeverityNumber();
      default :
        return Severity.UNDEFINED_SEVERITY_NUMBER.getSeverityNumber();
    }
  }

  /** A growable array protobuf is written into. */
  static final class Buffer {
    private byte[] b;
    private int n;

    Buffer(int capacity) {
      b = new byte[Math.max(16, capacity)];
    }

    void reset() {
      n = 0;
    }

    byte[] toArray() {
      return n == b.length ? b : Arrays.copyOf(b, n);
    }

    private void room(int more) {
      if (n + more > b.length) {
        b = Arrays.copyOf(b, Math.max(b.length * 2, n + more));
      }
    }

    void tag(int field, int wireType) {
      varint(field << 3 | wireType);
    }

    void varint(long v) {
      room(10);
      while ((v & ~0x7FL) != 0) {
        b[n++] = (byte) (v & 0x7F | 0x80);
        v >>>= 7;
      }
      b[n++] = (byte) v;
    }

    void varintField(int field, long v) {
      if (v != 0) {
        tag(field, 0);
        varint(v);
      }
    }

    void fixed64(int field, long v) {
      fixed(field, 1, v, 8);
    }

    void fixed32(int field, int v) {
      fixed(field, 5, v, 4);
    }

    /** A fixed-width field (wire type 1 or 5), little-endian; zero is not written. */
    private void fixed(int field, int wireType, long v, int width) {
      if (v != 0) {
        tag(field, wireType);
        room(width);
        for (int i = 0; i < width; i++) {
          b[n++] = (byte) (v >>> 8 * i);
        }
      }
    }

    void string(int field, String s) {
      if (!s.isEmpty()) {
        bytes(field, s.getBytes(StandardCharsets.UTF_8));
      }
    }

    /** A length-delimited field (bytes, a string's UTF-8, an encoded message). */
    void bytes(int field, byte[] v) {
      tag(field, 2);
      varint(v.length);
      room(v.length);
      System.arraycopy(v, 0, b, n, v.length);
      n += v.length;
    }

    static int varintSize(long v) {
      int size = 1;
      while ((v & ~0x7FL) != 0) {
        v >>>= 7;
        size++;
      }
      return size;
    }

    /** A length-delimited field's size with its one-byte tag. */
    static int fieldSize(int length) {
      return 1 + varintSize(length) + length;
    }
  }
}
