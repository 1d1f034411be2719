package dynamo.obs.it.apps;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * A deterministic OpenAI-shaped service on the JDK HTTP server, no observability code. The
 * {@code x-scenario} request header picks the answer, so every test knows the exact tokens:
 * <ul>
 *   <li>{@code stream}: 1 role chunk, 4 content chunks, a finish chunk, a usage chunk
 *       (prompt 11, completion 4, cached 6) and {@code [DONE]};
 *   <li>{@code stream-nousage}: the same without the usage chunk;
 *   <li>{@code unary}: one chat.completion JSON with usage (prompt 9, completion 3);
 *   <li>{@code status-NNN}: an error JSON with that status;
 *   <li>{@code throw}: the handler throws before answering;
 *   <li>{@code slow}: 200 content chunks 20 ms apart (for clients that go away);
 *   <li>{@code echo-length}: reads the whole body and answers its length (unary JSON).
 * </ul>
 * {@code /v1/chat/completions} has a lambda handler behind a filter; {@code /v1/completions} a
 * class handler; with {@code -Dtestapp.health=true}, {@code /health} answers the service's own health
 * ({@link OpenAiAnswers#APP_HEALTH}). Prints {@code READY <port>}.
 */
public final class OpenAiStubApp {
  private OpenAiStubApp() {
  }

  public static void main(String[] args) throws Exception {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.setExecutor(Executors.newFixedThreadPool(16));
    s.createContext("/v1/chat/completions", exchange -> answer(exchange, "chat.completion"))
        .getFilters().add(new PassThroughFilter());
    s.createContext("/v1/completions", new CompletionsHandler());
    if (OpenAiAnswers.servesHealth()) {
      s.createContext("/health", exchange -> json(exchange, 200, OpenAiAnswers.APP_HEALTH));
    }
    s.start();
    System.out.println("READY " + s.getAddress().getPort());
    new CountDownLatch(1).await();
  }

  static final class PassThroughFilter extends Filter {
    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
      chain.doFilter(exchange);
    }

    @Override
    public String description() {
      return "pass-through";
    }
  }

  static final class CompletionsHandler implements HttpHandler {
    @Override
    public void handle(HttpExchange exchange) throws IOException {
      answer(exchange, "text_completion");
    }
  }

  static void answer(HttpExchange ex, String object) throws IOException {
    byte[] body;
    try (InputStream in = ex.getRequestBody()) {
      body = in.readAllBytes();
    }
    String scenario = ex.getRequestHeaders().getFirst("x-scenario");
    if (scenario == null) { // a body can name it too (a request the test does not send itself: the agent's canary)
      java.util.regex.Matcher named = java.util.regex.Pattern.compile("\"scenario\":\"([^\"]+)\"")
          .matcher(new String(body, StandardCharsets.UTF_8));
      scenario = named.find() ? named.group(1) : null;
    }
    if (scenario == null) { // a real OpenAI client: answer as asked
      scenario = OpenAiAnswers.asksForStream(body) ? "stream" : "unary";
    }
    boolean chat = object.equals("chat.completion");
    switch (scenario) {
      case "stream" :
      case "stream-nousage" :
        stream(ex, chat, 4, 0, scenario.equals("stream"));
        return;
      case "slow" :
        stream(ex, chat, 200, 20, false);
        return;
      case "throw" :
        throw new IllegalStateException("handler failed on purpose");
      case "echo-length" :
        json(ex, 200, "{\"length\":" + body.length + "}");
        return;
      default :
        if (scenario.startsWith("status-")) {
          json(ex, Integer.parseInt(scenario.substring(7)), OpenAiAnswers.error(scenario));
          return;
        }
        json(ex, 200, OpenAiAnswers.unary(chat));
    }
  }

  static void json(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  static void stream(HttpExchange ex, boolean chat, int tokens, long gapMs, boolean usage) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "text/event-stream");
    ex.sendResponseHeaders(200, 0);
    try (OutputStream out = ex.getResponseBody()) {
      OpenAiAnswers.stream(chat, tokens, gapMs, usage, event -> {
        out.write(event.getBytes(StandardCharsets.UTF_8));
        out.flush();
      });
    }
  }
}
