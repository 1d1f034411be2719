package dynamo.obs.examples.router;

import dynamo.obs.examples.cli.Flags;
import dynamo.obs.examples.http.PooledHttpServer;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;

/**
 * The router: picks a worker for each {@code POST /generate} with {@link WorkerPicker} and relays the worker's
 * NDJSON stream line by line; also serves {@code GET /healthz}.
 *
 * <p>Flags:
 * <ul>
 *   <li>{@code --host=127.0.0.1} address to bind</li>
 *   <li>{@code --port=9100} port to listen on; 0 picks a free one</li>
 *   <li>{@code --workers=http://127.0.0.1:9101,http://127.0.0.1:9102} worker base URLs</li>
 *   <li>{@code --mode=round-robin} {@code round-robin} or {@code prefix} (prompt-prefix affinity)</li>
 *   <li>{@code --prefix-chars=32} leading prompt characters hashed in prefix mode</li>
 * </ul>
 */
public final class RouterServer {

  static final String USAGE = """
      Usage: java -cp dynamo-obs-examples.jar dynamo.obs.examples.router.RouterServer [--name=value ...]
        --host=127.0.0.1        address to bind
        --port=9100             port to listen on (0 picks a free one)
        --workers=http://127.0.0.1:9101,http://127.0.0.1:9102
                                comma-separated worker base URLs (worker-1, worker-2, ... in this order)
        --mode=round-robin      round-robin or prefix (same prompt prefix, same worker)
        --prefix-chars=32       leading prompt characters hashed in prefix mode
      """;

  private RouterServer() {
  }

  public static void main(String[] args) throws IOException, InterruptedException {
    PooledHttpServer server = Flags.runOrExit(args, USAGE, RouterServer::start);
    System.out.println(server.name() + " listening on port " + server.port());
  }

  /** Starts a router and returns it running; close it to stop. */
  public static PooledHttpServer start(String... args) throws IOException {
    Flags flags = Flags.parse(args, USAGE);
    WorkerPicker.Mode mode;
    try {
      mode = WorkerPicker.Mode.fromFlag(flags.string("mode", "round-robin"));
    } catch (IllegalArgumentException e) {
      throw new Flags.FlagException("--mode must be round-robin or prefix");
    }
    List<String> workers = flags.list("workers", "http://127.0.0.1:9101,http://127.0.0.1:9102");
    flags.require(!workers.isEmpty(), "workers", "must list at least one worker URL");
    WorkerPicker picker = new WorkerPicker(workers, mode, flags.integer("prefix-chars", 32, 1));
    HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1) // the JDK server speaks HTTP/1.1 only; skip the h2c upgrade
        .connectTimeout(Duration.ofSeconds(2))
        .build();
    return new PooledHttpServer("router", flags.string("host", "127.0.0.1"), flags.integer("port", 9100, 0))
        .route("/generate", new ForwardHandler(picker, client))
        .routeHealthz()
        .start();
  }
}
