package dynamo.obs.agent.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.agent.config.Config;
import dynamo.obs.agent.config.ConfigSource;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class FrontendPortRoutesTest {
  private final FrontendPortRoutes routes = new FrontendPortRoutes("/healthz", "/livez", null);

  @Test
  void onlyAGetOrHeadOfExactlyOneOfThePathsIsAnswered() {
    for (String path : List.of("/metrics", "/healthz", "/livez")) {
      assertTrue(routes.answers("GET", path), path);
      assertTrue(routes.answers("HEAD", path), path);
      assertFalse(routes.answers("POST", path), path);
      assertFalse(routes.answers("OPTIONS", path), path);
    }
    for (String path : List.of("/health", "/live", "/metrics/", "/metrics/x", "/metric", "/Metrics", "", "/")) {
      assertFalse(routes.answers("GET", path), path);
    }
    assertFalse(routes.answers("GET", null));
  }

  @Test
  void aRequestLineNamesItsRouteWithOrWithoutAQuery() {
    assertEquals("/metrics", routes.routeOfRequestLine("GET /metrics HTTP/1.1"));
    assertEquals("/metrics", routes.routeOfRequestLine("GET /metrics?name[]=x HTTP/1.1"));
    assertEquals("/livez", routes.routeOfRequestLine("HEAD /livez HTTP/1.0"));
    assertEquals("/healthz", routes.routeOfRequestLine("GET /healthz HTTP/1.1"));
    for (String line : List.of("POST /metrics HTTP/1.1", "GET /metrics/x HTTP/1.1", "GET /metricsx HTTP/1.1",
        "GET /health HTTP/1.1", "GET http://host/metrics HTTP/1.1", "GET /metrics", "get /metrics HTTP/1.1", "")) {
      assertNull(routes.routeOfRequestLine(line), line);
    }
    assertNull(routes.routeOfRequestLine(null));
  }

  @Test
  void noneWhenSwitchedOff() {
    Config on = Config.read(new ConfigSource(Map.of(), new Properties()), List.of());
    Config off = Config.read(new ConfigSource(Map.of("DYN_OBS_FRONTEND_PORT_ROUTES", "false"), new Properties()),
        List.of());
    assertTrue(on.frontendPortRoutes);
    assertFalse(off.frontendPortRoutes);
    assertNull(FrontendPortRoutes.of(off, null, null, null));
  }
}
