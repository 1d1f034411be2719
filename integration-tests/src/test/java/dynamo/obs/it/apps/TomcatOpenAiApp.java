package dynamo.obs.it.apps;

import jakarta.servlet.Filter;
import java.nio.file.Files;
import java.util.concurrent.CountDownLatch;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/**
 * {@link JettyOpenAiApp}'s service — the same filters, servlets and scenarios — on embedded Tomcat 11
 * (Jakarta Servlet 6.1), the container Spring Boot starts by default. No observability code.
 * With {@code -Dtestapp.health=true} a second context, the root one, serves the service's own {@code /health}
 * ({@link OpenAiAnswers#APP_HEALTH}); it has no default servlet, as an embedded Tomcat's context has none.
 * Prints {@code READY <port>}.
 */
public final class TomcatOpenAiApp {
  private TomcatOpenAiApp() {
  }

  public static void main(String[] args) throws Exception {
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(Files.createTempDirectory("tomcat-app").toString());
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("/api", null);
    filter(context, "pass", (Filter) (req, resp, chain) -> chain.doFilter(req, resp));
    filter(context, "wrap", new OpenAiServlets.WrappingFilter());
    Tomcat.addServlet(context, "sync", new OpenAiServlets.SyncServlet());
    context.addServletMappingDecoded("/v1/chat/completions", "sync");
    Wrapper async = Tomcat.addServlet(context, "async", new OpenAiServlets.AsyncServlet());
    async.setAsyncSupported(true);
    context.addServletMappingDecoded("/v1/completions", "async");
    context.addServletMappingDecoded("/custom/completions", "async");
    if (OpenAiAnswers.servesHealth()) {
      Context root = tomcat.addContext("", null);
      Tomcat.addServlet(root, "health", new OpenAiServlets.HealthServlet());
      root.addServletMappingDecoded("/health", "health");
    }
    tomcat.start();
    System.out.println("READY " + connector.getLocalPort());
    new CountDownLatch(1).await();
  }

  private static void filter(Context context, String name, Filter filter) {
    FilterDef def = new FilterDef();
    def.setFilterName(name);
    def.setFilter(filter);
    def.setAsyncSupported("true");
    context.addFilterDef(def);
    FilterMap map = new FilterMap();
    map.setFilterName(name);
    map.addURLPatternDecoded("/*");
    map.setDispatcher("REQUEST");
    map.setDispatcher("ASYNC");
    context.addFilterMap(map);
  }
}
