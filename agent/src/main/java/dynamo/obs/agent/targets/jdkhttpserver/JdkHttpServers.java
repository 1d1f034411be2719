package dynamo.obs.agent.targets.jdkhttpserver;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import dynamo.obs.agent.console.AgentLog;
import dynamo.obs.agent.http.ServedRoutes;
import dynamo.obs.agent.http.ServedRoutes.Match;
import dynamo.obs.agent.http.ServedRoutes.Tls;
import java.net.InetSocketAddress;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The JDK HTTP servers of the application, their contexts and whether they run, for {@link ServedRoutes}: a
 * context is a route of its server's own table (a prefix: {@code /v1} serves {@code /v1/chat/completions}); a
 * started server whose only context is the root {@code /} routes in the application's code, so it has no table.
 */
final class JdkHttpServers {
  static final String STACK = "jdk-httpserver";
  private static final AgentLog LOG = AgentLog.forTarget("dynamo_obs.instrumentation");
  /** The JDK's switch for {@code TCP_NODELAY} on the server's connections (read by its {@code ServerConfig}). */
  static final String NODELAY = "sun.net.httpserver.nodelay";

  private static final class ServerState {
    final Set<String> contexts = new LinkedHashSet<>();
    boolean started;
    /** The application's view of the server ({@code HttpServer} or {@code HttpsServer}): its bound address. */
    Object publicServer;
  }

  private final ServedRoutes routes;
  /** Keyed by the server object's identity (it does not override equals); weak so we never pin it. */
  private final Map<Object, ServerState> servers = new WeakHashMap<>();

  JdkHttpServers(ServedRoutes routes) {
    this.routes = routes;
  }

  synchronized void contextCreated(Object server, String path) {
    ServerState s = servers.computeIfAbsent(server, k -> new ServerState());
    s.contexts.add(path);
    routes.route(server, path, Match.PREFIX);
    if (s.started) {
      listening(server, s);
    }
  }

  synchronized void contextRemoved(Object server, String path) {
    ServerState s = servers.get(server);
    if (s != null && s.contexts.remove(path)) {
      routes.routeRemoved(server, path, Match.PREFIX);
      if (s.started) {
        listening(server, s);
      }
    }
  }

  synchronized void started(Object server, Object publicServer) {
    ServerState s = servers.computeIfAbsent(server, k -> new ServerState());
    s.started = true;
    s.publicServer = publicServer;
    listening(server, s);
    if (!Boolean.getBoolean(NODELAY)) {
      LOG.once(AgentLog.Level.INFO, NODELAY, "the JDK HttpServer sends with Nagle's algorithm on: a streamed answer"
          + " waits ~40 ms for the client's ACK before its end goes out, which the TTFT and inter-token latencies"
          + " cannot show; -D" + NODELAY + "=true turns it off");
    }
  }

  synchronized void stopped(Object server) {
    ServerState s = servers.get(server);
    if (s != null) {
      s.started = false;
      routes.stopped(server);
    }
  }

  private void listening(Object server, ServerState s) {
    InetSocketAddress bound = s.publicServer instanceof HttpServer http ? http.getAddress() : null;
    Tls tls = s.publicServer instanceof HttpsServer
        ? Tls.ON
        : s.publicServer instanceof HttpServer
            ? Tls.OFF
            : Tls.UNKNOWN;
    boolean rootOnly = s.contexts.size() == 1 && s.contexts.contains("/");
    routes.listening(server, STACK, bound, tls, rootOnly);
  }
}
