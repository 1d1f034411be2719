package dynamo.obs.testapps.undertow;

import dynamo.obs.testapps.Answer;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.server.handlers.PathHandler;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.SameThreadExecutor;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * An OpenAI-shaped service on Undertow's core handlers (no servlets), no observability code; a {@code PathHandler}
 * routes:
 * <ul>
 *   <li>{@code POST /v1/chat/completions}: a {@code BlockingHandler} on a worker thread: body read from
 *       {@code getInputStream()}, answers written to {@code getOutputStream()}, each event flushed, pauses slept;
 *   <li>{@code POST /v1/completions}: non-blocking on the I/O thread: body read by the request receiver
 *       ({@code receiveFullBytes}), answers sent by the response {@code Sender}, one {@code send} per event chained
 *       in its callbacks, pauses scheduled on the I/O thread;
 *   <li>{@code GET /v1/models};
 *   <li>with {@code -Dtestapp.health=true}, {@code GET /health};
 * </ul>
 * anything else: the {@code PathHandler}'s own 404 ({@code ResponseCodeHandler.HANDLE_404}).
 * Optional argument: the port (default: any free one). Prints {@code READY <port>}.
 */
public final class UndertowOpenAiApp {
  private UndertowOpenAiApp() {
  }

  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    PathHandler routes = Handlers.path()
        .addExactPath(Answer.CHAT_PATH, post(new BlockingHandler(UndertowOpenAiApp::chat)))
        .addExactPath(Answer.COMPLETIONS_PATH, post(UndertowOpenAiApp::completions))
        .addExactPath(Answer.MODELS_PATH, exchange -> json(exchange, Answer.models()));
    if (Answer.servesHealth()) {
      routes.addExactPath(Answer.HEALTH_PATH, exchange -> json(exchange, Answer.health()));
    }
    Undertow server = Undertow.builder()
        .addHttpListener(port, "127.0.0.1")
        .setHandler(routes)
        .build();
    server.start();
    InetSocketAddress bound = (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
    System.out.println("READY " + bound.getPort());
  }

  private static HttpHandler post(HttpHandler next) {
    return exchange -> {
      if (exchange.getRequestMethod().equals(Methods.POST)) {
        next.handleRequest(exchange);
      } else {
        exchange.setStatusCode(StatusCodes.METHOD_NOT_ALLOWED);
      }
    };
  }

  /** Blocking: read whole, answer through the output stream. */
  static void chat(HttpServerExchange exchange) throws IOException {
    byte[] body;
    try (InputStream in = exchange.getInputStream()) {
      body = in.readAllBytes();
    }
    Answer answer = Answer.to(true, exchange.getRequestHeaders().getFirst(Answer.SCENARIO_HEADER), body);
    switch (answer.kind()) {
      case FAIL :
        throw answer.failure();
      case JSON :
        json(exchange, answer);
        return;
      default :
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, answer.contentType());
        OutputStream out = exchange.getOutputStream();
        try {
          for (Answer.Write write : answer.writes()) {
            if (write.delayMs() > 0) {
              Thread.sleep(write.delayMs());
            }
            out.write(write.bytes());
            out.flush();
          }
          out.close();
        } catch (IOException clientGone) {
          exchange.getConnection().close(); // nothing more to send
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
    }
  }

  /** Non-blocking: the receiver reads the body, the sender writes the answer. */
  static void completions(HttpServerExchange exchange) {
    exchange.getRequestReceiver().receiveFullBytes((ex, body) -> {
      Answer answer = Answer.to(false, ex.getRequestHeaders().getFirst(Answer.SCENARIO_HEADER), body);
      switch (answer.kind()) {
        case FAIL :
          throw answer.failure();
        case JSON :
          json(ex, answer);
          return;
        default :
          ex.getResponseHeaders().put(Headers.CONTENT_TYPE, answer.contentType());
          // the answer outlives this call: the exchange is ended by the last send, not on return
          ex.dispatch(SameThreadExecutor.INSTANCE,
              () -> sendNext(ex, ex.getResponseSender(), answer.writes().iterator()));
      }
    });
  }

  private static void sendNext(HttpServerExchange exchange, Sender sender, Iterator<Answer.Write> writes) {
    if (!writes.hasNext()) {
      sender.close(IoCallback.END_EXCHANGE);
      return;
    }
    Answer.Write write = writes.next();
    Runnable send = () -> sender.send(write.text(), new IoCallback() {
      @Override
      public void onComplete(HttpServerExchange ex, Sender s) {
        sendNext(ex, s, writes);
      }

      @Override
      public void onException(HttpServerExchange ex, Sender s, IOException clientGone) {
        IoCallback.END_EXCHANGE.onException(ex, s, clientGone);
      }
    });
    if (write.delayMs() > 0) {
      exchange.getIoThread().executeAfter(send, write.delayMs(), TimeUnit.MILLISECONDS);
    } else {
      send.run();
    }
  }

  static void json(HttpServerExchange exchange, Answer answer) {
    exchange.setStatusCode(answer.status());
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, answer.contentType());
    exchange.getResponseSender().send(answer.body());
  }
}
