package dynamo.obs.agent.export.sdk;

import dynamo.obs.agent.applog.LogEvent;
import dynamo.obs.agent.trace.ActiveSpan;
import dynamo.obs.agent.trace.TraceSpan;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.logs.data.Body;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.resources.Resource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/**
 * A captured {@link LogEvent} as the OTLP exporter reads it: the message as body, the logger name
 * as the instrumentation scope (Dynamo's "target"), the span it happened in, the exception in
 * OTel's {@code exception.*} attributes. Made on the export thread only.
 */
public final class LogView implements LogRecordData {
  private final LogEvent event;
  private final Resource resource;
  // built once: the marshaller asks more than once (a size pass, then the write)
  private final Attributes attributes;
  private final InstrumentationScopeInfo scope;
  private final SpanContext context;

  /**
   * One scope object per logger name: the exporter caches a scope's encoding by object identity and
   * groups records by scope, so a new object per record would encode the scope again for every record.
   * Bounded: past it, a name gets a scope of its own each time (still correct, only slower).
   */
  private static final int MAX_SCOPES = 4096;
  private static final java.util.concurrent.ConcurrentHashMap<String, InstrumentationScopeInfo> SCOPES =
      new java.util.concurrent.ConcurrentHashMap<>();

  public LogView(LogEvent event, Resource resource) {
    this.event = event;
    this.resource = resource;
    this.attributes = attributes(event);
    this.scope = scope(event.target == null ? "" : event.target);
    this.context = context(event.span);
  }

  static InstrumentationScopeInfo scope(String target) {
    InstrumentationScopeInfo s = SCOPES.get(target);
    if (s == null) {
      s = InstrumentationScopeInfo.create(target);
      if (SCOPES.size() < MAX_SCOPES) {
        InstrumentationScopeInfo raced = SCOPES.putIfAbsent(target, s);
        if (raced != null) {
          s = raced;
        }
      }
    }
    return s;
  }

  private static SpanContext context(ActiveSpan s) {
    if (s == null) {
      return SpanContext.getInvalid();
    }
    boolean sampled = !(s instanceof TraceSpan) || ((TraceSpan) s).sampled();
    return SpanContext.create(s.traceId(), s.spanId(), sampled ? TraceFlags.getSampled() : TraceFlags.getDefault(),
        TraceStates.parse(s.traceState()));
  }

  private static Attributes attributes(LogEvent e) {
    AttributesBuilder b = Attributes.builder();
    for (Map.Entry<String, String> f : e.fields.entrySet()) {
      Attributed.put(b, f.getKey(), f.getValue());
    }
    if (e.threadName != null) {
      b.put("thread.name", e.threadName);
    }
    if (e.file != null) {
      b.put("code.filepath", e.file);
      if (e.line > 0) {
        b.put("code.lineno", (long) e.line);
      }
    }
    ActiveSpan s = e.span;
    if (s != null) {
      if (s.xRequestId() != null) {
        b.put("x_request_id", s.xRequestId());
      }
      if (s.requestId() != null) {
        b.put("request_id", s.requestId());
      }
    }
    if (e.thrown != null) {
      b.put("exception.type", e.thrown.getClass().getName());
      if (e.thrown.getMessage() != null) {
        b.put("exception.message", e.thrown.getMessage());
      }
      StringWriter w = new StringWriter();
      e.thrown.printStackTrace(new PrintWriter(w));
      b.put("exception.stacktrace", w.toString());
    }
    return b.build();
  }

  @Override
  public Resource getResource() {
    return resource;
  }

  @Override
  public InstrumentationScopeInfo getInstrumentationScopeInfo() {
    return scope;
  }

  @Override
  public long getTimestampEpochNanos() {
    return event.epochNanos;
  }

  @Override
  public long getObservedTimestampEpochNanos() {
    return event.epochNanos;
  }

  @Override
  public SpanContext getSpanContext() {
    return context;
  }

  @Override
  public Severity getSeverity() {
    switch (event.level) {
      case ERROR:
        return Severity.ERROR;
      case WARN:
        return Severity.WARN;
      case INFO:
        return Severity.INFO;
      case DEBUG:
        return Severity.DEBUG;
      case TRACE:
        return Severity.TRACE;
      default:
        return Severity.UNDEFINED_SEVERITY_NUMBER;
    }
  }

  @Override
  public String getSeverityText() {
    return event.level.name();
  }

  @Override
  @SuppressWarnings("deprecation")
  public Body getBody() {
    return event.message == null ? Body.empty() : Body.string(event.message);
  }

  @Override
  public Attributes getAttributes() {
    return attributes;
  }

  @Override
  public int getTotalAttributeCount() {
    return attributes.size();
  }
}
