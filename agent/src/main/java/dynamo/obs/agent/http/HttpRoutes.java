package dynamo.obs.agent.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which inference routes (SPEC §2 paths, {@code DYN_HTTP_SVC_*_PATH}) a server context or a framework's route
 * pattern serves.
 */
public final class HttpRoutes {
  private final Map<String, String> inferencePaths;

  /** @param inferencePaths endpoint label (chat_completions …) → path */
  public HttpRoutes(Map<String, String> inferencePaths) {
    this.inferencePaths = inferencePaths;
  }

  /** Every endpoint label with its path, in the configuration's order. */
  public Map<String, String> paths() {
    return inferencePaths;
  }

  /**
   * Endpoint names a context serves: its path is the route itself or a parent segment of it
   * ({@code /v1} serves {@code /v1/chat/completions}). The root context {@code /} serves
   * everything and so proves nothing about being an inference server: it registers nothing here;
   * such routes are recognised from the requests themselves.
   */
  public List<String> endpointsServedBy(String contextPath) {
    return endpointsCoveredBy(contextPath, true);
  }

  /**
   * Endpoint names a framework's route pattern serves. A pattern is matched segment by segment: a segment
   * {@code {name}}, {@code {name:regex}}, {@code <name>}, {@code :name} or {@code *} stands for any one segment; a
   * pattern ending in {@code /*}, {@code /**} or {@code /{*name}} — or any pattern when {@code prefix} (a context,
   * a prefix path) — also serves the paths below it. A root pattern ({@code /}, {@code /*}, {@code /**}) or one that
   * is no path ({@code *.do}, a regular expression the framework was given as such) proves nothing.
   */
  public List<String> endpointsCoveredBy(String pattern, boolean prefix) {
    List<String> served = new ArrayList<>(2);
    if (pattern == null || !pattern.startsWith("/")) {
      return served;
    }
    String p = pattern;
    boolean below = prefix;
    for (String tail : new String[]{"/**", "/*"}) {
      if (p.endsWith(tail)) {
        p = p.substring(0, p.length() - tail.length());
        below = true;
      }
    }
    if (p.matches(".*/\\{\\*[^/]*}")) { // Spring's /{*rest}
      p = p.substring(0, p.lastIndexOf('/'));
      below = true;
    }
    String[] segments = segments(p);
    if (segments.length == 0) {
      return served;
    }
    for (Map.Entry<String, String> e : inferencePaths.entrySet()) {
      String[] route = segments(e.getValue());
      if (route.length == segments.length || below && route.length > segments.length) {
        boolean all = true;
        for (int i = 0; i < segments.length && all; i++) {
          all = segmentMatches(segments[i], route[i]);
        }
        if (all) {
          served.add(e.getKey());
        }
      }
    }
    return served;
  }

  private static boolean segmentMatches(String pattern, String segment) {
    if (pattern.equals(segment) || pattern.equals("*")) {
      return true;
    }
    return pattern.length() > 1 && (pattern.startsWith("{") && pattern.endsWith("}")
        || pattern.startsWith("<") && pattern.endsWith(">") || pattern.startsWith(":"));
  }

  private static String[] segments(String path) {
    String s = trimSlash(path);
    return s.isEmpty() ? new String[0] : s.substring(1).split("/", -1);
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
