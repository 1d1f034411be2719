package dynamo.obs.it.apps;

import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.FilterInfo;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;

/**
 * {@link JettyOpenAiApp}'s service — the same filters, servlets and scenarios — as a servlet deployment on Undertow
 * (Undertow's servlet module, as Spring Boot's Undertow starter and WildFly run servlets). No observability code.
 * Prints {@code READY <port>}.
 */
public final class UndertowServletOpenAiApp {
  private UndertowServletOpenAiApp() {
  }

  /** A filter that passes the request on as it is. */
  public static final class PassFilter implements Filter {
    @Override
    public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain)
        throws IOException, ServletException {
      chain.doFilter(req, resp);
    }
  }

  public static void main(String[] args) throws Exception {
    DeploymentInfo info = Servlets.deployment().setClassLoader(UndertowServletOpenAiApp.class.getClassLoader())
        .setContextPath("/api").setDeploymentName("openai")
        .addFilter(filter("pass", PassFilter.class, new PassFilter()))
        .addFilter(filter("wrap", OpenAiServlets.WrappingFilter.class, new OpenAiServlets.WrappingFilter()))
        .addServlet(Servlets.servlet("sync", OpenAiServlets.SyncServlet.class,
            new ImmediateInstanceFactory<>(new OpenAiServlets.SyncServlet())).addMapping("/v1/chat/completions"))
        .addServlet(Servlets.servlet("async", OpenAiServlets.AsyncServlet.class,
            new ImmediateInstanceFactory<>(new OpenAiServlets.AsyncServlet())).setAsyncSupported(true)
            .addMappings("/v1/completions", "/custom/completions"));
    for (String name : new String[]{"pass", "wrap"}) {
      info.addFilterUrlMapping(name, "/*", DispatcherType.REQUEST);
      info.addFilterUrlMapping(name, "/*", DispatcherType.ASYNC);
    }
    DeploymentManager manager = Servlets.defaultContainer().addDeployment(info);
    manager.deploy();
    Undertow server = Undertow.builder().addHttpListener(0, "127.0.0.1")
        .setHandler(Handlers.path().addPrefixPath("/api", manager.start())).build();
    server.start();
    System.out.println("READY " + ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort());
    new CountDownLatch(1).await();
  }

  private static <T extends Filter> FilterInfo filter(String name, Class<T> type, T filter) {
    return Servlets.filter(name, type, new ImmediateInstanceFactory<>(filter)).setAsyncSupported(true);
  }
}
