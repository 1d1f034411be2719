package dynamo.obs.testapps.helidon;

import dynamo.obs.testapps.Answer;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * An OpenAI-shaped service on Helidon SE 4 (its own HTTP/1.1 server, one virtual thread per connection), no
 * observability code. {@code HttpRouting}:
 * <ul>
 *   <li>{@code POST /v1/chat/completions}: body read whole with {@code content().as(byte[].class)};
 *   <li>{@code POST /v1/completions}: body read from {@code content().inputStream()} in small pieces;
 *   <li>{@code GET /v1/models};
 *   <li>with {@code -Dtestapp.health=true}, {@code GET /health};
 * </ul>
 * anything else: Helidon's own 404.
 * JSON answers with {@code send(bytes)}; streams through {@code outputStream()}, each event flushed, pauses slept
 * (a virtual thread), stopping once the client is gone. Optional argument: the port (default: any free one). Prints
 * {@code READY <port>}.
 */
public final class HelidonOpenAiApp {
  private static final HeaderName SCENARIO = HeaderNames.create(Answer.SCENARIO_HEADER);

  private HelidonOpenAiApp() {
  }

  public static void main(String[] args) {
    WebServer server = WebServer.builder()
        .host("127.0.0.1")
        .port(args.length > 0 ? Integer.parseInt(args[0]) : 0)
        .routing(HelidonOpenAiApp::routing)
        .build()
        .start();
    System.out.println("READY " + server.port());
  }

  static void routing(HttpRouting.Builder routing) {
    routing.post(Answer.CHAT_PATH, (req, res) -> answer(res, Answer.to(true, scenario(req), readWhole(req))))
        .post(Answer.COMPLETIONS_PATH, (req, res) -> answer(res, Answer.to(false, scenario(req), readInPieces(req))))
        .get(Answer.MODELS_PATH, (req, res) -> answer(res, Answer.models()));
    if (Answer.servesHealth()) {
      routing.get(Answer.HEALTH_PATH, (req, res) -> answer(res, Answer.health()));
    }
  }

  private static String scenario(ServerRequest req) {
    return req.headers().first(SCENARIO).orElse(null);
  }

  private static byte[] readWhole(ServerRequest req) {
    return req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
  }

  private static byte[] readInPieces(ServerRequest req) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] piece = new byte[64];
    try (InputStream in = req.content().inputStream()) {
      int n;
      while ((n = in.read(piece)) >= 0) {
        body.write(piece, 0, n);
      }
    }
    return body.toByteArray();
  }

  static void answer(ServerResponse res, Answer answer) {
    switch (answer.kind()) {
      case FAIL :
        throw answer.failure();
      case JSON :
        res.status(Status.create(answer.status())).header(HeaderNames.CONTENT_TYPE, answer.contentType())
            .send(answer.bodyBytes());
        return;
      default :
        res.header(HeaderNames.CONTENT_TYPE, answer.contentType());
        try (OutputStream out = res.outputStream()) {
          for (Answer.Write write : answer.writes()) {
            if (write.delayMs() > 0) {
              Thread.sleep(write.delayMs());
            }
            out.write(write.bytes());
            out.flush();
          }
        } catch (IOException | UncheckedIOException clientGone) {
          // nothing more to send
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
    }
  }
}
