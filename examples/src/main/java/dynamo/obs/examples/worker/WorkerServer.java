package dynamo.obs.examples.worker;

import dynamo.obs.examples.cli.Flags;
import dynamo.obs.examples.engine.SimulatedEngine;
import dynamo.obs.examples.http.PooledHttpServer;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;

/**
 * A worker: serves {@code POST /generate} by running the {@link SimulatedEngine} and streaming its tokens back
 * as NDJSON, and {@code GET /healthz}.
 *
 * <p>Flags:
 * <ul>
 *   <li>{@code --host=127.0.0.1} address to bind</li>
 *   <li>{@code --port=9101} port to listen on; 0 picks a free one</li>
 *   <li>{@code --worker-id=worker-<port>} name reported in the {@code X-Worker-Id} response header</li>
 *   <li>{@code --models=Qwen/Qwen3-0.6B} comma-separated models served; others get 404</li>
 *   <li>{@code --ttft-ms=50} time to first token</li>
 *   <li>{@code --itl-ms=10} inter-token latency</li>
 *   <li>{@code --output-tokens=32} tokens per generation unless max_tokens is smaller</li>
 *   <li>{@code --jitter-ms=0} upper bound of a random delay added to every token wait</li>
 *   <li>{@code --fail-every=0} one prompt in this many fails before its first token (0: none)</li>
 * </ul>
 */
public final class WorkerServer {

  static final String USAGE = """
      Usage: java -cp dynamo-obs-examples.jar dynamo.obs.examples.worker.WorkerServer [--name=value ...]
        --host=127.0.0.1          address to bind
        --port=9101               port to listen on (0 picks a free one)
        --worker-id=worker-PORT   name reported in the X-Worker-Id response header
        --models=Qwen/Qwen3-0.6B  comma-separated models served; others get 404
        --ttft-ms=50              time to first token
        --itl-ms=10               inter-token latency
        --output-tokens=32        tokens per generation unless max_tokens is smaller
        --jitter-ms=0             upper bound of a random delay added to every token wait
        --fail-every=0            one prompt in this many fails before its first token (0: none)
      """;

  private WorkerServer() {
  }

  public static void main(String[] args) throws IOException, InterruptedException {
    PooledHttpServer server = Flags.runOrExit(args, USAGE, WorkerServer::start);
    System.out.println(server.name() + " listening on port " + server.port());
  }

  /** Starts a worker and returns it running; close it to stop. */
  public static PooledHttpServer start(String... args) throws IOException {
    Flags flags = Flags.parse(args, USAGE);
    int ttftMs = flags.integer("ttft-ms", 50, 0);
    int itlMs = flags.integer("itl-ms", 10, 0);
    int jitterMs = flags.integer("jitter-ms", 0, 0);
    int outputTokens = flags.integer("output-tokens", 32, 1);
    Set<String> models = Set.copyOf(flags.list("models", "Qwen/Qwen3-0.6B"));
    flags.require(!models.isEmpty(), "models", "must name at least one model");
    SimulatedEngine engine = new SimulatedEngine(Duration.ofMillis(ttftMs), Duration.ofMillis(itlMs),
        outputTokens, Duration.ofMillis(jitterMs), flags.integer("fail-every", 0, 0));

    PooledHttpServer server = new PooledHttpServer("worker", flags.string("host", "127.0.0.1"),
        flags.integer("port", 9101, 0));
    String workerId = flags.string("worker-id", "worker-" + server.port());
    return server
        .route("/generate", new GenerateHandler(engine, models, workerId))
        .routeHealthz()
        .start();
  }
}
