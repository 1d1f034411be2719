package dynamo.obs.agent.http;

import dynamo.obs.agent.frontend.Frontend;
import dynamo.obs.agent.health.Canary;
import dynamo.obs.agent.health.HealthState;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The application's HTTP servers that listen and the route patterns they serve, whichever stack registered them,
 * turned into Dynamo's served endpoints — before any request arrives: an endpoint is served once a server listens
 * and a route pattern it serves covers the endpoint's configured path ({@code DYN_HTTP_SVC_*_PATH}).
 *
 * <p>Route patterns come from route tables: a framework's (registered under a <em>registry</em> name, served by the
 * servers of the stacks that registry runs on: Spring MVC's by servlet containers, Vert.x's by Vert.x servers…) or a
 * server's own (the JDK server's contexts). A server without a route table — plain Netty, a JDK server whose only
 * context is the root — serves every inference route when the process is a frontend (it names no worker or
 * router methods): its routing is the application's code, which the agent cannot read.
 *
 * <p>Nothing is reported before the instrumentation is active ({@link #activate}), so a probe never admits traffic
 * the agent would miss; with canary checks on, each served endpoint becomes a canary target at the loopback address
 * of a plain-HTTP server that serves it.
 */
public final class ServedRoutes {
  /** How a route table's patterns are read. */
  public enum Match {
    /** Exactly the path, templates allowed ({@code /v1/{x}}); {@code /*}, {@code /**} at the end serve below too. */
    PATTERN,
    /** The path and every path below it (a context, a prefix path). */
    PREFIX
  }

  /** TLS on a server: known off, known on, or not known (no canary is sent where it is not known off). */
  public enum Tls {
    OFF, ON, UNKNOWN
  }

  private static final class Server {
    final String stack;
    final InetSocketAddress address;
    final Tls tls;
    final boolean routesAll;

    Server(String stack, InetSocketAddress address, Tls tls, boolean routesAll) {
      this.stack = stack;
      this.address = address;
      this.tls = tls;
      this.routesAll = routesAll;
    }
  }

  private final HttpRoutes paths;
  private final HealthState health;
  private final Frontend frontend;
  /** False in a worker or router (method lists): a server without a route table is then none of the frontend's. */
  private final boolean frontendProcess;
  /** Registry name → the stacks whose servers serve its routes. */
  private final Map<String, Set<String>> registries = new LinkedHashMap<>();
  /** Registry name, or a server's key for its own routes → endpoints its patterns cover. */
  private final Map<Object, Map<String, Set<Object>>> covered = new IdentityHashMap<>();
  /** Listening servers, by the key their stack gives them (identity), in the order they started listening. */
  private final Map<Object, Server> servers = new LinkedHashMap<>();
  private final Set<String> served = new HashSet<>();
  private final Set<String> stacksSeen = new LinkedHashSet<>();
  private boolean active;

  public ServedRoutes(HttpRoutes paths, HealthState health, Frontend frontend, boolean frontendProcess) {
    this.paths = paths;
    this.health = health;
    this.frontend = frontend;
    this.frontendProcess = frontendProcess;
  }

  public HttpRoutes paths() {
    return paths;
  }

  /** The routes of registry {@code registry} are served by the servers of these stacks. */
  public synchronized void registry(String registry, Set<String> servedBy) {
    registries.put(registry, Set.copyOf(servedBy));
  }

  /**
   * A route pattern of a table: {@code table} is a registry name ({@link #registry}) or the key of the one server
   * it belongs to. Patterns that cover no inference route are not kept.
   */
  public synchronized void route(Object table, String pattern, Match match) {
    List<String> endpoints = paths.endpointsCoveredBy(pattern, match == Match.PREFIX);
    if (endpoints.isEmpty()) {
      return;
    }
    Map<String, Set<Object>> byEndpoint = covered.computeIfAbsent(table, t -> new LinkedHashMap<>());
    for (String e : endpoints) {
      byEndpoint.computeIfAbsent(e, k -> new HashSet<>()).add(pattern + match);
    }
    update();
  }

  /** A route pattern of a table was removed. */
  public synchronized void routeRemoved(Object table, String pattern, Match match) {
    Map<String, Set<Object>> byEndpoint = covered.get(table);
    if (byEndpoint != null) {
      byEndpoint.values().removeIf(patterns -> patterns.remove(pattern + match) && patterns.isEmpty());
      update();
    }
  }

  /**
   * A server of {@code stack} listens at {@code address} (its key: whatever object its stack stopped it with).
   * {@code routesAll}: it has no route table, so it serves every inference route in a frontend.
   */
  public synchronized void listening(Object key, String stack, InetSocketAddress address, Tls tls, boolean routesAll) {
    servers.put(key, new Server(stack, address, tls, routesAll));
    stacksSeen.add(stack);
    update();
  }

  /** The server of this key stopped listening. */
  public synchronized void stopped(Object key) {
    if (servers.remove(key) != null) {
      update();
    }
  }

  /** The stacks whose servers have listened so far (for the start-up check: a supported server was seen). */
  public synchronized Set<String> stacksSeen() {
    return new LinkedHashSet<>(stacksSeen);
  }

  /** The instrumentation is active: registrations may be reported from now on. */
  public synchronized void activate() {
    active = true;
    update();
  }

  private void update() {
    if (!active) {
      return;
    }
    Map<String, Server> now = new LinkedHashMap<>(); // endpoint → the first server that serves it
    for (Map.Entry<Object, Server> e : servers.entrySet()) {
      Server s = e.getValue();
      if (s.routesAll && frontendProcess) {
        for (String endpoint : paths.paths().keySet()) {
          now.putIfAbsent(endpoint, s);
        }
      }
      serve(now, covered.get(e.getKey()), s);
      for (Map.Entry<String, Set<String>> r : registries.entrySet()) {
        if (r.getValue().contains(s.stack)) {
          serve(now, covered.get(r.getKey()), s);
        }
      }
    }
    if (!now.isEmpty()) {
      frontend.metrics(); // a frontend: its always-present series appear now
    }
    for (Map.Entry<String, Server> e : now.entrySet()) {
      if (served.add(e.getKey())) {
        canaryTarget(e.getKey(), e.getValue());
        health.endpointServed(e.getKey());
      }
    }
    for (String endpoint : new ArrayList<>(served)) {
      if (!now.containsKey(endpoint)) {
        served.remove(endpoint);
        health.endpointStopped(endpoint);
      }
    }
  }

  private static void serve(Map<String, Server> now, Map<String, Set<Object>> table, Server s) {
    if (table != null) {
      for (Map.Entry<String, Set<Object>> e : table.entrySet()) {
        if (!e.getValue().isEmpty()) {
          now.putIfAbsent(e.getKey(), s);
        }
      }
    }
  }

  /** With canary checks on, an endpoint served by a plain-HTTP server is a canary target at its loopback address. */
  private void canaryTarget(String endpoint, Server server) {
    Canary canary = frontend.canary();
    String path = paths.path(endpoint);
    if (canary == null || server.tls != Tls.OFF || server.address == null || path == null) {
      return;
    }
    InetAddress a = server.address.getAddress();
    String host = a == null || a.isAnyLocalAddress() ? "127.0.0.1" : a.getHostAddress();
    if (host.indexOf(':') >= 0) {
      host = "[" + host + "]";
    }
    canary.target(endpoint, URI.create("http://" + host + ":" + server.address.getPort() + path));
  }
}
