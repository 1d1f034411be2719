package dynamo.obs.it.support;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** OTLP export requests as one flat record per span or log record, the shape tests assert on. */
final class OtlpFlattening {
  private static final HexFormat HEX = HexFormat.of();

  private OtlpFlattening() {
  }

  static List<ReceivedSpan> spans(ExportTraceServiceRequest request) {
    List<ReceivedSpan> flat = new ArrayList<>();
    for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
      Map<String, Object> resource = attributes(resourceSpans.getResource().getAttributesList());
      for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
        for (Span span : scopeSpans.getSpansList()) {
          flat.add(new ReceivedSpan(serviceName(resource), resource, scopeSpans.getScope().getName(),
              span.getName(), withoutPrefix(span.getKind().name(), "SPAN_KIND_"),
              hex(span.getTraceId()), hex(span.getSpanId()), hex(span.getParentSpanId()),
              span.getStartTimeUnixNano(), span.getEndTimeUnixNano(), attributes(span.getAttributesList()),
              withoutPrefix(span.getStatus().getCode().name(), "STATUS_CODE_"), span.getStatus().getMessage(),
              span.getTraceState()));
        }
      }
    }
    return flat;
  }

  static List<ReceivedLog> logs(ExportLogsServiceRequest request) {
    List<ReceivedLog> flat = new ArrayList<>();
    for (ResourceLogs resourceLogs : request.getResourceLogsList()) {
      Map<String, Object> resource = attributes(resourceLogs.getResource().getAttributesList());
      for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
        for (LogRecord log : scopeLogs.getLogRecordsList()) {
          Object body = value(log.getBody());
          flat.add(new ReceivedLog(serviceName(resource), resource, scopeLogs.getScope().getName(),
              log.getTimeUnixNano(), log.getObservedTimeUnixNano(), log.getSeverityNumberValue(),
              log.getSeverityText(), body == null ? "" : body.toString(), attributes(log.getAttributesList()),
              hex(log.getTraceId()), hex(log.getSpanId())));
        }
      }
    }
    return flat;
  }

  private static String serviceName(Map<String, Object> resourceAttributes) {
    return resourceAttributes.get("service.name") instanceof String name ? name : "";
  }

  /** Insertion-ordered, so a failure message shows attributes in the order they were sent. */
  private static Map<String, Object> attributes(List<KeyValue> keyValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (KeyValue keyValue : keyValues) {
      map.put(keyValue.getKey(), value(keyValue.getValue()));
    }
    return Collections.unmodifiableMap(map);
  }

  /** Null for an empty value, and for a profiling-only string-table reference, which OTLP says to read as absent. */
  private static Object value(AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> value.getStringValue();
      case BOOL_VALUE -> value.getBoolValue();
      case INT_VALUE -> value.getIntValue();
      case DOUBLE_VALUE -> value.getDoubleValue();
      case ARRAY_VALUE -> value.getArrayValue().getValuesList().stream().map(OtlpFlattening::value).toList();
      case KVLIST_VALUE -> attributes(value.getKvlistValue().getValuesList());
      case BYTES_VALUE -> hex(value.getBytesValue());
      case STRING_VALUE_STRINDEX, VALUE_NOT_SET -> null;
    };
  }

  private static String hex(ByteString bytes) {
    return HEX.formatHex(bytes.toByteArray());
  }

  private static String withoutPrefix(String enumName, String prefix) {
    return enumName.startsWith(prefix) ? enumName.substring(prefix.length()) : enumName;
  }
}
