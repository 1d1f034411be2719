package dynamo.obs.benchmarks.stacks;

import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;

/**
 * The Undertow stack of the CPU and start-up benchmarks: Undertow 2.3 core handlers, a {@code BlockingHandler} that
 * answers {@code POST /v1/chat/completions} at once ({@link ChatAnswer}) on a worker thread, reading the body from
 * {@code getInputStream()} and flushing each streamed event to {@code getOutputStream()}. The default XNIO threads
 * serve: I/O threads ({@code XNIO-1 I/O-N}) and the worker pool ({@code XNIO-1 task-N}).
 *
 * <p>Usage: {@code java -cp dynamo-obs-benchmarks.jar:undertow/* dynamo.obs.benchmarks.stacks.UndertowChatApp <port>}
 * (binds 127.0.0.1; runs until killed).
 */
public final class UndertowChatApp {
  private UndertowChatApp() {
  }

  public static void main(String[] args) {
    Undertow server = Undertow.builder().addHttpListener(ChatAnswer.port(args), "127.0.0.1")
        .setHandler(new BlockingHandler(UndertowChatApp::chat)).build();
    server.start();
    System.out.println("undertow chat app listening on "
        + ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort());
  }

  private static void chat(HttpServerExchange exchange) throws IOException {
    if (!exchange.getRequestPath().equals(ChatAnswer.PATH) || !exchange.getRequestMethod().equals(Methods.POST)) {
      exchange.setStatusCode(StatusCodes.NOT_FOUND);
      return;
    }
    byte[] request;
    try (InputStream in = exchange.getInputStream()) {
      request = in.readAllBytes();
    }
    ChatAnswer answer = ChatAnswer.to(request);
    OutputStream out = exchange.getOutputStream();
    if (answer.streamed) {
      exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, ChatAnswer.SSE_TYPE);
      exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-cache");
      for (byte[] event : answer.events) {
        out.write(event);
        out.flush();
      }
    } else {
      exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, ChatAnswer.JSON_TYPE);
      exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, answer.body.length);
      out.write(answer.body);
    }
    out.close();
  }
}
