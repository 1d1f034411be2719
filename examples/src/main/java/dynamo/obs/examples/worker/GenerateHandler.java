package dynamo.obs.examples.worker;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dynamo.obs.examples.engine.GenerateRequest;
import dynamo.obs.examples.engine.SimulatedEngine;
import dynamo.obs.examples.engine.TokenSink;
import dynamo.obs.examples.http.ChunkedTextStream;
import dynamo.obs.examples.http.Responses;
import dynamo.obs.examples.protocol.GenerateCall;
import dynamo.obs.examples.protocol.StreamLine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;

/** {@code POST /generate}: runs one generation and streams it as NDJSON {@link StreamLine}s. */
final class GenerateHandler implements HttpHandler {

  private final SimulatedEngine engine;
  private final Set<String> models;
  private final String workerId;

  GenerateHandler(SimulatedEngine engine, Set<String> models, String workerId) {
    this.engine = engine;
    this.models = models;
    this.workerId = workerId;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!Responses.accepts(exchange, "POST")) {
        return;
      }
      GenerateCall call;
      try {
        call = GenerateCall.parse(Responses.readBody(exchange));
      } catch (IllegalArgumentException e) {
        Responses.sendError(exchange, 400, "invalid_request_error", e.getMessage());
        return;
      }
      if (!models.contains(call.model())) {
        Responses.sendError(exchange, 404, "not_found_error",
            workerId + " does not serve model " + call.model());
        return;
      }
      exchange.getResponseHeaders().set("X-Worker-Id", workerId);
      ChunkedTextStream out = ChunkedTextStream.open(exchange, 200, "application/x-ndjson");
      GenerateRequest request = new GenerateRequest(call.model(), call.prompt(), call.maxTokens(),
          call.stream(), call.requestId());
      try {
        engine.generate(request, new NdjsonSink(out));
      } catch (UncheckedIOException callerGone) {
        // The router hung up mid-stream (its client cancelled); nothing is left to tell anyone.
      }
    }
  }

  /** Writes each engine event as one NDJSON line. */
  private static final class NdjsonSink implements TokenSink {
    private final ChunkedTextStream out;
    private int index;

    NdjsonSink(ChunkedTextStream out) {
      this.out = out;
    }

    @Override
    public void onToken(String text) {
      write(new StreamLine.Token(text, index++));
    }

    @Override
    public void onComplete(String finishReason, int promptTokens, int completionTokens) {
      write(new StreamLine.Finish(finishReason, promptTokens, completionTokens));
    }

    @Override
    public void onError(Throwable error) {
      write(new StreamLine.Failure(String.valueOf(error.getMessage())));
    }

    private void write(StreamLine line) {
      try {
        out.send(line.toJson() + "\n");
      } catch (IOException e) {
        // TokenSink cannot throw checked exceptions; the handler unwraps this to end the stream.
        throw new UncheckedIOException(e);
      }
    }
  }
}
