package dynamo.obs.examples.frontend;

import dynamo.obs.examples.protocol.GenerateCall;
import dynamo.obs.examples.protocol.StreamLine;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Calls the router's {@code POST /generate} and hands back the worker's lines as they arrive. */
final class RouterClient {

  private final URI generateUri;
  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1) // the JDK server speaks HTTP/1.1 only; skip the h2c upgrade
      .connectTimeout(Duration.ofSeconds(2))
      .build();

  RouterClient(String routerUrl) {
    this.generateUri = URI.create(routerUrl.replaceAll("/+$", "") + "/generate");
  }

  /**
   * Starts a generation. The returned stream is lazy — each line is read when consumed — and must be closed,
   * which also aborts the call if the frontend's own client hung up. Reading it may fail with
   * {@link java.io.UncheckedIOException} (connection lost) or {@link IllegalArgumentException} (bad line).
   *
   * @throws OpenAiError (503) when the router is unreachable or refuses the call
   */
  Stream<StreamLine> generate(GenerateCall call) throws OpenAiError, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(generateUri)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(call.toJson()))
        .build();
    HttpResponse<Stream<String>> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofLines());
    } catch (IOException e) {
      throw OpenAiError.unavailable("The router at " + generateUri + " is unreachable: " + e);
    }
    if (response.statusCode() != 200) {
      String detail;
      try (Stream<String> lines = response.body()) {
        detail = lines.collect(Collectors.joining("\n"));
      }
      throw OpenAiError.unavailable("The router answered " + response.statusCode() + ": " + detail);
    }
    return response.body().map(StreamLine::parse);
  }
}
