package dynamo.obs.agent.export;

import dynamo.obs.agent.applog.LogEvent;
import dynamo.obs.agent.trace.ActiveSpan;
import dynamo.obs.agent.trace.SpanParent;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.logs.LogRecordBuilder;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.logs.LogLimits;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.resources.Resource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The oracle of {@link OtlpLogEncoder}'s tests: the agent's log events as the OpenTelemetry SDK's logger makes them
 * into log records (how the agent exported them until it encoded them itself): scope = the logger name (Dynamo's target), body = the
 * message, severity, the event's fields and MDC, {@code thread.name}, {@code code.filepath} /
 * {@code code.lineno}, the request's {@code x_request_id} / {@code request_id}, the exception's
 * {@code exception.*}, and the trace and span the event happened in. Attribute limits are the SDK's
 * ({@code OTEL_LOGRECORD_ATTRIBUTE_*_LIMIT}). Not thread-safe: one per export thread.
 */
final class LogRecords {
  private static final int MAX_CACHED = 1024;
  private final SdkLoggerProvider provider;
  private final List<LogRecordData> emitted = new ArrayList<>();
  /** The SDK's logger of each target and the attribute key of each field name, made once (bounded: see {@link #key}). */
  private final Map<String, Logger> loggers = new HashMap<>();
  private final Map<String, AttributeKey<String>> keys = new HashMap<>();

  LogRecords(Resource resource, int countLimit, int lengthLimit) {
    LogLimits limits = LogLimits.builder().setMaxNumberOfAttributes(countLimit)
        .setMaxAttributeValueLength(lengthLimit).build();
    provider = SdkLoggerProvider.builder().setResource(resource).setLogLimits(() -> limits)
        .addLogRecordProcessor((context, record) -> emitted.add(record.toLogRecordData())).build();
  }

  List<LogRecordData> of(List<LogEvent> events) {
    emitted.clear();
    for (LogEvent e : events) {
      emit(e);
    }
    List<LogRecordData> records = new ArrayList<>(emitted);
    emitted.clear();
    return records;
  }

  private void emit(LogEvent e) {
    LogRecordBuilder b = logger(e.target == null ? "" : e.target).logRecordBuilder()
        .setTimestamp(e.epochNanos, TimeUnit.NANOSECONDS)
        .setObservedTimestamp(e.epochNanos, TimeUnit.NANOSECONDS)
        .setSeverity(severity(e))
        .setSeverityText(e.level.name());
    if (e.message != null) {
      b.setBody(e.message);
    }
    for (Map.Entry<String, String> f : e.fields.entrySet()) {
      put(b, f.getKey(), f.getValue());
    }
    put(b, "thread.name", e.threadName);
    if (e.file != null) {
      put(b, "code.filepath", e.file);
      if (e.line > 0) {
        b.setAttribute(AttributeKey.longKey("code.lineno"), (long) e.line);
      }
    }
    ActiveSpan s = e.span;
    if (s != null) {
      put(b, "x_request_id", s.xRequestId());
      put(b, "request_id", s.requestId());
    }
    if (e.thrown != null) {
      put(b, "exception.type", e.thrown.getClass().getName());
      put(b, "exception.message", e.thrown.getMessage());
      StringWriter trace = new StringWriter();
      e.thrown.printStackTrace(new PrintWriter(trace));
      put(b, "exception.stacktrace", trace.toString());
    }
    SpanContext span = s == null ? null : spanContext(s);
    b.setContext(span == null || !span.isValid() ? Context.root() : Context.root().with(Span.wrap(span)));
    b.emit();
  }

  private void put(LogRecordBuilder b, String key, String value) {
    if (key != null && value != null) {
      b.setAttribute(key(key), value);
    }
  }

  private Logger logger(String target) {
    Logger l = loggers.get(target);
    if (l == null) {
      l = provider.get(target);
      if (loggers.size() < MAX_CACHED) {
        loggers.put(target, l);
      }
    }
    return l;
  }

  /** Field names repeat (the lifecycle events', MDC keys); an application with endless distinct ones fills no memory. */
  private AttributeKey<String> key(String name) {
    AttributeKey<String> k = keys.get(name);
    if (k == null) {
      k = AttributeKey.stringKey(name);
      if (keys.size() < MAX_CACHED) {
        keys.put(name, k);
      }
    }
    return k;
  }

  /** The span's ids; a span the agent did not make (ids as hex only) is taken as sampled. */
  private static SpanContext spanContext(ActiveSpan s) {
    if (s instanceof SpanParent) {
      return ((SpanParent) s).spanContext();
    }
    return SpanContext.create(s.traceId(), s.spanId(), TraceFlags.getSampled(), TraceState.getDefault());
  }

  private static Severity severity(LogEvent e) {
    switch (e.level) {
      case ERROR :
        return Severity.ERROR;
      case WARN :
        return Severity.WARN;
      case INFO :
        return Severity.INFO;
      case DEBUG :
        return Severity.DEBUG;
      case TRACE :
        return Severity.TRACE;
      default :
        return Severity.UNDEFINED_SEVERITY_NUMBER;
    }
  }
}
