package dynamo.obs.agent.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Which inference routes (SPEC §2 paths) a server context serves. */
public final class HttpRoutes {
  private final Map<String, String> inferencePaths;

  /** @param inferencePaths endpoint label (chat_completions …) → path */
  public HttpRoutes(Map<String, String> inferencePaths) {
    this.inferencePaths = inferencePaths;
  }

  /**
   * Endpoint names a context serves: its path is the route itself or a parent segment of it
   * ({@code /v1} serves {@code /v1/chat/completions}). The root context {@code /} serves
   * everything and so proves nothing about being an inference server: it registers nothing here;
   * such routes are recognised from the requests themselves.
   */
  public List<String> endpointsServedBy(String contextPath) {
    List<String> served = new ArrayList<>(2);
    String ctx = trimSlash(contextPath);
    if (ctx.isEmpty()) {
      return served;
    }
    for (Map.Entry<String, String> e : inferencePaths.entrySet()) {
      String route = trimSlash(e.getValue());
      if (route.equals(ctx) || route.startsWith(ctx + "/")) {
        served.add(e.getKey());
      }
    }
    return served;
  }

  /** The route of an endpoint (chat_completions …), or null. */
  public String path(String endpoint) {
    return inferencePaths.get(endpoint);
  }

  private static String trimSlash(String p) {
    String s = p == null ? "" : p;
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return s;
  }
}
