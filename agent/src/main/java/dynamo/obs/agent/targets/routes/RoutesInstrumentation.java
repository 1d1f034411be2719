package dynamo.obs.agent.targets.routes;

import dynamo.obs.agent.targets.helidon.HelidonInstrumentation;
import dynamo.obs.agent.targets.netty.NettyInstrumentation;
import dynamo.obs.agent.targets.undertow.UndertowInstrumentation;
import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.agent.weaving.InstrumentationModule;
import dynamo.obs.agent.weaving.JdkWeave;
import dynamo.obs.agent.weaving.JdkWeave.Kind;
import dynamo.obs.bootstrap.Handler;
import java.util.ArrayList;
import java.util.List;

/**
 * Readiness before the first request: where each HTTP stack registers its routes and starts listening, so that an
 * application serving an OpenAI route is ready as soon as its server listens (the servers and routes go to
 * {@code http/ServedRoutes}). These happen once, while the application starts — usually before Byte Buddy could be
 * loaded — so they are {@linkplain #earlyWeaves early weaves}: named classes woven by the agent's own weaver from the
 * premain on. Each point is a method every registration of its stack goes through (found with {@code javap} in the
 * versions listed in {@code docs/stacks-research.md}); a missing one (another version) is said once.
 */
public final class RoutesInstrumentation implements InstrumentationModule {
  static final String NAME = "routes";

  // events: (arguments of Dispatch.on)
  /** (server channel, child handler): Netty's {@code ServerBootstrap} set up a server channel. */
  static final int NETTY_SERVER_CHANNEL = 0;
  /** (channel): a Netty channel's bind returned. */
  static final int NETTY_BOUND = 1;
  /** (path): a vertx-web route's path. */
  static final int VERTX_ROUTE = 2;
  /** (RequestMappingInfo): a Spring WebFlux handler method's mapping. */
  static final int WEBFLUX_MAPPING = 3;
  /** (RouterFunction): Spring WebFlux's functional routes. */
  static final int WEBFLUX_FUNCTIONS = 4;
  /** (RequestMappingInfo): a Spring MVC handler method's mapping. */
  static final int MVC_MAPPING = 5;
  /** (RouterFunction): Spring MVC's functional routes. */
  static final int MVC_FUNCTIONS = 6;
  /** (DefaultRouter): Micronaut's route table was built. */
  static final int MICRONAUT_ROUTER = 7;
  /** (path): a Helidon route's path pattern. */
  static final int HELIDON_ROUTE = 8;
  /** (path): a Helidon service registered under a path. */
  static final int HELIDON_SERVICE = 9;
  /** (listener, ServerSocketChannel, Tls): a Helidon listener started. */
  static final int HELIDON_STARTED = 10;
  /** (listener): a Helidon listener stopped. */
  static final int HELIDON_STOPPED = 11;
  /** (path): an Undertow prefix path. */
  static final int UNDERTOW_PREFIX = 12;
  /** (path): an Undertow exact path. */
  static final int UNDERTOW_EXACT = 13;
  /** (template): an Undertow RoutingHandler template. */
  static final int UNDERTOW_TEMPLATE = 14;
  /** (Undertow): an Undertow server started. */
  static final int UNDERTOW_STARTED = 15;
  /** (Undertow): an Undertow server stops. */
  static final int UNDERTOW_STOPPED = 16;
  /** (url pattern): a servlet mapping of a Tomcat context. */
  static final int TOMCAT_MAPPING = 17;
  /** (Connector): a Tomcat connector started. */
  static final int TOMCAT_STARTED = 18;
  /** (Connector): a Tomcat connector stops. */
  static final int TOMCAT_STOPPED = 19;
  /** (path spec, or an array of them): a Jetty servlet mapping. */
  static final int JETTY_MAPPING = 20;
  /** (ServerConnector, ServerSocketChannel): a Jetty connector opened. */
  static final int JETTY_OPENED = 21;
  /** (ServerConnector): a Jetty connector closes. */
  static final int JETTY_CLOSED = 22;
  /** (path): a Javalin endpoint. */
  static final int JAVALIN_ENDPOINT = 23;
  /** (path, an array of them, or a collection of them): an Undertow servlet deployment's servlet mapping. */
  static final int UNDERTOW_SERVLET_MAPPING = 24;

  private static final String[] JETTY_SERVLETS = {"org.eclipse.jetty.servlet", "org.eclipse.jetty.ee8.servlet",
      "org.eclipse.jetty.ee9.servlet", "org.eclipse.jetty.ee10.servlet", "org.eclipse.jetty.ee11.servlet"};

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "where each HTTP stack registers its routes and starts listening: an OpenAI route on a listening server"
        + " makes its endpoint ready before any request (readiness without traffic)";
  }

  /**
   * What each point was read from ({@code docs/stacks-research.md}) and tested on ({@code ReadinessIT}): the Netty
   * family, Helidon and Undertow as their targets declare them, seen here where they listen, and the other stacks.
   */
  @Override
  public List<Supported> supports() {
    List<Supported> s = new ArrayList<>(new NettyInstrumentation().supports());
    s.addAll(new HelidonInstrumentation().supports());
    s.addAll(new UndertowInstrumentation().supports());
    s.addAll(List.of(
        new Supported("Spring WebFlux", "6.x", "org.springframework.web.reactive.DispatcherHandler", "6.0", "7"),
        new Supported("Spring MVC", "6.x", "org.springframework.web.servlet.DispatcherServlet", "6.0", "7"),
        new Supported("Tomcat", "9–11", "org.apache.catalina.connector.Connector", "9.0", "12"),
        new Supported("Jetty", "9.4–12", "org.eclipse.jetty.server.Server", "9.4", "13"),
        new Supported("Javalin", "6", "io.javalin.Javalin", "6.0", "7")));
    return s;
  }

  @Override
  public Handler handler(AgentServices services) {
    return new RoutesHandler(services);
  }

  @Override
  public List<JdkWeave> earlyWeaves() {
    List<JdkWeave> w = new ArrayList<>(List.of(
        // Netty 4.1/4.2: every server channel (plain Netty, Reactor Netty, Vert.x, Micronaut) is set up here, then bound
        new JdkWeave("io.netty.bootstrap.ServerBootstrap", "init", "(Lio/netty/channel/Channel;)V", Kind.EXIT,
            NETTY_SERVER_CHANNEL, "arg0", "field:childHandler"),
        new JdkWeave("io.netty.channel.AbstractChannel$AbstractUnsafe", "bind",
            "(Ljava/net/SocketAddress;Lio/netty/channel/ChannelPromise;)V", Kind.EXIT, NETTY_BOUND, "field:this$0"),
        // Vert.x 4/5 vertx-web: every path given to a route (router.post(path), route(method, path), path(…))
        new JdkWeave("io.vertx.ext.web.impl.RouteImpl", "setPath", "(Ljava/lang/String;)V", Kind.ENTER, VERTX_ROUTE,
            "arg0"),
        // Spring 5/6: every handler method's mapping, and the functional routes once composed
        new JdkWeave("org.springframework.web.reactive.result.method.AbstractHandlerMethodMapping$MappingRegistry",
            "register", "(Ljava/lang/Object;", Kind.ENTER, WEBFLUX_MAPPING, "arg0"),
        new JdkWeave("org.springframework.web.reactive.function.server.support.RouterFunctionMapping",
            "afterPropertiesSet", "()V", Kind.EXIT, WEBFLUX_FUNCTIONS, "field:routerFunction"),
        new JdkWeave("org.springframework.web.servlet.handler.AbstractHandlerMethodMapping$MappingRegistry",
            "register", "(Ljava/lang/Object;", Kind.ENTER, MVC_MAPPING, "arg0"),
        new JdkWeave("org.springframework.web.servlet.function.support.RouterFunctionMapping",
            "afterPropertiesSet", "()V", Kind.EXIT, MVC_FUNCTIONS, "field:routerFunction"),
        // Micronaut 4: the route table, built from the compiled route builders
        new JdkWeave("io.micronaut.web.router.DefaultRouter", "<init>", "(Ljava/util/Collection;)V", Kind.EXIT,
            MICRONAUT_ROUTER, "this"),
        // Helidon SE 4: every route's path, services registered under a path, each listener
        new JdkWeave("io.helidon.webserver.http.HttpRoute$Builder", "path", "(Ljava/lang/String;)", Kind.ENTER,
            HELIDON_ROUTE, "arg0"),
        new JdkWeave("io.helidon.webserver.http.HttpRoutingImpl$BuilderImpl", "register",
            "(Ljava/lang/String;[Lio/helidon/webserver/http/HttpService;)Lio/helidon/webserver/http/HttpRouting$Builder;",
            Kind.ENTER, HELIDON_SERVICE, "arg0"),
        new JdkWeave("io.helidon.webserver.ServerListener", "start", "()V", Kind.EXIT, HELIDON_STARTED, "this",
            "field:serverSocket", "field:tls"),
        new JdkWeave("io.helidon.webserver.ServerListener", "stop", "()V", Kind.ENTER, HELIDON_STOPPED, "this"),
        // Undertow 2.x core handlers
        new JdkWeave("io.undertow.server.handlers.PathHandler", "addPrefixPath", "(Ljava/lang/String;", Kind.ENTER,
            UNDERTOW_PREFIX, "arg0"),
        new JdkWeave("io.undertow.server.handlers.PathHandler", "addPath", "(Ljava/lang/String;", Kind.ENTER,
            UNDERTOW_PREFIX, "arg0"),
        new JdkWeave("io.undertow.server.handlers.PathHandler", "addExactPath", "(Ljava/lang/String;", Kind.ENTER,
            UNDERTOW_EXACT, "arg0"),
        new JdkWeave("io.undertow.server.RoutingHandler", "add", "(Lio/undertow/util/HttpString;Ljava/lang/String;",
            Kind.ENTER, UNDERTOW_TEMPLATE, "arg1"),
        new JdkWeave("io.undertow.server.RoutingHandler", "add", "(Ljava/lang/String;Ljava/lang/String;", Kind.ENTER,
            UNDERTOW_TEMPLATE, "arg1"),
        new JdkWeave("io.undertow.Undertow", "start", "()V", Kind.EXIT, UNDERTOW_STARTED, "this"),
        new JdkWeave("io.undertow.Undertow", "stop", "()V", Kind.ENTER, UNDERTOW_STOPPED, "this"),
        // undertow-servlet (Spring Boot's Undertow starter, WildFly): every servlet mapping of a deployment
        new JdkWeave("io.undertow.servlet.api.ServletInfo", "addMapping", "(Ljava/lang/String;)", Kind.ENTER,
            UNDERTOW_SERVLET_MAPPING, "arg0"),
        new JdkWeave("io.undertow.servlet.api.ServletInfo", "addMappings", "([Ljava/lang/String;)", Kind.ENTER,
            UNDERTOW_SERVLET_MAPPING, "arg0"),
        new JdkWeave("io.undertow.servlet.api.ServletInfo", "addMappings", "(Ljava/util/Collection;)", Kind.ENTER,
            UNDERTOW_SERVLET_MAPPING, "arg0"),
        // Tomcat 9–11: every servlet mapping of a context (web.xml, ServletRegistration, Spring Boot), connectors
        new JdkWeave("org.apache.catalina.core.StandardContext", "addServletMappingDecoded", "(Ljava/lang/String;",
            Kind.ENTER, TOMCAT_MAPPING, "arg0"),
        new JdkWeave("org.apache.catalina.connector.Connector", "startInternal", "()V", Kind.EXIT, TOMCAT_STARTED,
            "this"),
        new JdkWeave("org.apache.catalina.connector.Connector", "stopInternal", "()V", Kind.ENTER, TOMCAT_STOPPED,
            "this"),
        // Jetty 9–12: connectors (their accepting channel), and the servlet mappings below
        new JdkWeave("org.eclipse.jetty.server.ServerConnector", "open", "()V", Kind.EXIT, JETTY_OPENED, "this",
            "field:_acceptChannel"),
        new JdkWeave("org.eclipse.jetty.server.ServerConnector", "close", "()V", Kind.ENTER, JETTY_CLOSED, "this"),
        // Javalin 6 (on Jetty, its servlet at /*): every endpoint of its own router
        new JdkWeave("io.javalin.router.Endpoint", "<init>",
            "(Lio/javalin/http/HandlerType;Ljava/lang/String;Ljava/util/Set;Lio/javalin/http/Handler;)V", Kind.EXIT,
            JAVALIN_ENDPOINT, "arg1")));
    for (String pkg : JETTY_SERVLETS) {
      w.add(new JdkWeave(pkg + ".ServletMapping", "setPathSpecs", "([Ljava/lang/String;)V", Kind.ENTER, JETTY_MAPPING,
          "arg0"));
      w.add(new JdkWeave(pkg + ".ServletMapping", "setPathSpec", "(Ljava/lang/String;)V", Kind.ENTER, JETTY_MAPPING,
          "arg0"));
    }
    return w;
  }
}
