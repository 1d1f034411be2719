package dynamo.obs.it.apps;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.servlet.AsyncContext;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * An OpenAI-shaped service on embedded Jetty 10 ({@code javax.servlet} 4), no observability code:
 * context {@code /api}; {@code /v1/chat/completions} a synchronous servlet answering unary JSON
 * through its output stream; {@code /v1/completions} an asynchronous servlet streaming 4 tokens
 * with usage ({@link OpenAiAnswers}) through its writer from another thread. Jetty itself is
 * started by reflection: this module compiles against Jetty 12, whose packages Jetty 10 shares;
 * the application JVM gets Jetty 10 from {@code target/jetty10-libs}. Prints {@code READY <port>}.
 */
public final class Jetty10JavaxApp {
  private static final ExecutorService ANSWERS = Executors.newCachedThreadPool();

  private Jetty10JavaxApp() {
  }

  public static void main(String[] args) throws Exception {
    Object server = Class.forName("org.eclipse.jetty.server.Server").getConstructor(InetSocketAddress.class)
        .newInstance(new InetSocketAddress("127.0.0.1", 0));
    Object context = Class.forName("org.eclipse.jetty.servlet.ServletContextHandler").getConstructor().newInstance();
    call(context, "setContextPath", "/api");
    Class<?> holder = Class.forName("org.eclipse.jetty.servlet.ServletHolder");
    call(context, "addServlet", holder.getConstructor(javax.servlet.Servlet.class).newInstance(new UnaryServlet()),
        "/v1/chat/completions");
    Object streaming = holder.getConstructor(javax.servlet.Servlet.class).newInstance(new StreamingServlet());
    call(streaming, "setAsyncSupported", true);
    call(context, "addServlet", streaming, "/v1/completions");
    call(server, "setHandler", context);
    call(server, "start");
    Object connector = ((Object[]) call(server, "getConnectors"))[0];
    System.out.println("READY " + call(connector, "getLocalPort"));
    new CountDownLatch(1).await();
  }

  /** The public method of that name that takes these arguments. */
  private static Object call(Object target, String name, Object... args) throws ReflectiveOperationException {
    for (Method m : target.getClass().getMethods()) {
      if (m.getName().equals(name) && takes(m.getParameterTypes(), args)) {
        m.setAccessible(true); // declared by a package-private base class
        return m.invoke(target, args);
      }
    }
    throw new NoSuchMethodException(name);
  }

  private static boolean takes(Class<?>[] types, Object[] args) {
    if (types.length != args.length) {
      return false;
    }
    for (int i = 0; i < types.length; i++) {
      Class<?> t = types[i] == boolean.class ? Boolean.class : types[i];
      if (!t.isInstance(args[i])) {
        return false;
      }
    }
    return true;
  }

  static final class UnaryServlet extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      req.getInputStream().readAllBytes();
      resp.setContentType("application/json");
      resp.getOutputStream().write(OpenAiAnswers.unary(true).getBytes(StandardCharsets.UTF_8));
    }
  }

  static final class StreamingServlet extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      req.getInputStream().readAllBytes();
      AsyncContext ac = req.startAsync();
      ANSWERS.execute(() -> {
        try {
          resp.setContentType("text/event-stream");
          resp.setCharacterEncoding("UTF-8");
          PrintWriter w = resp.getWriter();
          OpenAiAnswers.stream(false, 4, 0, true, event -> {
            w.write(event);
            w.flush();
          });
        } catch (IOException e) {
          // the client went away
        } finally {
          ac.complete();
        }
      });
    }
  }
}
