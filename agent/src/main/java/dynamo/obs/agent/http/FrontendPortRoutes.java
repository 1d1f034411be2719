package dynamo.obs.agent.http;

import dynamo.obs.agent.config.Config;
import dynamo.obs.agent.health.HealthState;
import dynamo.obs.agent.metrics.AgentMetrics;
import dynamo.obs.agent.server.HttpRequest;
import dynamo.obs.agent.server.HttpResponse;
import dynamo.obs.agent.server.SystemRoutes;
import dynamo.obs.agent.worker.WorkerRuntime;
import java.util.HashMap;
import java.util.Map;

/**
 * The system status server's routes — {@code /metrics}, the health path and the live path — answered on a frontend
 * application's own HTTP port as well, as upstream Dynamo's frontend serves them on its HTTP port (upstream's
 * {@code prometheus.yml} and operator scrape a frontend there), with the very status, headers and body the system
 * status server gives. Only a GET or HEAD of exactly one of those paths, and only in place of the application's own
 * "no such route" answer: each HTTP server target knows where that is (the JDK server's "no context" 404, a servlet
 * container's 404, a Netty framework's 404 to that request) and asks here; an application that serves one of the
 * paths itself answers it as ever.
 *
 * <p>Frontends only: a process with worker or router methods answers them on its system port alone, as upstream's
 * workers and routers do. Off with {@code DYN_OBS_FRONTEND_PORT_ROUTES=false}.
 */
public final class FrontendPortRoutes {
  static final String METRICS = "/metrics";
  private static final byte[] NO_BODY = new byte[0];

  private final String healthPath;
  private final String livePath;
  private final SystemRoutes routes;

  FrontendPortRoutes(String healthPath, String livePath, SystemRoutes routes) {
    this.healthPath = healthPath;
    this.livePath = livePath;
    this.routes = routes;
  }

  /** The routes a frontend's own port answers; null when it answers none (switched off, or a worker or router). */
  public static FrontendPortRoutes of(Config config, WorkerRuntime workers, HealthState health, AgentMetrics metrics) {
    if (!config.frontendPortRoutes || workers != null) {
      return null;
    }
    return new FrontendPortRoutes(config.healthPath, config.livePath,
        new SystemRoutes(config.healthPath, config.livePath, health, metrics));
  }

  /** Whether {@code path} (without its query) is one of the routes: what every request of the application costs. */
  public boolean isRoute(String path) {
    return path != null && (path.equals(METRICS) || path.equals(healthPath) || path.equals(livePath));
  }

  /** Whether the agent answers this request where the application has no route for it: a GET or HEAD of a route. */
  public boolean answers(String method, String path) {
    return isRoute(path) && ("GET".equals(method) || "HEAD".equals(method));
  }

  /**
   * The route a request line ({@code GET /metrics?name=x HTTP/1.1}) asks for when it is a GET or HEAD of one of the
   * routes in origin form; null for any other (by a few string comparisons).
   */
  public String routeOfRequestLine(String line) {
    if (line == null) {
      return null;
    }
    int start = line.startsWith("GET /") ? 4 : line.startsWith("HEAD /") ? 5 : -1;
    if (start < 0) {
      return null;
    }
    String route = routeAt(line, start, METRICS);
    if (route == null) {
      route = routeAt(line, start, healthPath);
    }
    return route != null ? route : routeAt(line, start, livePath);
  }

  private static String routeAt(String line, int start, String route) {
    int end = start + route.length();
    if (!line.startsWith(route, start) || end >= line.length()) {
      return null;
    }
    char next = line.charAt(end);
    return next == ' ' || next == '?' ? route : null;
  }

  /**
   * What the system status server answers to this request ({@code accept} chooses OpenMetrics,
   * {@code acceptEncoding} gzip); the caller has checked {@link #answers}.
   */
  public HttpResponse answer(String method, String path, String accept, String acceptEncoding) {
    Map<String, String> headers = new HashMap<>(4);
    if (accept != null) {
      headers.put("accept", accept);
    }
    if (acceptEncoding != null) {
      headers.put("accept-encoding", acceptEncoding);
    }
    return routes.apply(new HttpRequest(method, path, "HTTP/1.1", headers));
  }

  /**
   * The answer to a GET or HEAD of one of the routes, as the fields a server's own response API takes — status,
   * content type, content encoding or null, content length, body (empty for HEAD) — or null for any other request:
   * for the targets whose advice writes the answer through the server's own response.
   */
  public Object[] answerFields(String method, String path, String accept, String acceptEncoding) {
    if (!answers(method, path)) {
      return null;
    }
    HttpResponse answer = answer(method, path, accept, acceptEncoding);
    byte[] body = answer.body();
    return new Object[]{answer.status(), answer.contentType(), answer.contentEncoding(), body.length,
        method.equals("HEAD") ? NO_BODY : body};
  }
}
