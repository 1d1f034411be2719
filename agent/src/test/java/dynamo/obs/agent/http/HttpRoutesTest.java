package dynamo.obs.agent.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpRoutesTest {
  private static final HttpRoutes ROUTES;

  static {
    Map<String, String> paths = new LinkedHashMap<>();
    paths.put("chat_completions", "/v1/chat/completions");
    paths.put("completions", "/v1/completions");
    ROUTES = new HttpRoutes(paths);
  }

  private static List<String> pattern(String p) {
    return ROUTES.endpointsCoveredBy(p, false);
  }

  @Test
  void exactPatternsAndTemplatesCoverTheirRoute() {
    assertEquals(List.of("chat_completions"), pattern("/v1/chat/completions"));
    assertEquals(List.of("chat_completions"), pattern("/v1/chat/completions/"));
    assertEquals(List.of("chat_completions"), pattern("/v1/{kind}/completions"));
    assertEquals(List.of("chat_completions"), pattern("/:version/chat/completions"));
    assertEquals(List.of("chat_completions"), pattern("/v1/<kind>/completions"));
    assertEquals(List.of("completions"), pattern("/v1/{name:[a-z]+}"));
    assertEquals(List.of(), pattern("/v1/chat"));
    assertEquals(List.of(), pattern("/v1/chat/completions/extra"));
  }

  @Test
  void prefixesCoverWhatIsBelowThemButTheRootProvesNothing() {
    assertEquals(List.of("chat_completions", "completions"), pattern("/v1/*"));
    assertEquals(List.of("chat_completions", "completions"), pattern("/v1/**"));
    assertEquals(List.of("chat_completions", "completions"), pattern("/v1/{*rest}"));
    assertEquals(List.of("chat_completions"), ROUTES.endpointsCoveredBy("/v1/chat", true));
    assertEquals(List.of("chat_completions", "completions"), ROUTES.endpointsServedBy("/v1"));
    for (String root : new String[]{"/", "/*", "/**", ""}) {
      assertEquals(List.of(), pattern(root), root);
      assertEquals(List.of(), ROUTES.endpointsCoveredBy(root, true), root);
    }
    assertEquals(List.of(), pattern("*.do"));
    assertEquals(List.of(), pattern("^/v1/.*"));
  }
}
