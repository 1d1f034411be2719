package dynamo.obs.agent.export.sdk;

import dynamo.obs.agent.trace.TraceSpan;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.util.List;

/**
 * An ended {@link TraceSpan} as the OTLP exporter reads it; made on the export thread only. Its
 * contexts and attributes are built once: the marshaller asks for them more than once (a size pass,
 * then the write).
 */
public final class SpanView implements SpanData {
  private final TraceSpan span;
  private final Resource resource;
  private final InstrumentationScopeInfo scope;
  private final SpanContext context;
  private final SpanContext parent;
  private final Attributes attributes;

  public SpanView(TraceSpan span, Resource resource, InstrumentationScopeInfo scope) {
    this.span = span;
    this.resource = resource;
    this.scope = scope;
    TraceFlags flags = span.sampled() ? TraceFlags.getSampled() : TraceFlags.getDefault();
    TraceState state = TraceStates.parse(span.traceState());
    this.context = SpanContext.create(span.traceId(), span.spanId(), flags, state);
    String parentId = span.parentId();
    this.parent = parentId == null ? SpanContext.getInvalid()
        : span.parentIsRemote() ? SpanContext.createFromRemoteParent(span.traceId(), parentId, flags, state)
        : SpanContext.create(span.traceId(), parentId, flags, state);
    AttributesBuilder b = Attributes.builder();
    for (int i = 0; i < span.attributeCount(); i++) {
      Attributed.put(b, span.attributeKey(i), span.attributeValue(i));
    }
    this.attributes = b.build();
  }

  @Override
  public String getName() {
    return span.spanName();
  }

  @Override
  public SpanKind getKind() {
    return span.kindOf() == TraceSpan.Kind.SERVER ? SpanKind.SERVER : SpanKind.INTERNAL;
  }

  @Override
  public SpanContext getSpanContext() {
    return context;
  }

  @Override
  public SpanContext getParentSpanContext() {
    return parent;
  }

  @Override
  public StatusData getStatus() {
    return span.isError() ? StatusData.create(StatusCode.ERROR, span.errorDescription()) : StatusData.unset();
  }

  @Override
  public long getStartEpochNanos() {
    return span.startEpochNanos();
  }

  @Override
  public Attributes getAttributes() {
    return attributes;
  }

  @Override
  public List<EventData> getEvents() {
    return List.of();
  }

  @Override
  public List<LinkData> getLinks() {
    return List.of();
  }

  @Override
  public long getEndEpochNanos() {
    return span.endEpochNanos();
  }

  @Override
  public boolean hasEnded() {
    return true;
  }

  @Override
  public int getTotalRecordedEvents() {
    return 0;
  }

  @Override
  public int getTotalRecordedLinks() {
    return 0;
  }

  @Override
  public int getTotalAttributeCount() {
    return span.attributeCount();
  }

  @Override
  @SuppressWarnings("deprecation")
  public InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
    return InstrumentationLibraryInfo.create(scope.getName(), scope.getVersion());
  }

  @Override
  public InstrumentationScopeInfo getInstrumentationScopeInfo() {
    return scope;
  }

  @Override
  public Resource getResource() {
    return resource;
  }
}
