package dynamo.obs.agent.targets.routes;

import static dynamo.obs.agent.targets.routes.RoutesInstrumentation.HELIDON_ROUTE;
import static dynamo.obs.agent.targets.routes.RoutesInstrumentation.HELIDON_SERVICE;
import static dynamo.obs.agent.targets.routes.RoutesInstrumentation.HELIDON_STARTED;
import static dynamo.obs.agent.targets.routes.RoutesInstrumentation.HELIDON_STOPPED;
import static dynamo.obs.agent.targets.routes.RoutesInstrumentation.JAVALIN_ENDPOINT;
import static dynamo.obs.agent.targets.routes.RoutesInstrumentation.JETTY_CLOSED;
import static dynamo.obs.agent.targets.routes.RoutesInstrumentation.JETTY_MAPPING;
import static dynamo.obs.agent.targets.routes.RoutesInstrumentation.JETTY_OPENED;
import static dynamo.obs.agent.targets.routes.RoutesInstrumentation.MICRONAUT_ROUTER;
import static dynamo.obs.agent.targets.routes.RoutesInstrumentation.MVC_FUNCTIONS;
import static dynamo.obs.agent.targets.routes.RoutesInstrumentation.MVC_MAPPING;
import static dynamo.obs.agent.targets.routes.RoutesInstrumentation.NETTY_BOUND;
import static dynamo.obs.agent.targets.routes.RoutesInstrumentation.NETTY_SERVER_CHANNEL;
import static dynamo.obs.agent.targets.routes.RoutesInstrumentation.TOMCAT_MAPPING;
import static dynamo.obs.agent.targets.routes.RoutesInstrumentation.TOMCAT_STARTED;
import static dynamo.obs.agent.targets.routes.RoutesInstrumentation.TOMCAT_STOPPED;
import static dynamo.obs.agent.targets.routes.RoutesInstrumentation.UNDERTOW_EXACT;
import static dynamo.obs.agent.targets.routes.RoutesInstrumentation.UNDERTOW_SERVLET_MAPPING;
import static dynamo.obs.agent.targets.routes.RoutesInstrumentation.UNDERTOW_PREFIX;
import static dynamo.obs.agent.targets.routes.RoutesInstrumentation.UNDERTOW_STARTED;
import static dynamo.obs.agent.targets.routes.RoutesInstrumentation.UNDERTOW_STOPPED;
import static dynamo.obs.agent.targets.routes.RoutesInstrumentation.UNDERTOW_TEMPLATE;
import static dynamo.obs.agent.targets.routes.RoutesInstrumentation.VERTX_ROUTE;
import static dynamo.obs.agent.targets.routes.RoutesInstrumentation.WEBFLUX_FUNCTIONS;
import static dynamo.obs.agent.targets.routes.RoutesInstrumentation.WEBFLUX_MAPPING;

import dynamo.obs.agent.http.ServedRoutes;
import dynamo.obs.agent.http.ServedRoutes.Match;
import dynamo.obs.agent.http.ServedRoutes.Tls;
import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.bootstrap.Handler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.Collection;
import java.util.Set;

/**
 * The events of {@link RoutesInstrumentation}: route patterns into their stack's registry, listening servers with
 * their address, all into {@link ServedRoutes}. Library objects are read through their public methods
 * ({@link LibraryCalls}), once per registration, never per request.
 */
final class RoutesHandler extends Handler {
  // the stacks whose servers listen
  static final String NETTY = "netty";
  static final String VERTX = "vertx";
  static final String REACTOR_NETTY = "reactor-netty";
  static final String MICRONAUT = "micronaut";
  static final String HELIDON = "helidon";
  static final String UNDERTOW = "undertow";
  static final String TOMCAT = "tomcat";
  static final String JETTY = "jetty";

  // the route tables, and the stacks whose servers serve them
  private static final String VERTX_WEB = "vertx-web";
  private static final String SPRING_WEBFLUX = "spring-webflux";
  private static final String SPRING_MVC = "spring-mvc";
  private static final String SERVLET = "servlet";
  private static final String JAVALIN = "javalin";
  private static final String MICRONAUT_ROUTES = "micronaut-router";
  private static final String HELIDON_ROUTING = "helidon-routing";
  private static final String UNDERTOW_HANDLERS = "undertow-handlers";

  private final ServedRoutes routes;
  private final NettyServers netty;
  private final LibraryCalls calls = new LibraryCalls();

  RoutesHandler(AgentServices services) {
    this.routes = services.routes();
    this.netty = new NettyServers(routes, calls);
    routes.registry(VERTX_WEB, Set.of(VERTX));
    routes.registry(SPRING_WEBFLUX, Set.of(REACTOR_NETTY, TOMCAT, JETTY, UNDERTOW));
    routes.registry(SPRING_MVC, Set.of(TOMCAT, JETTY, UNDERTOW));
    routes.registry(SERVLET, Set.of(TOMCAT, JETTY, UNDERTOW));
    routes.registry(JAVALIN, Set.of(JETTY));
    routes.registry(MICRONAUT_ROUTES, Set.of(MICRONAUT));
    routes.registry(HELIDON_ROUTING, Set.of(HELIDON));
    routes.registry(UNDERTOW_HANDLERS, Set.of(UNDERTOW));
  }

  @Override
  public Object on(int event, Object a, Object b, Object c, Object d) throws Exception {
    switch (event) {
      case NETTY_SERVER_CHANNEL -> netty.serverChannel(a, b);
      case NETTY_BOUND -> netty.bound(a);
      case VERTX_ROUTE -> routes.route(VERTX_WEB, (String) a, Match.PATTERN);
      case WEBFLUX_MAPPING -> patterns(SPRING_WEBFLUX, RouteTexts.mappingPatterns(String.valueOf(a)));
      case WEBFLUX_FUNCTIONS -> patterns(SPRING_WEBFLUX, RouteTexts.routerFunctionPatterns(String.valueOf(a)));
      case MVC_MAPPING -> patterns(SPRING_MVC, RouteTexts.mappingPatterns(String.valueOf(a)));
      case MVC_FUNCTIONS -> patterns(SPRING_MVC, RouteTexts.routerFunctionPatterns(String.valueOf(a)));
      case MICRONAUT_ROUTER -> patterns(MICRONAUT_ROUTES, calls.micronautRoutes(a));
      case HELIDON_ROUTE -> routes.route(HELIDON_ROUTING, (String) a, Match.PATTERN);
      case HELIDON_SERVICE -> routes.route(HELIDON_ROUTING, (String) a, Match.PREFIX);
      case HELIDON_STARTED -> listening(a, HELIDON, (ServerSocketChannel) b, calls.helidonTls(c));
      case UNDERTOW_PREFIX -> routes.route(UNDERTOW_HANDLERS, (String) a, Match.PREFIX);
      case UNDERTOW_EXACT, UNDERTOW_TEMPLATE -> routes.route(UNDERTOW_HANDLERS, (String) a, Match.PATTERN);
      case UNDERTOW_STARTED ->
        calls.undertowListeners(a, (address, tls) -> routes.listening(a, UNDERTOW, address, tls, false));
      case TOMCAT_MAPPING -> routes.route(SERVLET, (String) a, Match.PATTERN);
      case TOMCAT_STARTED -> {
        InetSocketAddress address = calls.tomcatAddress(a);
        if (address != null) {
          routes.listening(a, TOMCAT, address, calls.tomcatTls(a), false);
        }
      }
      case JETTY_MAPPING -> {
        if (a instanceof String[] specs) {
          patterns(SERVLET, specs);
        } else if (a instanceof String spec) {
          routes.route(SERVLET, spec, Match.PATTERN);
        }
      }
      case JETTY_OPENED -> listening(a, JETTY, (ServerSocketChannel) b, calls.jettyTls(a));
      case JAVALIN_ENDPOINT -> routes.route(JAVALIN, (String) a, Match.PATTERN);
      case UNDERTOW_SERVLET_MAPPING -> {
        if (a instanceof String[] specs) {
          patterns(SERVLET, specs);
        } else if (a instanceof Collection<?> specs) {
          for (Object spec : specs) {
            routes.route(SERVLET, String.valueOf(spec), Match.PATTERN);
          }
        } else if (a instanceof String spec) {
          routes.route(SERVLET, spec.startsWith("/") || spec.startsWith("*") || spec.isEmpty() ? spec : "/" + spec,
              Match.PATTERN);
        }
      }
      case HELIDON_STOPPED, UNDERTOW_STOPPED, TOMCAT_STOPPED, JETTY_CLOSED -> routes.stopped(a);
      default -> {
      }
    }
    return null;
  }

  private void patterns(String table, String[] patterns) {
    for (String p : patterns) {
      routes.route(table, p, Match.PATTERN);
    }
  }

  private void listening(Object key, String stack, ServerSocketChannel channel, Tls tls) throws IOException {
    if (channel != null) {
      SocketAddress local = channel.getLocalAddress();
      if (local instanceof InetSocketAddress address) {
        routes.listening(key, stack, address, tls, false);
      }
    }
  }

  /** An address a connector was given (a host name, an address, or none: every interface). */
  static InetSocketAddress address(Object host, int port) throws IOException {
    if (host instanceof InetAddress a) {
      return new InetSocketAddress(a, port);
    }
    if (host instanceof String name && !name.isEmpty()) {
      return new InetSocketAddress(InetAddress.getByName(name), port);
    }
    return new InetSocketAddress(port);
  }
}
