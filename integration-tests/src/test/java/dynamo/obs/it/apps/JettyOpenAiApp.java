package dynamo.obs.it.apps;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.GenericServlet;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

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
 * Prints {@code READY <port>}.
 */
public final class JettyOpenAiApp {
  private static final ExecutorService ANSWERS = Executors.newCachedThreadPool();

  private JettyOpenAiApp() {}

  public static void main(String[] args) throws Exception {
    ServletContextHandler context = new ServletContextHandler("/api");
    EnumSet<DispatcherType> dispatches = EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC);
    FilterHolder passThrough = new FilterHolder((Filter) (req, resp, chain) -> chain.doFilter(req, resp));
    passThrough.setAsyncSupported(true);
    context.addFilter(passThrough, "/*", dispatches);
    FilterHolder wrapping = new FilterHolder(new WrappingFilter());
    wrapping.setAsyncSupported(true);
    context.addFilter(wrapping, "/*", dispatches);
    context.addServlet(new ServletHolder(new SyncServlet()), "/v1/chat/completions");
    ServletHolder async = new ServletHolder(new AsyncServlet());
    async.setAsyncSupported(true);
    context.addServlet(async, "/v1/completions");
    context.addServlet(async, "/custom/completions");
    serve(context);
  }

  /** Serves {@code context} on a Jetty 12 server on a free loopback port, prints {@code READY <port>} and waits. */
  static void serve(ServletContextHandler context) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    server.setHandler(context);
    server.start();
    System.out.println("READY " + connector.getLocalPort());
    new CountDownLatch(1).await();
  }

  /** Wraps request and response, as frameworks' filters do. */
  static final class WrappingFilter implements Filter {
    @Override
    public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain)
        throws IOException, ServletException {
      chain.doFilter(new HttpServletRequestWrapper((HttpServletRequest) req),
          new HttpServletResponseWrapper((HttpServletResponse) resp));
    }
  }

  static final class SyncServlet extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException {
      byte[] body = read(req);
      if ("hostile".equals(req.getHeader("x-scenario"))) {
        // hands another servlet a request object of its own whose every call throws
        HttpServletRequest hostile = (HttpServletRequest) Proxy.newProxyInstance(JettyOpenAiApp.class.getClassLoader(),
            new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> {
              throw new IllegalStateException("hostile request: " + method.getName());
            });
        new GenericServlet() {
          @Override
          public void service(ServletRequest ignored, ServletResponse res) throws IOException {
            json((HttpServletResponse) res, 200, OpenAiAnswers.unary(true), false);
          }
        }.service(hostile, resp);
        return;
      }
      answer(req, resp, body, true, false);
    }
  }

  static final class AsyncServlet extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      if (req.getDispatcherType() == DispatcherType.ASYNC) {
        json(resp, 200, OpenAiAnswers.unary(false), false); // the dispatched second half of "dispatch"
        return;
      }
      String scenario = req.getHeader("x-scenario");
      AsyncContext ac = req.startAsync();
      if ("timeout".equals(scenario)) {
        ac.setTimeout(300);
        read(req);
        return;
      }
      if ("listener".equals(req.getHeader("x-read"))) {
        ServletInputStream in = req.getInputStream();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        in.setReadListener(new ReadListener() {
          @Override
          public void onDataAvailable() throws IOException {
            byte[] chunk = new byte[8192];
            while (in.isReady()) {
              int n = in.read(chunk);
              if (n < 0) {
                return;
              }
              body.write(chunk, 0, n);
            }
          }

          @Override
          public void onAllDataRead() {
            ANSWERS.execute(() -> respond(ac, body.toByteArray()));
          }

          @Override
          public void onError(Throwable t) {
            ac.complete();
          }
        });
        return;
      }
      byte[] body = read(req);
      ANSWERS.execute(() -> respond(ac, body));
    }

    private static void respond(AsyncContext ac, byte[] body) {
      HttpServletRequest req = (HttpServletRequest) ac.getRequest();
      if ("dispatch".equals(req.getHeader("x-scenario"))) {
        ac.dispatch();
        return;
      }
      try {
        answer(req, (HttpServletResponse) ac.getResponse(), body, false, true);
      } catch (IOException | RuntimeException e) {
        // the client went away: nothing more to send
      } finally {
        ac.complete();
      }
    }
  }

  static byte[] read(HttpServletRequest req) throws IOException {
    ServletInputStream in = req.getInputStream();
    if (!"lines".equals(req.getHeader("x-read"))) {
      return in.readAllBytes();
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] line = new byte[64];
    int n;
    while ((n = in.readLine(line, 0, line.length)) > 0) {
      body.write(line, 0, n);
    }
    return body.toByteArray();
  }

  static void answer(HttpServletRequest req, HttpServletResponse resp, byte[] body, boolean chat, boolean writerByDefault)
      throws IOException {
    String asked = req.getHeader("x-scenario");
    // a real OpenAI client: answer as asked
    String scenario = asked != null ? asked : OpenAiAnswers.asksForStream(body) ? "stream" : "unary";
    String write = req.getHeader("x-write");
    boolean writer = write == null ? writerByDefault : write.equals("writer");
    switch (scenario) {
      case "stream":
      case "stream-nousage":
        stream(resp, writer, sink -> OpenAiAnswers.stream(chat, 4, 0, scenario.equals("stream"), sink));
        return;
      case "slow":
        stream(resp, writer, sink -> OpenAiAnswers.stream(chat, 200, 20, false, sink));
        return;
      case "multi":
        stream(resp, writer, sink -> {
          sink.event(OpenAiAnswers.data(OpenAiAnswers.token(chat, "a", ",\"usage\":{\"completion_tokens\":1}"))
              + OpenAiAnswers.data(OpenAiAnswers.token(chat, "bcde", ",\"usage\":{\"completion_tokens\":5}")));
          String split = OpenAiAnswers.data(OpenAiAnswers.token(chat, "fg", ",\"usage\":{\"completion_tokens\":7}"));
          sink.event(split.substring(0, 20));
          sink.event(split.substring(20));
          sink.event("data: [DONE]\n\n");
        });
        return;
      case "throw":
        throw new IllegalStateException("servlet failed on purpose");
      case "echo-length":
        json(resp, 200, "{\"length\":" + body.length + "}", writer);
        return;
      default:
        if (scenario.startsWith("status-")) {
          json(resp, Integer.parseInt(scenario.substring(7)), OpenAiAnswers.error(scenario), writer);
        } else {
          json(resp, 200, OpenAiAnswers.unary(chat), writer);
        }
    }
  }

  private interface Events {
    void write(OpenAiAnswers.EventSink sink) throws IOException;
  }

  /** Server-sent events, each flushed; through the writer, stops once the client is gone. */
  private static void stream(HttpServletResponse resp, boolean writer, Events events) throws IOException {
    resp.setContentType("text/event-stream");
    if (writer) {
      resp.setCharacterEncoding("UTF-8");
      PrintWriter w = resp.getWriter();
      events.write(event -> {
        if (w.checkError()) {
          throw new IOException("client gone");
        }
        w.write(event);
        w.flush();
      });
    } else {
      ServletOutputStream out = resp.getOutputStream();
      events.write(event -> {
        out.write(event.getBytes(StandardCharsets.UTF_8));
        out.flush();
      });
    }
  }

  private static void json(HttpServletResponse resp, int status, String body, boolean writer) throws IOException {
    resp.setStatus(status);
    resp.setContentType("application/json");
    if (writer) {
      resp.setCharacterEncoding("UTF-8");
      resp.getWriter().print(body);
    } else {
      resp.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
    }
  }
}
