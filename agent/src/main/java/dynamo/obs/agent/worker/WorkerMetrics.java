package dynamo.obs.agent.worker;

import dynamo.obs.agent.metrics.ModelSeriesCache;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;

/**
 * Dynamo's work-handler metrics (reference §3.6; upstream {@code lib/runtime/src/pipeline/network/ingress/
 * push_handler.rs}) for engine calls, with the component's labels ({@code dynamo_namespace},
 * {@code dynamo_component}, {@code dynamo_endpoint}, {@code worker_id}), {@code model} and {@code model_name}:
 * upstream's backends label their endpoints with both, the served model's name (worker_factory.py
 * {@code metrics_labels}). A call whose model the worker does not know has an empty {@code model_name} (no such
 * label, to Prometheus) beside {@code model="unknown"}. Series are created per model on first use and then reused.
 */
public final class WorkerMetrics {
  static final double[] DURATION_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120,
      300, 600};
  static final double[] TRANSIT_BUCKETS = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1};
  private static final String[] MODEL_LABELS = {"model", "model_name"};
  /** The model label of calls whose model the worker does not know. */
  static final String UNKNOWN_MODEL = "unknown";
  static final double[] FIRST_RESPONSE_BUCKETS = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
      30, 60};

  private final Counter requests;
  private final Gauge inflight;
  private final Histogram duration;
  private final Counter errors;
  private final Counter requestBytes;
  private final Counter responseBytes;
  private final Counter cancellations;
  private final Histogram transit;
  private final Histogram firstResponse;
  private final ModelSeriesCache<ModelSeries> models;

  public WorkerMetrics(ComponentIdentity id, int maxModels, PrometheusRegistry registry, Runnable seriesRefused) {
    this.models = new ModelSeriesCache<>(maxModels, seriesRefused, ModelSeries::new);
    Labels constant = Labels.of("dynamo_namespace", id.namespace(), "dynamo_component", id.component(),
        "dynamo_endpoint", id.endpoint(), "worker_id", id.workerId());
    requests = Counter.builder().withoutExemplars().name("dynamo_component_requests_total")
        .help("Total number of requests processed by work handler").constLabels(constant).labelNames(MODEL_LABELS)
        .register(registry);
    inflight = Gauge.builder().withoutExemplars().name("dynamo_component_inflight_requests")
        .help("Number of requests currently being processed by work handler").constLabels(constant)
        .labelNames(MODEL_LABELS).register(registry);
    duration = Histogram.builder().withoutExemplars().name("dynamo_component_request_duration_seconds")
        .help("Time spent processing requests by work handler").constLabels(constant).labelNames(MODEL_LABELS)
        .classicUpperBounds(DURATION_BUCKETS).classicOnly().register(registry);
    errors = Counter.builder().withoutExemplars().name("dynamo_component_errors_total")
        .help("Total number of errors in work handler processing").constLabels(constant)
        .labelNames("model", "model_name", "error_type").register(registry);
    requestBytes = Counter.builder().withoutExemplars().name("dynamo_component_request_bytes_total")
        .help("Total number of bytes received in requests by work handler").constLabels(constant)
        .labelNames(MODEL_LABELS).register(registry);
    responseBytes = Counter.builder().withoutExemplars().name("dynamo_component_response_bytes_total")
        .help("Total number of bytes sent in responses by work handler").constLabels(constant)
        .labelNames(MODEL_LABELS).register(registry);
    cancellations = Counter.builder().withoutExemplars().name("dynamo_component_cancellation_total")
        .help("Total number of requests cancelled by work handler").constLabels(constant).labelNames(MODEL_LABELS)
        .register(registry);
    transit = Histogram.builder().withoutExemplars().name("dynamo_work_handler_network_transit_seconds")
        .help("Time from the frontend sending a request to the work handler receiving it")
        .classicUpperBounds(TRANSIT_BUCKETS).classicOnly().register(registry);
    firstResponse = Histogram.builder().withoutExemplars().name("dynamo_work_handler_time_to_first_response_seconds")
        .help("Time from the work handler receiving a request to its first streamed response")
        .classicUpperBounds(FIRST_RESPONSE_BUCKETS).classicOnly().register(registry);
  }

  public void networkTransit(double seconds) {
    transit.observe(seconds);
  }

  void firstResponse(double seconds) {
    firstResponse.observe(seconds);
  }

  ModelSeries model(String rawModel) {
    return models.get(rawModel);
  }

  final class ModelSeries {
    final String model;
    private final String modelName;
    final CounterDataPoint requests;
    final GaugeDataPoint inflight;
    final DistributionDataPoint duration;
    final CounterDataPoint requestBytes;
    final CounterDataPoint responseBytes;
    final CounterDataPoint cancellations;
    private volatile CounterDataPoint generateErrors;

    ModelSeries(String model) {
      this.model = model;
      this.modelName = model.equals(UNKNOWN_MODEL) ? "" : model;
      WorkerMetrics m = WorkerMetrics.this;
      requests = m.requests.labelValues(model, modelName);
      inflight = m.inflight.labelValues(model, modelName);
      duration = m.duration.labelValues(model, modelName);
      requestBytes = m.requestBytes.labelValues(model, modelName);
      responseBytes = m.responseBytes.labelValues(model, modelName);
      cancellations = m.cancellations.labelValues(model, modelName);
    }

    /** {@code error_type="generate"}: the engine call failed (lazy, as in Dynamo). */
    CounterDataPoint generateErrors() {
      CounterDataPoint c = generateErrors;
      if (c == null) {
        c = errors.labelValues(model, modelName, "generate");
        generateErrors = c;
      }
      return c;
    }
  }
}
