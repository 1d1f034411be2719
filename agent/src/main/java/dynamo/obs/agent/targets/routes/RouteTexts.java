package dynamo.obs.agent.targets.routes;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Route patterns read from the text Spring gives its route objects ({@code toString}), the same in Spring 5 and 6,
 * reactive and servlet: no class of Spring's is touched.
 */
final class RouteTexts {
  /** A path in a route's text: after a space, a bracket, a parenthesis or a {@code !}, up to the next delimiter. */
  private static final Pattern PATH = Pattern.compile("(?<=^|[\\s(\\[!,])/[^\\s()\\[\\],&|]*");

  private RouteTexts() {
  }

  /**
   * The path patterns of a {@code RequestMappingInfo}: {@code {POST [/v1/chat/completions, /v1/x], consumes [...]}},
   * {@code {POST /v1/chat/completions}} or {@code {POST [/a || /b]}} by version — its words that are paths (media
   * types and header conditions are not).
   */
  static String[] mappingPatterns(String text) {
    List<String> paths = new ArrayList<>();
    Matcher m = PATH.matcher(text);
    while (m.find()) {
      paths.add(withoutUnbalancedBrace(m.group()));
    }
    return paths.toArray(new String[0]);
  }

  /** A path at the end of the text's own braces ({@code {POST /v1/x}}) without that closing brace. */
  private static String withoutUnbalancedBrace(String path) {
    int depth = 0;
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      depth += c == '{' ? 1 : c == '}' ? -1 : 0;
      if (depth < 0) {
        return path.substring(0, i);
      }
    }
    return path;
  }

  /**
   * The path patterns of a composed {@code RouterFunction}, from Spring's text of it: one route a line,
   * {@code (POST && /v1/completions) -> handler}, nested routes inside {@code predicate => { … }} with the nest's
   * path as their prefix.
   */
  static String[] routerFunctionPatterns(String text) {
    List<String> paths = new ArrayList<>();
    Deque<String> prefixes = new ArrayDeque<>();
    prefixes.push("");
    for (String line : text.split("\n")) {
      String l = line.trim();
      if (l.startsWith("}")) {
        if (prefixes.size() > 1) {
          prefixes.pop();
        }
        continue;
      }
      int nest = l.indexOf("=> {");
      int route = l.indexOf("->");
      String predicate = nest >= 0 ? l.substring(0, nest) : route >= 0 ? l.substring(0, route) : l;
      Matcher m = PATH.matcher(predicate);
      String path = m.find() ? m.group() : "";
      if (nest >= 0) {
        prefixes.push(prefixes.peek() + path);
      } else if (route >= 0 && !path.isEmpty()) {
        paths.add(prefixes.peek() + path);
      }
    }
    return paths.toArray(new String[0]);
  }
}
