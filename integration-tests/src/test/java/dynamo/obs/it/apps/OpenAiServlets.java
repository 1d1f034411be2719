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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The servlets and filter of the OpenAI-shaped test service, free of any container's classes, so
 * that every container app ({@link JettyOpenAiApp}, {@link TomcatOpenAiApp}) serves the very same
 * code. The scenarios are described on {@link JettyOpenAiApp}.
 */
final class OpenAiServlets {
  private static final ExecutorService ANSWERS = Executors.newCachedThreadPool();

  private OpenAiServlets() {
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

  /** The service's own health route ({@link OpenAiAnswers#APP_HEALTH}). */
  static final class HealthServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      byte[] body = OpenAiAnswers.APP_HEALTH.getBytes(StandardCharsets.UTF_8);
      resp.setContentType("application/json");
      resp.setContentLength(body.length);
      resp.getOutputStream().write(body);
    }
  }

  static final class SyncServlet extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException {
      byte[] body = read(req);
      if ("hostile".equals(req.getHeader("x-scenario"))) {
        // hands another servlet a request object of its own whose every call throws
        HttpServletRequest hostile = (HttpServletRequest) Proxy.newProxyInstance(OpenAiServlets.class.getClassLoader(),
            new Class<?>[]{HttpServletRequest.class}, (proxy, method, args) -> {
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
    String how = req.getHeader("x-read");
    if ("reader".equals(how) || "reader-chars".equals(how)) {
      java.io.BufferedReader r = req.getReader();
      StringBuilder text = new StringBuilder();
      if (how.equals("reader")) {
        String line;
        while ((line = r.readLine()) != null) {
          text.append(line).append('\n');
        }
      } else {
        char[] chunk = new char[7];
        int n;
        while ((n = r.read(chunk, 0, chunk.length)) >= 0) {
          text.append(chunk, 0, n);
        }
      }
      return text.toString().getBytes(StandardCharsets.UTF_8);
    }
    ServletInputStream in = req.getInputStream();
    if (!"lines".equals(how)) {
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

  static void answer(HttpServletRequest req, HttpServletResponse resp, byte[] body, boolean chat,
      boolean writerByDefault)
      throws IOException {
    String asked = req.getHeader("x-scenario");
    // a real OpenAI client: answer as asked
    String scenario = asked != null ? asked : OpenAiAnswers.asksForStream(body) ? "stream" : "unary";
    String write = req.getHeader("x-write");
    boolean writer = write == null ? writerByDefault : write.equals("writer");
    switch (scenario) {
      case "stream" :
      case "stream-nousage" :
        stream(resp, writer, sink -> OpenAiAnswers.stream(chat, 4, 0, scenario.equals("stream"), sink));
        return;
      case "slow" :
        stream(resp, writer, sink -> OpenAiAnswers.stream(chat, 200, 20, false, sink));
        return;
      case "multi" :
        stream(resp, writer, sink -> {
          sink.event(OpenAiAnswers.data(OpenAiAnswers.token(chat, "a", ",\"usage\":{\"completion_tokens\":1}"))
              + OpenAiAnswers.data(OpenAiAnswers.token(chat, "bcde", ",\"usage\":{\"completion_tokens\":5}")));
          String split = OpenAiAnswers.data(OpenAiAnswers.token(chat, "fg", ",\"usage\":{\"completion_tokens\":7}"));
          sink.event(split.substring(0, 20));
          sink.event(split.substring(20));
          sink.event("data: [DONE]\n\n");
        });
        return;
      case "throw" :
        throw new IllegalStateException("servlet failed on purpose");
      case "echo-length" :
        json(resp, 200, "{\"length\":" + body.length + "}", writer);
        return;
      default :
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
