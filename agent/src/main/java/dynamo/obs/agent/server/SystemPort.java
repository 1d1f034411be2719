package dynamo.obs.agent.server;

import dynamo.obs.agent.console.AgentLog;
import java.io.IOException;
import java.net.InetAddress;
import java.util.function.Function;

/**
 * The system status server's port, which the application may want too: with {@code DYN_SYSTEM_PORT} set to the
 * application's own port, the agent used to bind it first and the application died at start. Now the agent gives
 * the port up the moment the application binds it (its bind calls are woven: {@code targets/systemport}), moves its
 * server to a free port of the same address, and says so in one ERROR line — the application starts and serves.
 */
public final class SystemPort {
  private static final AgentLog LOG = AgentLog.forTarget("dynamo_obs");

  private final String host;
  private final Function<HttpRequest, HttpResponse> routes;
  private final String paths;
  private volatile SystemStatusServer server;
  private volatile InetAddress bound;

  public SystemPort(String host, Function<HttpRequest, HttpResponse> routes, String paths) {
    this.host = host;
    this.routes = routes;
    this.paths = paths;
  }

  /** Starts the server on {@code port} (0: any free one); throws what binding threw. */
  public synchronized SystemStatusServer start(int port) throws IOException {
    SystemStatusServer s = SystemStatusServer.start(host, port, routes);
    bound = InetAddress.getByName(host);
    server = s;
    return s;
  }

  /** The port served now, or -1. */
  public int port() {
    SystemStatusServer s = server;
    return s == null ? -1 : s.port();
  }

  /**
   * The application is about to bind {@code address}:{@code port}: if that is the system status server's, the server
   * moves out of its way first.
   */
  public void applicationBinds(InetAddress address, int port) {
    SystemStatusServer s = server;
    if (s == null || port <= 0 || port != s.port() || !overlaps(address, bound)) {
      return;
    }
    synchronized (this) {
      if (server != s) {
        return; // moved already
      }
      s.close();
      server = null;
      try {
        SystemStatusServer moved = start(0);
        LOG.error("the application binds " + host(address) + ":" + port + ", the port DYN_SYSTEM_PORT gave the system"
            + " status server: the agent gave it up so that the application runs; the system status server is now on "
            + host + ":" + moved.port() + " (" + paths + "). Set DYN_SYSTEM_PORT to a port of its own");
      } catch (IOException | RuntimeException e) {
        LOG.error("the application binds " + host(address) + ":" + port + ", the port DYN_SYSTEM_PORT gave the system"
            + " status server: the agent gave it up so that the application runs, and could not serve elsewhere ("
            + e + "); set DYN_SYSTEM_PORT to a port of its own");
      }
    }
  }

  /** Two binds of one port collide when either is the wildcard address or they are the same address. */
  static boolean overlaps(InetAddress a, InetAddress b) {
    return a == null || b == null || a.isAnyLocalAddress() || b.isAnyLocalAddress() || a.equals(b);
  }

  private static String host(InetAddress a) {
    return a == null ? "*" : a.getHostAddress();
  }
}
