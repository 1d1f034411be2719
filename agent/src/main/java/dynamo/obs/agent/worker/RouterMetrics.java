package dynamo.obs.agent.worker;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;

/**
 * Routing decisions (reference §3.3–3.4; upstream {@code lib/llm/src/kv_router/metrics.rs} RouterRequestMetrics):
 * created eagerly, so a router shows zeros before its first request. A decision is started when the routing
 * method is entered and counted in {@code router_requests_total} when it returns.
 */
public final class RouterMetrics {
  /** Dynamo's "async" buckets, {@code 0.01·3^k} for k = 0..16, by repeated multiplication as Dynamo does. */
  static final double[] OVERHEAD_BUCKETS = asyncBuckets();

  final CounterDataPoint started;
  final CounterDataPoint requests;
  final DistributionDataPoint overheadMs;

  public RouterMetrics(ComponentIdentity id, PrometheusRegistry registry) {
    Labels component = Labels.of("dynamo_namespace", id.namespace(), "dynamo_component", id.component(),
        "worker_id", id.workerId(), "router_id", id.routerId());
    started = Counter.builder().withoutExemplars().name("dynamo_component_router_requests_started_total")
        .help("Total number of requests admitted by the router scheduler").constLabels(component)
        .register(registry).labelValues();
    requests = Counter.builder().withoutExemplars().name("dynamo_component_router_requests_total")
        .help("Total number of requests processed by the router").constLabels(component)
        .register(registry).labelValues();
    overheadMs = Histogram.builder().withoutExemplars().name("dynamo_router_overhead_total_ms")
        .help("Total routing overhead per request in milliseconds")
        .constLabels(Labels.of("router_id", id.routerId()))
        .classicUpperBounds(OVERHEAD_BUCKETS).classicOnly().register(registry).labelValues();
  }

  private static double[] asyncBuckets() {
    double[] b = new double[17];
    double v = 0.01;
    for (int k = 0; k < b.length; k++) {
      b[k] = v;
      v *= 3;
    }
    return b;
  }
}
