package dynamo.obs.examples.frontend;

import dynamo.obs.examples.cli.Flags;
import dynamo.obs.examples.http.PooledHttpServer;
import dynamo.obs.examples.http.Responses;
import dynamo.obs.examples.json.Json;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The OpenAI-compatible frontend: {@code GET /v1/models}, {@code POST /v1/chat/completions} and
 * {@code POST /v1/completions}, unary or streamed (SSE), generated through the router, and
 * {@code POST /v1/embeddings} (stand-in vectors computed here).
 *
 * <p>Flags:
 * <ul>
 *   <li>{@code --host=127.0.0.1} address to bind</li>
 *   <li>{@code --port=8000} port to listen on; 0 picks a free one</li>
 *   <li>{@code --router=http://127.0.0.1:9100} router base URL</li>
 *   <li>{@code --models=Qwen/Qwen3-0.6B} comma-separated models served; others get 404</li>
 *   <li>{@code --max-inflight=0} generations served at once, beyond which a request gets 529; 0: no limit</li>
 *   <li>{@code --embedding-models=} models served on /v1/embeddings (empty: all of --models); another served
 *       model gets 404 there, as Dynamo answers a model asked for on an endpoint it does not serve</li>
 * </ul>
 */
public final class FrontendServer {

  static final String USAGE = """
      Usage: java -cp dynamo-obs-examples.jar dynamo.obs.examples.frontend.FrontendServer [--name=value ...]
        --host=127.0.0.1                address to bind
        --port=8000                     port to listen on (0 picks a free one)
        --router=http://127.0.0.1:9100  router base URL
        --models=Qwen/Qwen3-0.6B        comma-separated models served; others get 404
        --max-inflight=0                generations served at once, beyond which 529; 0: no limit
        --embedding-models=             models served on /v1/embeddings (empty: all of --models)
      """;

  private FrontendServer() {
  }

  public static void main(String[] args) throws IOException, InterruptedException {
    PooledHttpServer server = Flags.runOrExit(args, USAGE, FrontendServer::start);
    System.out.println(server.name() + " listening on port " + server.port());
  }

  /** Starts a frontend and returns it running; close it to stop. */
  public static PooledHttpServer start(String... args) throws IOException {
    Flags flags = Flags.parse(args, USAGE);
    List<String> models = flags.list("models", "Qwen/Qwen3-0.6B");
    flags.require(!models.isEmpty(), "models", "must name at least one model");
    Set<String> served = Set.copyOf(models);
    List<String> embeddingModels = flags.list("embedding-models", "");
    flags.require(served.containsAll(embeddingModels), "embedding-models", "must name models of --models");
    RouterClient router = new RouterClient(flags.string("router", "http://127.0.0.1:9100"));
    InflightLimit limit = new InflightLimit(flags.integer("max-inflight", 0, 0));
    Map<String, Object> modelList = modelList(models, System.currentTimeMillis() / 1000);
    return new PooledHttpServer("frontend", flags.string("host", "127.0.0.1"), flags.integer("port", 8000, 0))
        .route("/v1/models", exchange -> {
          try (exchange) {
            if (Responses.accepts(exchange, "GET")) {
              Responses.sendJson(exchange, 200, modelList);
            }
          }
        })
        .route(Endpoint.CHAT_COMPLETIONS.path,
            new CompletionsHandler(Endpoint.CHAT_COMPLETIONS, served, router, limit))
        .route(Endpoint.COMPLETIONS.path, new CompletionsHandler(Endpoint.COMPLETIONS, served, router, limit))
        .route(EmbeddingsHandler.PATH,
            new EmbeddingsHandler(served, embeddingModels.isEmpty() ? served : Set.copyOf(embeddingModels)))
        .start();
  }

  /** OpenAI's model list object; {@code created} is when this frontend started. */
  private static Map<String, Object> modelList(List<String> models, long created) {
    return Json.object("object", "list", "data", models.stream()
        .map(id -> Json.object("id", id, "object", "model", "created", created,
            "owned_by", "dynamo-obs-examples"))
        .toList());
  }
}
