package dynamo.obs.it.apps;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;

/**
 * A Jetty 12 servlet application with many routes: the OpenAI servlets of {@link JettyOpenAiApp} (context
 * {@code /api}) and, before them, {@link #EXTRA} more mappings of the unary servlet ({@code /extra/N}) — each a
 * registration the agent's routes target sees while the application starts. Prints {@code READY <port>}.
 */
public final class ManyRoutesApp {
  public static final int EXTRA = 150;

  private ManyRoutesApp() {
  }

  public static void main(String[] args) throws Exception {
    ServletContextHandler context = new ServletContextHandler("/api");
    ServletHolder sync = new ServletHolder(new OpenAiServlets.SyncServlet());
    for (int i = 0; i < EXTRA; i++) {
      context.addServlet(sync, "/extra/" + i);
    }
    context.addServlet(sync, "/v1/chat/completions");
    JettyOpenAiApp.serve(context);
  }
}
