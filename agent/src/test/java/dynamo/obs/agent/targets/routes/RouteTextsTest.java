package dynamo.obs.agent.targets.routes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** The texts below are what Spring 6.2 prints for its route objects (read from a real WebFlux and MVC run). */
class RouteTextsTest {
  @Test
  void mappingTextsGiveTheirPaths() {
    assertArrayEquals(new String[]{"/v1/chat/completions"}, RouteTexts.mappingPatterns("{POST /v1/chat/completions}"));
    assertArrayEquals(new String[]{"/v1/chat/completions", "/v1/x/{id}"},
        RouteTexts.mappingPatterns("{POST [/v1/chat/completions, /v1/x/{id}], consumes [application/json]}"));
    assertArrayEquals(new String[]{"/a/{x}", "/b"}, RouteTexts.mappingPatterns("{[/a/{x} || /b], headers [h=/c]}"));
    assertArrayEquals(new String[0], RouteTexts.mappingPatterns("{GET , produces [text/plain]}"));
  }

  @Test
  void routerFunctionTextsGiveTheirPathsWithTheirNestsPrefix() {
    assertArrayEquals(new String[]{"/v1/completions", "/v2/chat", "/v2/m"}, RouteTexts.routerFunctionPatterns(
        "(POST && /v1/completions) -> T$$Lambda$17/0x1@50f8360d\n/v2 => {\n (POST && /chat) -> T$$Lambda$20@2\n"
            + " (GET && /m) -> T$$Lambda$21@1\n}"));
  }
}
