package dynamo.obs.examples.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A chunked response body written piece by piece, each piece flushed at once so the client sees every token
 * when it is produced (NDJSON lines between the example servers, SSE events towards OpenAI clients).
 */
public final class ChunkedTextStream {

  private final OutputStream body;

  private ChunkedTextStream(OutputStream body) {
    this.body = body;
  }

  /** Sends the status and headers; a length of 0 tells the JDK server to use chunked transfer encoding. */
  public static ChunkedTextStream open(HttpExchange exchange, int status, String contentType) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, 0);
    return new ChunkedTextStream(exchange.getResponseBody());
  }

  /** Writes {@code text} and flushes it to the client; fails if the client went away. */
  public void send(String text) throws IOException {
    body.write(text.getBytes(StandardCharsets.UTF_8));
    body.flush();
  }
}
