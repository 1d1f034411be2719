package dynamo.obs.agent.frontend;

import dynamo.obs.agent.config.Config;
import dynamo.obs.agent.health.Canary;
import dynamo.obs.agent.health.HealthState;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The frontend role of this process: which paths are inference routes, and the frontend metrics,
 * created when the process first shows it serves one (so a worker shows no frontend families).
 */
public final class Frontend {
  private final Config config;
  private final PrometheusRegistry registry;
  private final HealthState health;
  private final Runnable seriesRefused;
  private final Map<String, Integer> routes = new HashMap<>();
  private final boolean[] registered = new boolean[FrontendMetrics.ENDPOINTS.size()];
  private volatile FrontendMetrics metrics;
  /** Null unless canary checks are on. */
  private volatile Canary canary;

  public Frontend(Config config, PrometheusRegistry registry, HealthState health, Runnable seriesRefused) {
    this.config = config;
    this.registry = registry;
    this.health = health;
    this.seriesRefused = seriesRefused;
    List<String> endpoints = FrontendMetrics.ENDPOINTS;
    for (int i = 0; i < endpoints.size(); i++) {
      String path = config.inferencePaths.get(endpoints.get(i));
      if (path != null) {
        routes.put(path, i);
      }
    }
  }

  /** Canary checks of the inference endpoints ({@code DYN_HEALTH_CHECK_ENABLED}); null when off. */
  public void canary(Canary canary) {
    this.canary = canary;
  }

  public Canary canary() {
    return canary;
  }

  /** The endpoint index of an inference route, or -1. Exact path match, as routes are declared. */
  public int endpointOf(String path) {
    if (path == null) {
      return -1;
    }
    Integer i = routes.get(path);
    if (i == null && path.length() > 1 && path.endsWith("/")) {
      i = routes.get(path.substring(0, path.length() - 1));
    }
    return i == null ? -1 : i;
  }

  public FrontendMetrics metrics() {
    FrontendMetrics m = metrics;
    if (m == null) {
      synchronized (this) {
        m = metrics;
        if (m == null) {
          m = new FrontendMetrics(config, registry, seriesRefused);
          metrics = m;
        }
      }
    }
    return m;
  }

  /** A request for an inference route began: the route is served (covers root-context servers). */
  public FrontendRequest startRequest(int endpoint, long startNanos, Consumer<FrontendRequest> onEnd,
      Consumer<Throwable> errors) {
    if (!registered[endpoint] && health.isInstrumentationActive()) {
      registered[endpoint] = true;
      health.endpointServed(FrontendMetrics.ENDPOINTS.get(endpoint));
    }
    return new FrontendRequest(metrics(), endpoint, startNanos, onEnd, errors);
  }
}
