package dynamo.obs.agent.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dynamo.obs.agent.config.LogFilter;
import dynamo.obs.agent.applog.LogEvent;
import dynamo.obs.agent.trace.TraceParent;
import dynamo.obs.agent.trace.TraceSpan;
import dynamo.obs.agent.trace.Tracing;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The encoder's messages read back with protobuf's own generated OTLP classes. */
class OtlpEncoderTest {
  private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  private final List<TraceSpan> ended = new ArrayList<>();
  private final Tracing tracing = new Tracing(1.0, ended::add, null, null);

  private static OtlpEncoder encoder() {
    Map<String, String> resource = new LinkedHashMap<>();
    resource.put("deployment.environment", "test");
    resource.put("service.name", "overridden");
    return new OtlpEncoder(resource, "frontend");
  }

  private static byte[] message(byte[] framed) {
    assertEquals(0, framed[0], "gRPC frame: not compressed");
    int len = ByteBuffer.wrap(framed, 1, 4).getInt();
    assertEquals(framed.length - OtlpEncoder.PREFIX, len, "gRPC frame: the message's length");
    return java.util.Arrays.copyOfRange(framed, OtlpEncoder.PREFIX, framed.length);
  }

  private static Map<String, AnyValue> attributes(List<KeyValue> kvs) {
    Map<String, AnyValue> m = new LinkedHashMap<>();
    for (KeyValue kv : kvs) {
      assertNull(m.put(kv.getKey(), kv.getValue()), "one value per key: " + kv.getKey());
    }
    return m;
  }

  private static ByteString id(String hex) {
    return ByteString.fromHex(hex);
  }

  @Test
  void spansWithTheirIdsParentsAttributesAndStatus() throws Exception {
    TraceSpan server = tracing.start("http-request", TraceSpan.Kind.SERVER,
        TraceParent.parse(TRACEPARENT, "vendor=abc,Bad Key=1,other=x y"), "xr-1", "rq-1");
    server.set("model", "qwen/qwen3-0.6b").set("input_tokens", 12L).set("ttft_ms", "1.50")
        .set("ratio", 0.25).set("stream", true).set("port", 8000);
    server.error("HTTP 503");
    TraceSpan child = tracing.start("router.route_request", TraceSpan.Kind.INTERNAL, server, null, null);
    child.set("note", "naïve — 😀 \uD800 end");
    child.end();
    server.end();
    TraceSpan root = tracing.start("handle_payload", TraceSpan.Kind.SERVER, null, null, null);
    root.set("big", "x".repeat(70_000));
    root.end();

    ExportTraceServiceRequest req = ExportTraceServiceRequest.parseFrom(message(spans(encoder(), ended)));
    assertEquals(1, req.getResourceSpansCount());
    ResourceSpans rs = req.getResourceSpans(0);
    Map<String, AnyValue> resource = attributes(rs.getResource().getAttributesList());
    assertEquals("frontend", resource.get("service.name").getStringValue(), "service.name wins");
    assertEquals("test", resource.get("deployment.environment").getStringValue());
    assertEquals(1, rs.getScopeSpansCount());
    assertEquals("frontend", rs.getScopeSpans(0).getScope().getName());
    List<Span> spans = rs.getScopeSpans(0).getSpansList();
    assertEquals(3, spans.size());

    Span c = spans.get(0);
    Span s = spans.get(1);
    Span r = spans.get(2);
    assertEquals("router.route_request", c.getName());
    assertEquals(Span.SpanKind.SPAN_KIND_INTERNAL, c.getKind());
    assertEquals(id("0af7651916cd43dd8448eb211c80319c"), c.getTraceId());
    assertEquals(s.getSpanId(), c.getParentSpanId());
    assertEquals(id(child.spanId()), c.getSpanId());
    assertEquals("naïve — 😀 ? end", attributes(c.getAttributesList()).get("note").getStringValue(),
        "UTF-8, an unpaired surrogate replaced");
    assertEquals(0x101, c.getFlags(), "sampled, parent known to be local");
    assertEquals(Status.StatusCode.STATUS_CODE_UNSET, c.getStatus().getCode());

    assertEquals("http-request", s.getName());
    assertEquals(Span.SpanKind.SPAN_KIND_SERVER, s.getKind());
    assertEquals(id("b7ad6b7169203331"), s.getParentSpanId());
    assertEquals("vendor=abc,other=x y", s.getTraceState(), "the members W3C allows, in order");
    assertEquals(0x301, s.getFlags(), "sampled, parent remote");
    assertEquals(server.startEpochNanos(), s.getStartTimeUnixNano());
    assertEquals(server.endEpochNanos(), s.getEndTimeUnixNano());
    assertTrue(s.getEndTimeUnixNano() >= s.getStartTimeUnixNano());
    assertEquals(Status.StatusCode.STATUS_CODE_ERROR, s.getStatus().getCode());
    assertEquals("HTTP 503", s.getStatus().getMessage());
    Map<String, AnyValue> a = attributes(s.getAttributesList());
    assertEquals("qwen/qwen3-0.6b", a.get("model").getStringValue());
    assertEquals(12L, a.get("input_tokens").getIntValue());
    assertEquals("1.50", a.get("ttft_ms").getStringValue());
    assertEquals(0.25, a.get("ratio").getDoubleValue());
    assertTrue(a.get("stream").getBoolValue());
    assertEquals(8000L, a.get("port").getIntValue());

    assertTrue(r.getParentSpanId().isEmpty(), "a root span has no parent");
    assertEquals("", r.getTraceState());
    assertEquals(16, r.getTraceId().size());
    assertEquals(70_000, attributes(r.getAttributesList()).get("big").getStringValue().length(),
        "a value longer than two varint bytes' worth");
  }

  @Test
  void theEncoderIsReusedFromBatchToBatch() throws Exception {
    OtlpEncoder e = encoder();
    for (int n : new int[] {600, 1, 0, 3}) {
      List<TraceSpan> batch = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        TraceSpan span = tracing.start("engine.generate", TraceSpan.Kind.INTERNAL, null, null, null);
        span.set("i", i);
        span.end();
        batch.add(span);
      }
      ExportTraceServiceRequest req = ExportTraceServiceRequest.parseFrom(message(spans(e, batch)));
      if (n == 0) {
        assertEquals(0, req.getResourceSpans(0).getScopeSpansCount(), "no items, no scope");
        continue;
      }
      List<Span> spans = req.getResourceSpans(0).getScopeSpans(0).getSpansList();
      assertEquals(n, spans.size());
      for (int i = 0; i < n; i++) {
        assertEquals(i, attributes(spans.get(i).getAttributesList()).get("i").getIntValue());
      }
    }
    assertEquals(0, ExportTraceServiceRequest.parseFrom(message(OtlpEncoder.empty())).getResourceSpansCount());
  }

  @Test
  void logRecordsByLoggerWithTheirSpanAndException() throws Exception {
    TraceSpan span = tracing.start("http-request", TraceSpan.Kind.SERVER,
        TraceParent.parse(TRACEPARENT, null), "xr-7", "rq-7");
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("user", "ada");
    IllegalStateException boom = new IllegalStateException("engine gone");
    List<LogEvent> events = List.of(
        new LogEvent(1_000L, LogFilter.Level.INFO, "app.http", "request received", null, "worker-1",
            null, 0, fields, span),
        new LogEvent(2_000L, LogFilter.Level.ERROR, "app.engine", "generate failed", boom, "worker-2",
            "Engine.java", 42, null, null),
        new LogEvent(3_000L, LogFilter.Level.WARN, "app.http", null, null, null, null, 0, null, null),
        new LogEvent(4_000L, LogFilter.Level.DEBUG, null, "no logger", null, null, null, 0, null, null));

    ExportLogsServiceRequest req = ExportLogsServiceRequest.parseFrom(message(logs(encoder(), events)));
    assertEquals(1, req.getResourceLogsCount());
    assertEquals("frontend", attributes(req.getResourceLogs(0).getResource().getAttributesList())
        .get("service.name").getStringValue());
    List<ScopeLogs> scopes = req.getResourceLogs(0).getScopeLogsList();
    assertEquals(List.of("app.http", "app.engine", "app.http", ""),
        scopes.stream().map(s -> s.getScope().getName()).toList(), "one scope per run of records of one logger");
    assertEquals(1, scopes.get(0).getLogRecordsCount());

    LogRecord info = scopes.get(0).getLogRecords(0);
    assertEquals(1_000L, info.getTimeUnixNano());
    assertEquals(1_000L, info.getObservedTimeUnixNano());
    assertEquals(SeverityNumber.SEVERITY_NUMBER_INFO, info.getSeverityNumber());
    assertEquals("INFO", info.getSeverityText());
    assertEquals("request received", info.getBody().getStringValue());
    assertEquals(id("0af7651916cd43dd8448eb211c80319c"), info.getTraceId());
    assertEquals(id(span.spanId()), info.getSpanId());
    assertEquals(1, info.getFlags());
    Map<String, AnyValue> a = attributes(info.getAttributesList());
    assertEquals("ada", a.get("user").getStringValue());
    assertEquals("worker-1", a.get("thread.name").getStringValue());
    assertEquals("xr-7", a.get("x_request_id").getStringValue());
    assertEquals("rq-7", a.get("request_id").getStringValue());
    assertFalse(a.containsKey("code.filepath"));

    LogRecord warn = scopes.get(2).getLogRecords(0);
    assertEquals(SeverityNumber.SEVERITY_NUMBER_WARN, warn.getSeverityNumber());
    assertFalse(warn.hasBody(), "no message, no body");
    assertTrue(warn.getTraceId().isEmpty());
    assertEquals(0, warn.getAttributesCount());

    LogRecord error = scopes.get(1).getLogRecords(0);
    assertEquals(SeverityNumber.SEVERITY_NUMBER_ERROR, error.getSeverityNumber());
    Map<String, AnyValue> e = attributes(error.getAttributesList());
    assertEquals(IllegalStateException.class.getName(), e.get("exception.type").getStringValue());
    assertEquals("engine gone", e.get("exception.message").getStringValue());
    assertTrue(e.get("exception.stacktrace").getStringValue().contains("logRecordsByLoggerWithTheirSpanAndException"));
    assertEquals("Engine.java", e.get("code.filepath").getStringValue());
    assertEquals(42L, e.get("code.lineno").getIntValue());

    assertEquals(SeverityNumber.SEVERITY_NUMBER_DEBUG, scopes.get(3).getLogRecords(0).getSeverityNumber());
  }

  @Test
  void aBatchLargerThanAMessageShouldBeGoesInSeveral() throws Exception {
    OtlpEncoder e = encoder();
    List<LogEvent> events = new ArrayList<>();
    String trace = "at x.y.Z.frame(Z.java:1)\n".repeat(4_000); // ~100 KB, like a deep stack trace
    for (int i = 0; i < 100; i++) {
      events.add(new LogEvent(i, LogFilter.Level.ERROR, i % 3 == 0 ? "a" : "b", "failure " + i, null, null,
          null, 0, Map.of("trace", trace), null));
    }
    List<String> got = new ArrayList<>();
    int from = 0;
    int messages = 0;
    Packed packedLogs = e.packLogs(events);
    while (from < events.size()) {
      byte[] m = e.message(packedLogs, from).toByteArray();
      assertTrue(e.encoded() >= 1);
      assertTrue(m.length - OtlpEncoder.PREFIX < OtlpEncoder.MAX_MESSAGE + 200_000,
          "a message stops at the limit, past it by one record at most: " + m.length);
      for (ScopeLogs s : ExportLogsServiceRequest.parseFrom(message(m)).getResourceLogs(0).getScopeLogsList()) {
        for (LogRecord r : s.getLogRecordsList()) {
          assertEquals(r.getTimeUnixNano() % 3 == 0 ? "a" : "b", s.getScope().getName());
          got.add(r.getBody().getStringValue());
        }
      }
      from += e.encoded();
      messages++;
    }
    assertTrue(messages >= 4, "~10 MB in messages of ~2 MiB: " + messages);
    List<String> want = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      want.add("failure " + i);
    }
    assertEquals(want, got, "every record once, in order");

    List<TraceSpan> spans = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      TraceSpan span = tracing.start("http-request", TraceSpan.Kind.SERVER, null, null, null);
      span.set("prompt", "p".repeat(200_000));
      span.end();
      spans.add(span);
    }
    int total = 0;
    Packed packedSpans = e.packSpans(spans);
    for (from = 0; from < spans.size(); from += e.encoded()) {
      byte[] m = e.message(packedSpans, from).toByteArray();
      total += ExportTraceServiceRequest.parseFrom(message(m)).getResourceSpans(0).getScopeSpans(0).getSpansCount();
      assertEquals(total, from + e.encoded());
    }
    assertEquals(30, total);
  }

  @Test
  void aMessageOfPackedItemsFromAnyStartAndWithoutItsFrameHeader() throws Exception {
    OtlpEncoder e = encoder();
    List<LogEvent> events = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      events.add(new LogEvent(i, LogFilter.Level.INFO, i < 3 || i > 6 ? "a" : "b", "r" + i, null, null, null, 0,
          Map.of("i", "" + i), null));
    }
    Packed p = e.packLogs(events);
    for (int from = 0; from < 10; from++) {
      Message m = e.message(p, from);
      assertEquals(10 - from, e.encoded());
      byte[] whole = m.toByteArray();
      assertEquals(m.length(), whole.length);
      java.io.ByteArrayOutputStream http = new java.io.ByteArrayOutputStream();
      m.writeTo(http::write, OtlpEncoder.PREFIX);
      assertArrayEquals(java.util.Arrays.copyOfRange(whole, OtlpEncoder.PREFIX, whole.length), http.toByteArray(),
          "OTLP/HTTP: the same message without the gRPC frame header");
      List<String> got = new ArrayList<>();
      List<String> scopes = new ArrayList<>();
      for (ScopeLogs s : ExportLogsServiceRequest.parseFrom(message(whole)).getResourceLogs(0).getScopeLogsList()) {
        scopes.add(s.getScope().getName());
        for (LogRecord r : s.getLogRecordsList()) {
          got.add(r.getBody().getStringValue());
        }
      }
      List<String> want = new ArrayList<>();
      for (int i = from; i < 10; i++) {
        want.add("r" + i);
      }
      assertEquals(want, got, "from " + from);
      assertEquals(from < 3 ? List.of("a", "b", "a") : from < 7 ? List.of("b", "a") : List.of("a"), scopes);
    }
  }

  @Test
  void piecesPackedOneAfterAnotherMakeTheMessageOfTheWhole() throws Exception {
    OtlpEncoder e = encoder();
    List<LogEvent> events = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      events.add(new LogEvent(i, LogFilter.Level.INFO, i < 4 ? "a" : "b", "r" + i, null, null, null, 0,
          Map.of("i", "" + i), null));
    }
    byte[] whole = e.message(e.packLogs(events), 0).toByteArray();
    Packed joined = Packed.join(List.of(e.packLogs(events.subList(0, 3)), e.packLogs(events.subList(3, 7)),
        e.packLogs(events.subList(7, 10))));
    assertEquals(10, joined.count());
    assertArrayEquals(whole, e.message(joined, 0).toByteArray(), "the same bytes as one piece of the ten");
    byte[] tail = e.message(joined, 5).toByteArray();
    List<String> got = new ArrayList<>();
    for (ScopeLogs s : ExportLogsServiceRequest.parseFrom(message(tail)).getResourceLogs(0).getScopeLogsList()) {
      for (LogRecord r : s.getLogRecordsList()) {
        got.add(r.getBody().getStringValue());
      }
    }
    assertEquals(List.of("r5", "r6", "r7", "r8", "r9"), got, "from an item inside a piece");
  }

  /** One message of all the spans, packed as the export queue packs them. */
  private static byte[] spans(OtlpEncoder e, List<TraceSpan> spans) {
    byte[] m = e.message(e.packSpans(spans), 0).toByteArray();
    assertEquals(spans.size(), e.encoded());
    return m;
  }

  private static byte[] logs(OtlpEncoder e, List<LogEvent> events) {
    byte[] m = e.message(e.packLogs(events), 0).toByteArray();
    assertEquals(events.size(), e.encoded());
    return m;
  }

  @Test
  void writerLengthsAndStrings() throws Exception {
    ProtoWriter w = new ProtoWriter(1);
    for (String s : new String[] {"", "a", "é", "€", "😀", "x".repeat(127), "x".repeat(128), "y".repeat(20_000)}) {
      w.reset(0);
      w.string(1, s);
      byte[] out = w.toByteArray();
      com.google.protobuf.CodedInputStream in = com.google.protobuf.CodedInputStream.newInstance(out);
      assertEquals((1 << 3) | 2, in.readTag());
      assertEquals(s, in.readString());
      assertTrue(in.isAtEnd());
      assertEquals(s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, ProtoWriter.utf8Length(s));
    }
    for (int size : new int[] {0, 1, 127, 128, 16_383, 16_384, 2_097_152}) {
      for (int reserve : new int[] {1, 2, 3}) {
        byte[] expected = new byte[size];
        w.reset(0);
        int m = w.begin(7, reserve);
        for (int i = 0; i < size; i++) {
          expected[i] = (byte) (i & 0x7F);
          w.varint(i & 0x7F);
        }
        w.end(m);
        byte[] out = w.toByteArray();
        com.google.protobuf.CodedInputStream in = com.google.protobuf.CodedInputStream.newInstance(out);
        in.setSizeLimit(Integer.MAX_VALUE);
        assertEquals((7 << 3) | 2, in.readTag());
        assertArrayEquals(expected, in.readByteArray(), "size " + size + " reserve " + reserve);
        assertEquals(out.length, ProtoWriter.varintSize((7 << 3) | 2) + ProtoWriter.varintSize(size) + size,
            "the length in as few bytes as it needs");
      }
    }
  }
}
