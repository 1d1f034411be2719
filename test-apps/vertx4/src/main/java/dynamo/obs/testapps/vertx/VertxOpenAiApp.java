package dynamo.obs.testapps.vertx;

import dynamo.obs.testapps.Answer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Iterator;

/**
 * An OpenAI-shaped service on Vert.x with a vertx-web {@code Router} (built against Vert.x 4.5 and, from the same
 * source, 5.0), no observability code:
 * <ul>
 *   <li>{@code POST /v1/chat/completions}: body read by a {@code BodyHandler};
 *   <li>{@code POST /v1/completions}: body read from the request as a {@code ReadStream} ({@code handler} and
 *       {@code endHandler});
 *   <li>{@code GET /v1/models};
 *   <li>with {@code -Dtestapp.health=true}, {@code GET /health}.
 * </ul>
 * Answers ({@link Answer}): JSON with {@code end(buffer)}; streams as a chunked response, one {@code write} per
 * event, pauses on Vert.x timers, stopping once the response is closed. Optional argument: the port (default: any
 * free one). Prints {@code READY <port>}.
 */
public final class VertxOpenAiApp {
  private VertxOpenAiApp() {
  }

  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    Vertx vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    router.post(Answer.CHAT_PATH).handler(BodyHandler.create())
        .handler(ctx -> answer(vertx, ctx,
            Answer.to(true, ctx.request().getHeader(Answer.SCENARIO_HEADER), ctx.body().buffer() == null
                ? new byte[0]
                : ctx.body().buffer().getBytes())));
    router.post(Answer.COMPLETIONS_PATH).handler(ctx -> {
      HttpServerRequest request = ctx.request();
      Buffer body = Buffer.buffer();
      request.handler(body::appendBuffer);
      request.endHandler(
          end -> answer(vertx, ctx, Answer.to(false, request.getHeader(Answer.SCENARIO_HEADER), body.getBytes())));
    });
    router.get(Answer.MODELS_PATH).handler(ctx -> answer(vertx, ctx, Answer.models()));
    if (Answer.servesHealth()) {
      router.get(Answer.HEALTH_PATH).handler(ctx -> answer(vertx, ctx, Answer.health()));
    }
    vertx.createHttpServer()
        .requestHandler(router)
        .listen(port, "127.0.0.1")
        .onSuccess(server -> System.out.println("READY " + server.actualPort()))
        .onFailure(failure -> {
          failure.printStackTrace();
          vertx.close();
        });
  }

  static void answer(Vertx vertx, RoutingContext ctx, Answer answer) {
    HttpServerResponse response = ctx.response();
    switch (answer.kind()) {
      case FAIL :
        ctx.fail(answer.failure()); // the router's failure handling answers (500)
        return;
      case JSON :
        response.setStatusCode(answer.status()).putHeader("content-type", answer.contentType())
            .end(Buffer.buffer(answer.bodyBytes()));
        return;
      default :
        response.setChunked(true).putHeader("content-type", answer.contentType());
        writeNext(vertx, response, answer.writes().iterator());
    }
  }

  /** The next write of a stream after its pause; nothing once the connection is closed. */
  private static void writeNext(Vertx vertx, HttpServerResponse response, Iterator<Answer.Write> writes) {
    if (response.closed()) {
      return;
    }
    if (!writes.hasNext()) {
      response.end();
      return;
    }
    Answer.Write write = writes.next();
    if (write.delayMs() > 0) {
      vertx.setTimer(write.delayMs(), timer -> {
        if (!response.closed()) {
          response.write(write.text());
          writeNext(vertx, response, writes);
        }
      });
    } else {
      response.write(write.text());
      writeNext(vertx, response, writes);
    }
  }
}
