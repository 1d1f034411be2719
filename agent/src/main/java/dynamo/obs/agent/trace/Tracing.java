package dynamo.obs.agent.trace;

import dynamo.obs.agent.coexist.OpenTelemetryAgent;
import dynamo.obs.agent.config.Config;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Starts the spans of SPEC §5 on the OpenTelemetry SDK's tracer, and tells the JSONL span records
 * about them. Present when traces are exported or when JSONL logs want trace ids
 * ({@code OTEL_EXPORT_ENABLED} or {@code DYN_LOGGING_JSONL}); the recorders see null otherwise and make
 * no spans at all.
 *
 * <p>Sampling is the SDK's ({@code OTEL_TRACES_SAMPLER}, by default parent-based with a trace-id ratio,
 * {@code OTEL_TRACES_SAMPLE_RATIO}, so processes agree on the same trace). A span that is not sampled
 * still has ids (for logs and the next hop) and is simply not exported.
 */
public final class Tracing {
  private final Tracer tracer;
  private final Consumer<TraceSpan> started;
  private final Consumer<TraceSpan> closed;
  private volatile Clock clock = new Clock();

  /**
   * @param started, closed span lifecycle observers (JSONL span events), or null
   */
  public Tracing(Tracer tracer, Consumer<TraceSpan> started, Consumer<TraceSpan> closed) {
    this.tracer = tracer;
    this.started = started;
    this.closed = closed;
  }

  /**
   * The SDK tracer provider of the configuration: its resource, sampler and span limits; ended spans go
   * to {@code export} (none when null: spans for log lines only).
   */
  public static SdkTracerProvider provider(Config config, Resource resource, SpanProcessor export) {
    Config.SpanLimitValues l = config.spanLimits;
    SdkTracerProviderBuilder b = SdkTracerProvider.builder()
        .setResource(resource)
        .setSampler(sampler(config.sampling))
        .setSpanLimits(SpanLimits.builder()
            .setMaxNumberOfAttributes(l.attributeCount())
            .setMaxAttributeValueLength(l.attributeValueLength())
            .setMaxNumberOfEvents(l.eventCount())
            .setMaxNumberOfLinks(l.linkCount())
            .setMaxNumberOfAttributesPerEvent(l.eventAttributeCount())
            .setMaxNumberOfAttributesPerLink(l.linkAttributeCount())
            .build());
    if (export != null) {
      b.addSpanProcessor(export);
    }
    return b.build();
  }

  /**
   * A span processor that hands each sampled span to {@code ended} when it ends. The ended span itself, as
   * the SDK's batch processor queues it: an ended span no longer changes, and its {@code toSpanData()} (a copy
   * of its attributes, sorted) is the export thread's work, not the request's.
   */
  public static SpanProcessor sampledSpans(Consumer<ReadableSpan> ended) {
    return new SpanProcessor() {
      @Override
      public void onStart(Context parentContext, ReadWriteSpan span) {
      }

      @Override
      public boolean isStartRequired() {
        return false;
      }

      @Override
      public void onEnd(ReadableSpan span) {
        if (span.getSpanContext().isSampled()) {
          ended.accept(span);
        }
      }

      @Override
      public boolean isEndRequired() {
        return true;
      }
    };
  }

  /** Spans of {@code provider}'s tracer, whose scope is the service name (as Dynamo's). */
  public static Tracing of(SdkTracerProvider provider, Config config, Consumer<TraceSpan> started,
      Consumer<TraceSpan> closed) {
    return new Tracing(provider.get(config.serviceName), started, closed);
  }

  /** {@code service.name} (which wins over one in OTEL_RESOURCE_ATTRIBUTES) and OTEL_RESOURCE_ATTRIBUTES, over the SDK's own. */
  public static Resource resource(Config config) {
    AttributesBuilder b = Attributes.builder();
    config.resourceAttributes.forEach(b::put);
    b.put("service.name", config.serviceName);
    return Resource.getDefault().merge(Resource.create(b.build()));
  }

  static Sampler sampler(Config.Sampling s) {
    switch (s.sampler()) {
      case "always_on" :
        return Sampler.alwaysOn();
      case "always_off" :
        return Sampler.alwaysOff();
      case "traceidratio" :
        return Sampler.traceIdRatioBased(s.ratio());
      case "parentbased_always_on" :
        return Sampler.parentBased(Sampler.alwaysOn());
      case "parentbased_always_off" :
        return Sampler.parentBased(Sampler.alwaysOff());
      default :
        return Sampler.parentBased(Sampler.traceIdRatioBased(s.ratio()));
    }
  }

  /** A new span, child of {@code parent} (or the root of a new trace when null), started now. */
  public TraceSpan start(String name, TraceSpan.Kind kind, SpanParent parent, String xRequestId, String requestId) {
    return start(name, kind, parent, xRequestId, requestId, System.nanoTime());
  }

  /** As {@link #start(String, TraceSpan.Kind, SpanParent, String, String)} with an earlier start time. */
  public TraceSpan start(String name, TraceSpan.Kind kind, SpanParent parent, String xRequestId, String requestId,
      long startNanoTime) {
    Clock c = clock;
    if (startNanoTime - c.anchorNano > Clock.REANCHOR_NANOS) {
      c = new Clock();
      clock = c;
    }
    long epoch = c.anchorEpochNanos + (startNanoTime - c.anchorNano);
    if (parent == null || parent.remote()) {
      // where a request enters: into the trace of the OpenTelemetry Java agent's span, if it has one here
      SpanParent other = OpenTelemetryAgent.currentSpan();
      if (other != null) {
        parent = other;
      }
    }
    SpanBuilder b = tracer.spanBuilder(name)
        .setSpanKind(kind == TraceSpan.Kind.SERVER ? SpanKind.SERVER : SpanKind.INTERNAL)
        .setStartTimestamp(epoch, TimeUnit.NANOSECONDS);
    if (parent == null) {
      b.setNoParent();
    } else {
      b.setParent(Context.root().with(parent instanceof TraceSpan
          ? ((TraceSpan) parent).span()
          : Span.wrap(parent.spanContext())));
    }
    TraceSpan span = new TraceSpan(this, b.startSpan(), name, kind, parent, xRequestId, requestId, epoch,
        startNanoTime);
    if (started != null) {
      started.accept(span);
    }
    return span;
  }

  void ended(TraceSpan span) {
    if (closed != null) {
      closed.accept(span);
    }
  }

  /**
   * Wall-clock time from the monotonic clock: one {@code Instant}-based anchor, renewed every minute so
   * that clock adjustments are followed, instead of an {@code Instant} per span.
   */
  private static final class Clock {
    static final long REANCHOR_NANOS = 60_000_000_000L;
    final long anchorNano;
    final long anchorEpochNanos;

    Clock() {
      Instant now = Instant.now();
      anchorNano = System.nanoTime();
      anchorEpochNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
  }
}
