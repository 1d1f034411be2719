package dynamo.obs.agent.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dynamo.obs.agent.config.Config;
import dynamo.obs.agent.config.ConfigSource;
import dynamo.obs.agent.frontend.Frontend;
import dynamo.obs.agent.health.HealthState;
import dynamo.obs.agent.http.ServedRoutes.Match;
import dynamo.obs.agent.http.ServedRoutes.Tls;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ServedRoutesTest {
  private final Config config = Config.read(new ConfigSource(Map.of(), new Properties()), List.of());
  private final HealthState health = new HealthState(Config.HealthStatus.NOTREADY, List.of(), false, 0);
  private final Frontend frontend = new Frontend(config, new PrometheusRegistry(), health, () -> {
  });
  private static final InetSocketAddress ADDRESS = new InetSocketAddress("127.0.0.1", 8000);

  private ServedRoutes routes(boolean frontendProcess) {
    health.instrumentationActive();
    return new ServedRoutes(new HttpRoutes(config.inferencePaths), health, frontend, frontendProcess);
  }

  private String endpoints() {
    return health.endpoints().toString();
  }

  @Test
  void aRouteIsServedOnceAServerOfItsStackListensAndNotBeforeTheAgentIsActive() {
    ServedRoutes r = routes(true);
    r.registry("vertx-web", Set.of("vertx"));
    r.route("vertx-web", "/v1/chat/completions", Match.PATTERN);
    r.route("vertx-web", "/v1/models", Match.PATTERN);
    r.listening("tomcat-connector", "tomcat", ADDRESS, Tls.OFF, false);
    assertEquals("{}", endpoints(), "a Tomcat connector serves no Vert.x route");
    Object server = new Object();
    r.listening(server, "vertx", ADDRESS, Tls.UNKNOWN, false);
    assertEquals("{}", endpoints(), "nothing is reported before the instrumentation is active");
    r.activate();
    assertEquals("{chat_completions=READY}", endpoints());
    r.stopped(server);
    assertEquals("{chat_completions=NOTREADY}", endpoints());
  }

  @Test
  void aServerWithoutARouteTableServesEveryInferenceRouteOnlyInAFrontend() {
    ServedRoutes frontendRoutes = routes(true);
    frontendRoutes.activate();
    frontendRoutes.listening(new Object(), "netty", ADDRESS, Tls.OFF, true);
    assertEquals(config.inferencePaths.size(), health.endpoints().size(), endpoints());

    HealthState workerHealth = new HealthState(Config.HealthStatus.NOTREADY, List.of(), false, 0);
    workerHealth.instrumentationActive();
    ServedRoutes worker = new ServedRoutes(new HttpRoutes(config.inferencePaths), workerHealth,
        new Frontend(config, new PrometheusRegistry(), workerHealth, () -> {
        }), false);
    worker.activate();
    worker.listening(new Object(), "netty", ADDRESS, Tls.OFF, true);
    assertEquals("{}", workerHealth.endpoints().toString());
  }

  @Test
  void aServersOwnRoutesCountForItAloneAndCanBeRemoved() {
    ServedRoutes r = routes(true);
    r.activate();
    Object jdk = new Object();
    Object other = new Object();
    r.route(jdk, "/v1", Match.PREFIX);
    r.listening(other, "jdk-httpserver", ADDRESS, Tls.OFF, false);
    assertEquals("{}", endpoints());
    r.listening(jdk, "jdk-httpserver", ADDRESS, Tls.OFF, false);
    // /v1 serves every default inference path
    assertEquals(config.inferencePaths.size(),
        health.endpoints().values().stream().filter(s -> s == Config.HealthStatus.READY).count(), endpoints());
    r.routeRemoved(jdk, "/v1", Match.PREFIX);
    assertEquals(0, health.endpoints().values().stream().filter(s -> s == Config.HealthStatus.READY).count(),
        endpoints());
  }
}
