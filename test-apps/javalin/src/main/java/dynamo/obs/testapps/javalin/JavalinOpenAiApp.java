package dynamo.obs.testapps.javalin;

import dynamo.obs.testapps.Answer;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;

/**
 * An OpenAI-shaped service on Javalin 6 (Jetty 11, its servlet mapped at {@code /*}, routes in Javalin's own
 * router), no observability code:
 * <ul>
 *   <li>{@code POST /v1/chat/completions}: body read whole with {@code bodyAsBytes()};
 *   <li>{@code POST /v1/completions}: body read from the servlet request's input stream;
 *   <li>{@code GET /v1/models}.
 * </ul>
 * JSON answers with {@code result(bytes)}; streams written to the servlet response's output stream, each event
 * flushed, pauses slept (the handler runs on a Jetty thread), stopping once the client is gone. Optional argument:
 * the port (default: any free one). Bodies up to 16 MB are read. Prints {@code READY <port>}.
 */
public final class JavalinOpenAiApp {
  private JavalinOpenAiApp() {
  }

  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    Javalin app = Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.http.maxRequestSize = 16L * 1024 * 1024; // Javalin's 1 MB default answers a long prompt 413
    })
        .post(Answer.CHAT_PATH, ctx -> answer(ctx, Answer.to(true, ctx.header(Answer.SCENARIO_HEADER),
            ctx.bodyAsBytes())))
        .post(Answer.COMPLETIONS_PATH, ctx -> answer(ctx, Answer.to(false, ctx.header(Answer.SCENARIO_HEADER),
            ctx.req().getInputStream().readAllBytes())))
        .get(Answer.MODELS_PATH, ctx -> answer(ctx, Answer.models()))
        .start("127.0.0.1", port);
    System.out.println("READY " + app.port());
  }

  static void answer(Context ctx, Answer answer) {
    switch (answer.kind()) {
      case FAIL :
        throw answer.failure(); // Javalin's exception handling answers 500
      case JSON :
        ctx.status(answer.status()).contentType(answer.contentType()).result(answer.bodyBytes());
        return;
      default :
        ctx.res().setContentType(answer.contentType());
        try {
          OutputStream out = ctx.res().getOutputStream();
          for (Answer.Write write : answer.writes()) {
            if (write.delayMs() > 0) {
              Thread.sleep(write.delayMs());
            }
            out.write(write.bytes());
            out.flush();
          }
        } catch (IOException clientGone) {
          // nothing more to send
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
    }
  }
}
