package dynamo.obs.agent.runtime;

import dynamo.obs.agent.frontend.Frontend;
import dynamo.obs.agent.health.HealthState;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The JDK HTTP servers of the application, their contexts and whether they run, turned into
 * endpoint registrations: an inference route on a started server is a served endpoint.
 */
final class JdkHttpServers {
  private static final class ServerState {
    final Set<String> contexts = new LinkedHashSet<>();
    boolean started;
  }

  private final HttpRoutes routes;
  private final HealthState health;
  private final Frontend frontend;
  /** Keyed by the server object's identity (it does not override equals); weak so we never pin it. */
  private final Map<Object, ServerState> servers = new WeakHashMap<>();
  private final Set<String> served = new HashSet<>();

  JdkHttpServers(HttpRoutes routes, HealthState health, Frontend frontend) {
    this.routes = routes;
    this.health = health;
    this.frontend = frontend;
  }

  synchronized void contextCreated(Object server, String path) {
    servers.computeIfAbsent(server, s -> new ServerState()).contexts.add(path);
    update();
  }

  synchronized void contextRemoved(Object server, String path) {
    ServerState s = servers.get(server);
    if (s != null) {
      s.contexts.remove(path);
      update();
    }
  }

  synchronized void started(Object server) {
    servers.computeIfAbsent(server, s -> new ServerState()).started = true;
    update();
  }

  synchronized void stopped(Object server) {
    ServerState s = servers.get(server);
    if (s != null) {
      s.started = false;
      update();
    }
  }

  /** Re-evaluates once the instrumentation is active: registrations wait for it. */
  synchronized void update() {
    if (!health.isInstrumentationActive()) {
      return;
    }
    Set<String> now = new HashSet<>();
    for (ServerState s : servers.values()) {
      if (s.started) {
        for (String ctx : s.contexts) {
          now.addAll(routes.endpointsServedBy(ctx));
        }
      }
    }
    if (!now.isEmpty()) {
      frontend.metrics(); // a frontend: its always-present series appear now
    }
    for (String name : now) {
      if (!served.contains(name)) {
        health.endpointServed(name);
      }
    }
    for (String name : served) {
      if (!now.contains(name)) {
        health.endpointStopped(name);
      }
    }
    served.clear();
    served.addAll(now);
  }
}
