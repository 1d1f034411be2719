package dynamo.obs.agent.targets.jdkhttpserver;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import dynamo.obs.agent.frontend.Frontend;
import dynamo.obs.agent.health.Canary;
import java.net.InetSocketAddress;
import java.net.URI;
import dynamo.obs.agent.health.HealthState;
import dynamo.obs.agent.http.HttpRoutes;
import java.util.HashMap;
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
    /** The application's view of the server ({@code HttpServer} or {@code HttpsServer}): its bound address. */
    Object publicServer;
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

  synchronized void started(Object server, Object publicServer) {
    ServerState state = servers.computeIfAbsent(server, s -> new ServerState());
    state.started = true;
    state.publicServer = publicServer;
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
    Map<String, Object> addresses = new HashMap<>(); // a server that serves each endpoint: the canary's address
    for (Map.Entry<Object, ServerState> e : servers.entrySet()) {
      ServerState s = e.getValue();
      if (s.started) {
        for (String ctx : s.contexts) {
          for (String name : routes.endpointsServedBy(ctx)) {
            now.add(name);
            addresses.putIfAbsent(name, s.publicServer);
          }
        }
      }
    }
    if (!now.isEmpty()) {
      frontend.metrics(); // a frontend: its always-present series appear now
    }
    for (String name : now) {
      if (!served.contains(name)) {
        canaryTarget(name, addresses.get(name));
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

  /** With canary checks on, an endpoint served by a plain HTTP server is a canary target at its loopback address. */
  private void canaryTarget(String endpoint, Object server) {
    Canary canary = frontend.canary();
    if (canary == null || !(server instanceof HttpServer http) || server instanceof HttpsServer) {
      return;
    }
    InetSocketAddress bound = http.getAddress();
    String path = routes.path(endpoint);
    if (bound == null || path == null) {
      return;
    }
    String host = bound.getAddress() == null || bound.getAddress().isAnyLocalAddress() ? "127.0.0.1"
        : bound.getAddress().getHostAddress();
    if (host.indexOf(':') >= 0) {
      host = "[" + host + "]";
    }
    canary.target(endpoint, URI.create("http://" + host + ":" + bound.getPort() + path));
  }
}
