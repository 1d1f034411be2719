package dynamo.obs.agent.frontend;

import dynamo.obs.agent.config.Config;
import dynamo.obs.agent.metrics.LogBuckets;
import dynamo.obs.agent.metrics.ModelSeriesCache;
import dynamo.obs.agent.metrics.StripedCounter;
import dynamo.obs.agent.metrics.StripedHistogram;
import dynamo.obs.agent.metrics.TraceExemplars;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Dynamo's frontend request metrics (upstream {@code lib/llm/src/http/service/metrics.rs}, main of
 * 2026-08-21 at 2a6da14c), registered once the process shows it is a frontend. Series are resolved once
 * per model and reused: recording a request allocates nothing. At most {@code DYN_OBS_MAX_MODELS} models
 * get their own series; the rest share {@code model="__overflow__"}. Requests for a model the application
 * answers 404 share {@code model="unknown_model"} (upstream's {@code UNKNOWN_METRIC_MODEL}), outside the cap.
 */
public final class FrontendMetrics {
  public static final List<String> ENDPOINTS = List.of("chat_completions", "completions", "embeddings", "responses",
      "anthropic_messages");
  static final int EMBEDDINGS = ENDPOINTS.indexOf("embeddings");
  /** Upstream's label for a model no worker serves ({@code discovery/model_manager.rs} UNKNOWN_METRIC_MODEL). */
  public static final String UNKNOWN_MODEL = "unknown_model";
  /** Upstream's per-request media-count buckets: every integer through 10, then coarse steps. */
  static final double[] MEDIA_COUNT_BUCKETS = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 40, 50, 100};

  private final StripedCounter requests;
  private final StripedCounter started;
  private final Gauge inflight;
  private final Gauge active;
  private final Gauge queued;
  private final Gauge disconnected;
  private final StripedHistogram duration;
  private final StripedHistogram ttft;
  private final StripedHistogram itl;
  private final StripedHistogram isl;
  private final StripedHistogram osl;
  private final StripedHistogram cached;
  private final StripedHistogram embeddingLatency;
  private final StripedHistogram images;
  private final StripedHistogram videos;
  private final StripedHistogram audio;
  private final StripedCounter outputTokens;
  private final StripedCounter cancellations;
  private final StripedCounter rejections;
  private final ModelSeriesCache<ModelSeries> models;
  private volatile ModelSeries unknownModel;
  private static final int OUTCOMES = Outcome.values().length;

  public FrontendMetrics(Config config, PrometheusRegistry registry, Runnable seriesRefused) {
    String p = config.metricsPrefix;
    this.models = new ModelSeriesCache<>(config.maxModels, seriesRefused, m -> new ModelSeries(m, true));
    requests = StripedCounter.register(registry, p + "_requests_total", "Total number of LLM requests processed",
        "model", "endpoint", "request_type", "status", "error_type");
    started = StripedCounter.register(registry, p + "_requests_started_total",
        "Total number of LLM requests accepted by the frontend handler", "model", "endpoint", "request_type");
    inflight = Gauge.builder().withoutExemplars().name(p + "_inflight_requests")
        .help("Number of inflight requests (deprecated alias of active_requests)").labelNames("model")
        .register(registry);
    active = Gauge.builder().withoutExemplars().name(p + "_active_requests").help("Number of requests being processed")
        .labelNames("model").register(registry);
    queued = Gauge.builder().withoutExemplars().name(p + "_queued_requests")
        .help("Number of requests waiting for their first token").labelNames("model").register(registry);
    disconnected = Gauge.builder().withoutExemplars().name(p + "_disconnected_clients")
        .help("Number of client disconnects").register(registry);
    // the latencies carry trace exemplars when spans are exported; the token counts do not
    duration = histogram(TraceExemplars.enabled(), registry, p + "_request_duration_seconds",
        "Duration of LLM requests", config.buckets("REQUEST_DURATION"));
    ttft = histogram(TraceExemplars.enabled(), registry, p + "_time_to_first_token_seconds",
        "Time to first token in seconds", config.buckets("TTFT"));
    itl = histogram(TraceExemplars.enabled(), registry, p + "_inter_token_latency_seconds",
        "Inter-token latency in seconds", config.buckets("ITL"));
    isl = histogram(false, registry, p + "_input_sequence_tokens",
        "Input sequence length in tokens",
        config.buckets("INPUT_SEQUENCE"));
    osl = histogram(false, registry, p + "_output_sequence_tokens",
        "Output sequence length in tokens",
        config.buckets("OUTPUT_SEQUENCE"));
    cached = histogram(false, registry, p + "_cached_tokens",
        "Number of cached tokens (prefix cache hits) per request",
        config.buckets("INPUT_SEQUENCE"));
    Config.Buckets emb = config.buckets("EMBEDDING_LATENCY");
    embeddingLatency = histogram(registry, p + "_embedding_latency_seconds",
        "End-to-end latency of /v1/embeddings requests, in seconds",
        LogBuckets.generate(emb.min(), emb.max(), emb.count()));
    images = histogram(registry, p + "_images_per_request", "Number of image_url content parts per request",
        MEDIA_COUNT_BUCKETS);
    videos = histogram(registry, p + "_videos_per_request", "Number of video_url content parts per request",
        MEDIA_COUNT_BUCKETS);
    audio = histogram(registry, p + "_audio_per_request", "Number of audio_url content parts per request",
        MEDIA_COUNT_BUCKETS);
    outputTokens = StripedCounter.register(registry, p + "_output_tokens_total",
        "Total number of output tokens generated", "model");
    cancellations = StripedCounter.register(registry, p + "_model_cancellation_total",
        "Total number of requests cancelled by the client", "model", "endpoint", "request_type");
    rejections = StripedCounter.register(registry, p + "_model_rejection_total",
        "Total number of requests rejected due to resource exhaustion", "model", "endpoint");
  }

  private static StripedHistogram histogram(PrometheusRegistry registry, String name, String help, double[] bounds) {
    return StripedHistogram.register(registry, name, help, "model", bounds, false);
  }

  private static StripedHistogram histogram(boolean exemplars, PrometheusRegistry registry, String name, String help,
      Config.Buckets b) {
    return StripedHistogram.register(registry, name, help, "model", LogBuckets.generate(b.min(), b.max(), b.count()),
        exemplars);
  }

  /** The series of one model (as the request spells it), created on first use, capped. */
  public ModelSeries model(String model) {
    return models.get(model);
  }

  /** The series of a model if it has one, else null; creates nothing. */
  ModelSeries existingModel(String model) {
    return models.find(model);
  }

  /** The series of a model spelled as these bytes if resolved before, else null; allocates nothing. */
  ModelSeries cachedModel(byte[] b, int len) {
    return models.cached(b, len);
  }

  /**
   * The series of requests for a model the application does not serve (answered 404). As upstream,
   * only the request's own series: no token or media histograms, since no answer is generated.
   */
  ModelSeries unknownModel() {
    ModelSeries u = unknownModel;
    if (u == null) {
      synchronized (this) {
        u = unknownModel;
        if (u == null) {
          u = new ModelSeries(UNKNOWN_MODEL, false);
          unknownModel = u;
        }
      }
    }
    return u;
  }

  public void clientDisconnected() {
    disconnected.inc();
  }

  /** Every series of one model label value. */
  public final class ModelSeries {
    final String model;
    /**
     * Whether the application answered a request for this model with anything but 404, as upstream's model
     * registry knows its models: then a request's in-flight and started counts begin when its body is read,
     * before its answer says whether the model exists, and a 404 keeps its name. Until then they begin with the
     * answer's status, so that a made-up name never gets series.
     */
    volatile boolean served;
    final GaugeDataPoint inflight;
    final GaugeDataPoint active;
    final GaugeDataPoint queued;
    final DistributionDataPoint duration;
    /** What an answer produces (tokens, timings, media counts); null for {@link #UNKNOWN_MODEL}. */
    final Produced produced;
    /** requests_total by endpoint × request type × outcome, created on first use. */
    private final AtomicReferenceArray<CounterDataPoint> requestCounts = new AtomicReferenceArray<>(
        ENDPOINTS.size() * 2 * OUTCOMES);
    private final AtomicReferenceArray<CounterDataPoint> startedCounts = new AtomicReferenceArray<>(
        ENDPOINTS.size() * 2);
    private final AtomicReferenceArray<CounterDataPoint> cancelCounts = new AtomicReferenceArray<>(
        ENDPOINTS.size() * 2);
    private final AtomicReferenceArray<CounterDataPoint> rejectCounts = new AtomicReferenceArray<>(ENDPOINTS.size());

    ModelSeries(String model, boolean answers) {
      this.model = model;
      FrontendMetrics m = FrontendMetrics.this;
      inflight = m.inflight.labelValues(model);
      active = m.active.labelValues(model);
      queued = m.queued.labelValues(model);
      duration = m.duration.labelValues(model);
      produced = answers ? new Produced(model) : null;
    }

    CounterDataPoint requests(int endpoint, boolean stream, Outcome outcome) {
      int i = (endpoint * 2 + (stream ? 1 : 0)) * OUTCOMES + outcome.ordinal();
      CounterDataPoint c = requestCounts.get(i);
      return c != null
          ? c
          : keep(requestCounts, i, FrontendMetrics.this.requests.labelValues(model,
              ENDPOINTS.get(endpoint), requestType(stream), outcome.status, outcome.errorType));
    }

    CounterDataPoint started(int endpoint, boolean stream) {
      int i = endpoint * 2 + (stream ? 1 : 0);
      CounterDataPoint c = startedCounts.get(i);
      return c != null
          ? c
          : keep(startedCounts, i,
              FrontendMetrics.this.started.labelValues(model, ENDPOINTS.get(endpoint), requestType(stream)));
    }

    CounterDataPoint cancellations(int endpoint, boolean stream) {
      int i = endpoint * 2 + (stream ? 1 : 0);
      CounterDataPoint c = cancelCounts.get(i);
      return c != null
          ? c
          : keep(cancelCounts, i,
              FrontendMetrics.this.cancellations.labelValues(model, ENDPOINTS.get(endpoint), requestType(stream)));
    }

    CounterDataPoint rejections(int endpoint) {
      CounterDataPoint c = rejectCounts.get(endpoint);
      return c != null
          ? c
          : keep(rejectCounts, endpoint,
              FrontendMetrics.this.rejections.labelValues(model, ENDPOINTS.get(endpoint)));
    }
  }

  private static String requestType(boolean stream) {
    return stream ? "stream" : "unary";
  }

  /**
   * Keeps a labelled counter's child made on its first use (checked by the caller first, so that a hit makes
   * nothing). A race makes it twice: the registry hands out the same child for the same labels.
   */
  private static CounterDataPoint keep(AtomicReferenceArray<CounterDataPoint> made, int i, CounterDataPoint child) {
    made.set(i, child);
    return child;
  }

  /** The series of what answers for one model produce. */
  final class Produced {
    final DistributionDataPoint ttft;
    /** Added a request's tokens at a time ({@link StripedHistogram.Batch}). */
    final StripedHistogram.Series itl;
    final DistributionDataPoint isl;
    final DistributionDataPoint osl;
    final DistributionDataPoint cached;
    final DistributionDataPoint images;
    final DistributionDataPoint videos;
    final DistributionDataPoint audio;
    final CounterDataPoint outputTokens;
    private final String model;
    private volatile DistributionDataPoint embeddingLatency;

    Produced(String model) {
      this.model = model;
      FrontendMetrics m = FrontendMetrics.this;
      ttft = m.ttft.labelValues(model);
      itl = m.itl.labelValues(model);
      isl = m.isl.labelValues(model);
      osl = m.osl.labelValues(model);
      cached = m.cached.labelValues(model);
      images = m.images.labelValues(model);
      videos = m.videos.labelValues(model);
      audio = m.audio.labelValues(model);
      outputTokens = m.outputTokens.labelValues(model);
    }

    /** Created at a model's first embeddings answer: a chat model shows none, as upstream. */
    DistributionDataPoint embeddingLatency() {
      DistributionDataPoint d = embeddingLatency;
      if (d == null) {
        d = FrontendMetrics.this.embeddingLatency.labelValues(model);
        embeddingLatency = d;
      }
      return d;
    }
  }
}
