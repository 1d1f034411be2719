package dynamo.obs.examples.router;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dynamo.obs.examples.http.ChunkedTextStream;
import dynamo.obs.examples.http.Responses;
import dynamo.obs.examples.protocol.GenerateCall;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.stream.Stream;

/**
 * {@code POST /generate}: picks a worker, forwards the body unchanged to its {@code /generate} and relays the
 * answer line by line as each line arrives.
 */
final class ForwardHandler implements HttpHandler {

  private final WorkerPicker picker;
  private final HttpClient client;

  ForwardHandler(WorkerPicker picker, HttpClient client) {
    this.picker = picker;
    this.client = client;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!Responses.accepts(exchange, "POST")) {
        return;
      }
      String body = Responses.readBody(exchange);
      GenerateCall call;
      try {
        call = GenerateCall.parse(body);
      } catch (IllegalArgumentException e) {
        Responses.sendError(exchange, 400, "invalid_request_error", e.getMessage());
        return;
      }
      WorkerChoice worker = picker.pickWorker(new RouteRequest(call.model(), call.prompt(), call.requestId()));
      HttpRequest forward = HttpRequest.newBuilder(URI.create(worker.getUrl() + "/generate"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body))
          .build();
      HttpResponse<Stream<String>> response;
      try {
        response = client.send(forward, HttpResponse.BodyHandlers.ofLines());
      } catch (IOException e) {
        Responses.sendError(exchange, 503, "service_unavailable",
            worker.getWorkerId() + " at " + worker.getUrl() + " is unreachable: " + e);
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        Responses.sendError(exchange, 503, "service_unavailable", "router is shutting down");
        return;
      }
      // Closing the line stream also aborts the worker call when our own caller hangs up first.
      try (Stream<String> lines = response.body()) {
        relay(exchange, response, lines.iterator());
      }
    }
  }

  private static void relay(HttpExchange exchange, HttpResponse<?> response, Iterator<String> lines)
      throws IOException {
    String contentType = response.headers().firstValue("Content-Type").orElse("application/x-ndjson");
    ChunkedTextStream out = ChunkedTextStream.open(exchange, response.statusCode(), contentType);
    try {
      while (lines.hasNext()) {
        out.send(lines.next() + "\n");
      }
    } catch (UncheckedIOException workerGone) {
      // The worker died mid-stream; ending our stream early lets the caller see the missing finish line.
    }
  }
}
