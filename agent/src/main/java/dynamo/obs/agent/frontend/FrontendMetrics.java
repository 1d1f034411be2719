package dynamo.obs.agent.frontend;

import dynamo.obs.agent.config.Config;
import dynamo.obs.agent.metrics.LogBuckets;
import dynamo.obs.agent.metrics.ModelSeriesCache;
import dynamo.obs.agent.metrics.TraceExemplars;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Dynamo's frontend request metrics (reference §3.2), registered once the process shows it is a
 * frontend. Series are resolved once per model and reused: recording a request allocates nothing.
 * At most {@code DYN_OBS_MAX_MODELS} models get their own series; the rest share
 * {@code model="__overflow__"}.
 */
public final class FrontendMetrics {
  public static final List<String> ENDPOINTS =
      List.of("chat_completions", "completions", "embeddings", "responses", "anthropic_messages");

  private final Counter requests;
  private final Gauge inflight;
  private final Gauge active;
  private final Gauge queued;
  private final Gauge disconnected;
  private final Histogram duration;
  private final Histogram ttft;
  private final Histogram itl;
  private final Histogram isl;
  private final Histogram osl;
  private final Histogram cached;
  private final Counter outputTokens;
  private final Counter cancellations;
  private final ModelSeriesCache<ModelSeries> models;
  private static final int OUTCOMES = Outcome.values().length;

  public FrontendMetrics(Config config, PrometheusRegistry registry, Runnable seriesRefused) {
    String p = config.metricsPrefix;
    this.models = new ModelSeriesCache<>(config.maxModels, seriesRefused, ModelSeries::new);
    requests = Counter.builder().withoutExemplars().name(p + "_requests_total").help("Total number of LLM requests processed")
        .labelNames("model", "endpoint", "request_type", "status", "error_type").register(registry);
    inflight = Gauge.builder().withoutExemplars().name(p + "_inflight_requests")
        .help("Number of inflight requests (deprecated alias of active_requests)").labelNames("model").register(registry);
    active = Gauge.builder().withoutExemplars().name(p + "_active_requests").help("Number of requests being processed")
        .labelNames("model").register(registry);
    queued = Gauge.builder().withoutExemplars().name(p + "_queued_requests")
        .help("Number of requests waiting for their first token").labelNames("model").register(registry);
    disconnected = Gauge.builder().withoutExemplars().name(p + "_disconnected_clients")
        .help("Number of client disconnects").register(registry);
    // the latencies carry trace exemplars when spans are exported; the token counts do not
    duration = histogram(TraceExemplars.histogram(), registry, p + "_request_duration_seconds",
        "Duration of LLM requests", config.buckets("REQUEST_DURATION"));
    ttft = histogram(TraceExemplars.histogram(), registry, p + "_time_to_first_token_seconds",
        "Time to first token in seconds", config.buckets("TTFT"));
    itl = histogram(TraceExemplars.histogram(), registry, p + "_inter_token_latency_seconds",
        "Inter-token latency in seconds", config.buckets("ITL"));
    isl = histogram(Histogram.builder().withoutExemplars(), registry, p + "_input_sequence_tokens", "Input sequence length in tokens",
        config.buckets("INPUT_SEQUENCE"));
    osl = histogram(Histogram.builder().withoutExemplars(), registry, p + "_output_sequence_tokens", "Output sequence length in tokens",
        config.buckets("OUTPUT_SEQUENCE"));
    cached = histogram(Histogram.builder().withoutExemplars(), registry, p + "_cached_tokens", "Number of cached tokens (prefix cache hits) per request",
        config.buckets("INPUT_SEQUENCE"));
    outputTokens = Counter.builder().withoutExemplars().name(p + "_output_tokens_total").help("Total number of output tokens generated")
        .labelNames("model").register(registry);
    cancellations = Counter.builder().withoutExemplars().name(p + "_model_cancellation_total")
        .help("Total number of requests cancelled by the client").labelNames("model", "endpoint", "request_type")
        .register(registry);
  }

  private static Histogram histogram(Histogram.Builder builder, PrometheusRegistry registry, String name, String help,
      Config.Buckets b) {
    return builder.name(name).help(help).labelNames("model")
        .classicUpperBounds(LogBuckets.generate(b.min(), b.max(), b.count())).classicOnly().register(registry);
  }

  /** The series of one model (lower-cased), created on first use, capped. */
  public ModelSeries model(String rawModel) {
    return models.get(rawModel);
  }

  /** The series of a model spelled as these bytes if resolved before, else null; allocates nothing. */
  ModelSeries cachedModel(byte[] b, int len) {
    return models.cached(b, len);
  }

  public void clientDisconnected() {
    disconnected.inc();
  }

  /** Every series of one model label value. */
  public final class ModelSeries {
    final String model;
    final GaugeDataPoint inflight;
    final GaugeDataPoint active;
    final GaugeDataPoint queued;
    final DistributionDataPoint duration;
    final DistributionDataPoint ttft;
    final DistributionDataPoint itl;
    final DistributionDataPoint isl;
    final DistributionDataPoint osl;
    final DistributionDataPoint cached;
    final CounterDataPoint outputTokens;
    /** requests_total by endpoint × request type × outcome, created on first use. */
    private final AtomicReferenceArray<CounterDataPoint> requestCounts =
        new AtomicReferenceArray<>(ENDPOINTS.size() * 2 * OUTCOMES);
    private final AtomicReferenceArray<CounterDataPoint> cancelCounts =
        new AtomicReferenceArray<>(ENDPOINTS.size() * 2);

    ModelSeries(String model) {
      this.model = model;
      FrontendMetrics m = FrontendMetrics.this;
      inflight = m.inflight.labelValues(model);
      active = m.active.labelValues(model);
      queued = m.queued.labelValues(model);
      duration = m.duration.labelValues(model);
      ttft = m.ttft.labelValues(model);
      itl = m.itl.labelValues(model);
      isl = m.isl.labelValues(model);
      osl = m.osl.labelValues(model);
      cached = m.cached.labelValues(model);
      outputTokens = m.outputTokens.labelValues(model);
    }

    CounterDataPoint requests(int endpoint, boolean stream, Outcome outcome) {
      int i = (endpoint * 2 + (stream ? 1 : 0)) * OUTCOMES + outcome.ordinal();
      CounterDataPoint c = requestCounts.get(i);
      if (c == null) {
        c = FrontendMetrics.this.requests.labelValues(model, ENDPOINTS.get(endpoint), stream ? "stream" : "unary",
            outcome.status, outcome.errorType);
        requestCounts.set(i, c);
      }
      return c;
    }

    CounterDataPoint cancellations(int endpoint, boolean stream) {
      int i = endpoint * 2 + (stream ? 1 : 0);
      CounterDataPoint c = cancelCounts.get(i);
      if (c == null) {
        c = FrontendMetrics.this.cancellations.labelValues(model, ENDPOINTS.get(endpoint), stream ? "stream" : "unary");
        cancelCounts.set(i, c);
      }
      return c;
    }
  }
}
