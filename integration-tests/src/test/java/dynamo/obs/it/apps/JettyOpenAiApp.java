package dynamo.obs.it.apps;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.util.EnumSet;
import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;

/**
 * An OpenAI-shaped service on embedded Jetty 12 (ee10, Jakarta Servlet 6), no observability code.
 * The servlet context is {@code /api}; behind two filters (one passes through, one wraps the
 * request and the response):
 * <ul>
 *   <li>{@code /v1/chat/completions}: a synchronous servlet, answering through the response's
 *       output stream ({@code x-write: writer}: its writer);
 *   <li>{@code /v1/completions} and {@code /custom/completions}: an asynchronous servlet that
 *       answers from another thread through the response's writer ({@code x-write: stream}: its
 *       output stream) and then calls {@code complete()}.
 * </ul>
 * The request body is read whole ({@code x-read: lines}: with {@code readLine};
 * {@code x-read: listener}, async only: with a {@code ReadListener}). {@code x-scenario} picks the
 * answer ({@link OpenAiAnswers}): {@code stream}, {@code stream-nousage}, {@code unary},
 * {@code status-NNN}, {@code throw} (the servlet throws), {@code slow} (200 tokens 20 ms apart),
 * {@code echo-length}, {@code multi} (events carrying several tokens, two events in one write and
 * one event split over two writes); async only: {@code dispatch} (the answer comes from an async
 * dispatch) and {@code timeout} (never completed: the container times it out after 300 ms); sync
 * only: {@code hostile} (the answer comes from a servlet handed a request object that throws at
 * every call, as the agent's advice sees it too).
 * With {@code -Dtestapp.health=true} a second servlet context, the root one, serves the service's own
 * {@code /health} ({@link OpenAiAnswers#APP_HEALTH}); any other path of it is its default servlet's 404.
 * Prints {@code READY <port>}.
 */
public final class JettyOpenAiApp {
  private JettyOpenAiApp() {
  }

  public static void main(String[] args) throws Exception {
    ServletContextHandler context = new ServletContextHandler("/api");
    EnumSet<DispatcherType> dispatches = EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC);
    FilterHolder passThrough = new FilterHolder((Filter) (req, resp, chain) -> chain.doFilter(req, resp));
    passThrough.setAsyncSupported(true);
    context.addFilter(passThrough, "/*", dispatches);
    FilterHolder wrapping = new FilterHolder(new OpenAiServlets.WrappingFilter());
    wrapping.setAsyncSupported(true);
    context.addFilter(wrapping, "/*", dispatches);
    context.addServlet(new ServletHolder(new OpenAiServlets.SyncServlet()), "/v1/chat/completions");
    ServletHolder async = new ServletHolder(new OpenAiServlets.AsyncServlet());
    async.setAsyncSupported(true);
    context.addServlet(async, "/v1/completions");
    context.addServlet(async, "/custom/completions");
    if (OpenAiAnswers.servesHealth()) {
      ServletContextHandler root = new ServletContextHandler("/");
      root.addServlet(new ServletHolder(new OpenAiServlets.HealthServlet()), "/health");
      serve(new ContextHandlerCollection(context, root));
    } else {
      serve(context);
    }
  }

  /** Serves {@code context} on a Jetty 12 server on a free loopback port, prints {@code READY <port>} and waits. */
  static void serve(Handler context) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    server.setHandler(context);
    server.start();
    System.out.println("READY " + connector.getLocalPort());
    new CountDownLatch(1).await();
  }
}
