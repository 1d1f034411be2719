package dynamo.obs.it.apps;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;

/**
 * A worker on embedded Jetty 12 (Jakarta Servlet 6), no observability code: {@code /generate} reads
 * the request body, calls its engine with the prompt text only (no argument names the model) and
 * answers through the response's output stream; {@code /generate-async} does the same from another
 * thread after {@code startAsync}, answering through the writer, then {@code complete()}s.
 * Prints {@code READY <port>}.
 */
public final class JettyWorkerApp {
  private static final ExecutorService WORK = Executors.newCachedThreadPool();

  private JettyWorkerApp() {
  }

  /** The engine: named in DYN_OBS_WORKER_METHODS. */
  public static final class Engine {
    public String generate(String prompt) {
      return "generated for " + prompt.length() + " bytes";
    }
  }

  private static final Engine ENGINE = new Engine();

  static String answer(HttpServletRequest req) throws IOException {
    String body = new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return "{\"text\":\"" + ENGINE.generate(body) + "\"}";
  }

  static final class SyncWorker extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      byte[] out = answer(req).getBytes(StandardCharsets.UTF_8);
      resp.setContentType("application/json");
      resp.getOutputStream().write(out);
    }
  }

  static final class AsyncWorker extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) {
      AsyncContext async = req.startAsync();
      WORK.submit(() -> {
        try {
          Thread.sleep(50);
          String out = answer(req);
          resp.setContentType("application/json");
          resp.getWriter().write(out);
        } catch (Exception e) {
          resp.setStatus(500);
        } finally {
          async.complete();
        }
      });
    }
  }

  public static void main(String[] args) throws Exception {
    ServletContextHandler context = new ServletContextHandler("/");
    context.addServlet(new ServletHolder(new SyncWorker()), "/generate");
    ServletHolder async = new ServletHolder(new AsyncWorker());
    async.setAsyncSupported(true);
    context.addServlet(async, "/generate-async");
    JettyOpenAiApp.serve(context);
  }
}
