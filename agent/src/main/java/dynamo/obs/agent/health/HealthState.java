package dynamo.obs.agent.health;

import dynamo.obs.agent.config.Config.HealthStatus;
import dynamo.obs.agent.console.JsonText;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Dynamo's readiness state machine (reference §2.2): a starting status, a map of endpoint name →
 * ready/notready, the endpoints listed in {@code DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS}, and the
 * canary targets. On top of Dynamo's rules, the process is never healthy before the agent's
 * instrumentation is active, so no request is missed where readiness gates traffic.
 */
public final class HealthState {
  private final HealthStatus startingStatus;
  private final List<String> requiredEndpoints;
  private final boolean canaryEnabled;
  private final long startNanos;
  private final Map<String, HealthStatus> endpoints = new ConcurrentHashMap<>();
  private final Set<String> canaryTargets = ConcurrentHashMap.newKeySet();
  private volatile boolean instrumentationActive;

  public HealthState(HealthStatus startingStatus, List<String> requiredEndpoints, boolean canaryEnabled,
      long startNanos) {
    this.startingStatus = startingStatus;
    this.requiredEndpoints = List.copyOf(requiredEndpoints);
    this.canaryEnabled = canaryEnabled;
    this.startNanos = startNanos;
    HealthStatus initial = canaryEnabled ? HealthStatus.NOTREADY : startingStatus;
    for (String name : requiredEndpoints) {
      endpoints.put(name, initial);
    }
  }

  /**
   * An endpoint is being served (its route exists on a started server and the agent sees its
   * requests). A canary target's canary decides; any other endpoint becomes ready — also with canary
   * checks on, as upstream does for endpoints that register no canary (ai-dynamo/dynamo PR #8592):
   * otherwise an endpoint the canary cannot reach would hold the process notready for ever.
   */
  public void endpointServed(String name) {
    if (canaryEnabled && canaryTargets.contains(name)) {
      endpoints.putIfAbsent(name, HealthStatus.NOTREADY);
    } else {
      endpoints.put(name, HealthStatus.READY);
    }
  }

  /** The endpoint is no longer served (its server stopped). */
  public void endpointStopped(String name) {
    endpoints.computeIfPresent(name, (k, v) -> HealthStatus.NOTREADY);
  }

  /** A canary target is registered: it starts notready until a canary answers. */
  public void registerCanaryTarget(String name) {
    canaryTargets.add(name);
    endpoints.putIfAbsent(name, HealthStatus.NOTREADY);
  }

  /** The canary's verdict for an endpoint. */
  public void setEndpoint(String name, HealthStatus status) {
    endpoints.put(name, status);
  }

  public void instrumentationActive() {
    instrumentationActive = true;
  }

  public boolean isInstrumentationActive() {
    return instrumentationActive;
  }

  public boolean healthy() {
    if (!instrumentationActive) {
      return false;
    }
    if (!requiredEndpoints.isEmpty()) {
      for (String name : requiredEndpoints) {
        if (endpoints.get(name) != HealthStatus.READY) {
          return false;
        }
      }
      return true;
    }
    if (!canaryTargets.isEmpty()) {
      for (String name : canaryTargets) {
        if (endpoints.get(name) != HealthStatus.READY) {
          return false;
        }
      }
      return true;
    }
    if (!endpoints.isEmpty()) {
      for (HealthStatus s : endpoints.values()) {
        if (s != HealthStatus.READY) {
          return false;
        }
      }
      return true;
    }
    return startingStatus == HealthStatus.READY;
  }

  public Map<String, HealthStatus> endpoints() {
    return new TreeMap<>(endpoints);
  }

  /**
   * Dynamo's body: compact JSON with sorted keys,
   * {@code {"endpoints":{...},"status":"ready","uptime":{"nanos":N,"secs":S}}}.
   */
  public String json(boolean healthy, long nowNanos) {
    long up = Math.max(0, nowNanos - startNanos);
    StringBuilder sb = new StringBuilder(96);
    sb.append("{\"endpoints\":{");
    boolean first = true;
    for (Map.Entry<String, HealthStatus> e : endpoints().entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      JsonText.appendString(sb, e.getKey()).append(':');
      JsonText.appendString(sb, e.getValue().json());
    }
    sb.append("},\"status\":\"").append(healthy ? "ready" : "notready").append("\",\"uptime\":{\"nanos\":");
    sb.append(up % 1_000_000_000L).append(",\"secs\":").append(up / 1_000_000_000L).append("}}");
    return sb.toString();
  }

  public long uptimeNanos(long nowNanos) {
    return Math.max(0, nowNanos - startNanos);
  }
}
