package dynamo.obs.benchmarks.stacks;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The servlet-container stack of the CPU and start-up benchmarks: embedded Jetty 12 (ee10, Servlet 6) with one
 * {@link HttpServlet} at {@code /v1/chat/completions} that answers at once ({@link ChatAnswer}), flushing each
 * streamed event. Jetty's default thread pool ({@code qtp…} threads) runs acceptor, selectors and requests.
 *
 * <p>Usage: {@code java -cp dynamo-obs-benchmarks.jar:jetty/* dynamo.obs.benchmarks.stacks.JettyChatApp <port>}
 * (binds 127.0.0.1; runs until killed).
 */
public final class JettyChatApp {
  private JettyChatApp() {
  }

  public static void main(String[] args) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(ChatAnswer.port(args));
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.addServlet(ChatServlet.class, ChatAnswer.PATH);
    server.setHandler(context);
    server.start();
    System.out.println("jetty12 chat app listening on " + connector.getLocalPort());
  }

  public static final class ChatServlet extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      ChatAnswer answer = ChatAnswer.to(req.getInputStream().readAllBytes());
      resp.setStatus(200);
      ServletOutputStream out = resp.getOutputStream();
      if (answer.streamed) {
        resp.setContentType(ChatAnswer.SSE_TYPE);
        resp.setHeader("Cache-Control", "no-cache");
        for (byte[] event : answer.events) {
          out.write(event);
          out.flush();
        }
      } else {
        resp.setContentType(ChatAnswer.JSON_TYPE);
        resp.setContentLength(answer.body.length);
        out.write(answer.body);
      }
    }
  }
}
