package dynamo.obs.examples.load;

import dynamo.obs.examples.cli.Flags;
import dynamo.obs.examples.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends a mix of OpenAI requests to the frontend from a fixed number of concurrent clients for a fixed time,
 * reads every answer to the end (SSE streams event by event), then prints a client-side summary and, with
 * {@code --metrics}, what each process's agent reports on its system port.
 *
 * <p>Flags:
 * <ul>
 *   <li>{@code --url=http://127.0.0.1:8000} frontend base URL</li>
 *   <li>{@code --duration-s=20} how long to send; requests in flight then finish (at most 30 s more)</li>
 *   <li>{@code --max-requests=0} stop after this many requests; 0 for no limit</li>
 *   <li>{@code --concurrency=8} concurrent clients, each sending its next request when the last one ended</li>
 *   <li>{@code --models=Qwen/Qwen3-0.6B} models to spread requests over</li>
 *   <li>{@code --stream-fraction=0.7} share of streamed requests</li>
 *   <li>{@code --invalid-fraction=0.05} share of invalid requests (half malformed JSON, half unknown model)</li>
 *   <li>{@code --completions-fraction=0.2} share sent to /v1/completions instead of /v1/chat/completions</li>
 *   <li>{@code --include-usage-fraction=0.5} share of streamed requests asking for a usage chunk</li>
 *   <li>{@code --max-tokens=16} max_tokens of every request</li>
 *   <li>{@code --metrics=name=url,...} system ports to read after the run, e.g.
 *       {@code frontend=http://127.0.0.1:8081}</li>
 * </ul>
 */
public final class LoadDriver {

  static final String USAGE = """
      Usage: java -cp dynamo-obs-examples.jar dynamo.obs.examples.load.LoadDriver [--name=value ...]
        --url=http://127.0.0.1:8000    frontend base URL
        --duration-s=20                how long to send (requests in flight then get up to 30 s more)
        --max-requests=0               stop after this many requests (0: no limit)
        --concurrency=8                concurrent clients
        --models=Qwen/Qwen3-0.6B       comma-separated models to spread requests over
        --stream-fraction=0.7          share of streamed requests
        --invalid-fraction=0.05        share of invalid requests (half malformed JSON, half unknown model)
        --completions-fraction=0.2     share sent to /v1/completions instead of /v1/chat/completions
        --include-usage-fraction=0.5   share of streamed requests asking for a usage chunk
        --max-tokens=16                max_tokens of every request
        --metrics=NAME=URL,...         system ports to read after the run (default: none),
                                       e.g. frontend=http://127.0.0.1:8081,router=http://127.0.0.1:8084
      """;

  /** How long requests still in flight at the end of the run may take before they are abandoned. */
  private static final Duration DRAIN = Duration.ofSeconds(30);

  private LoadDriver() {
  }

  public static void main(String[] args) throws IOException, InterruptedException {
    Flags.runOrExit(args, USAGE, LoadDriver::run);
  }

  /** Runs the load and prints the summaries; returns the client-side tallies. */
  static LoadStats run(String[] args) throws InterruptedException {
    Flags flags = Flags.parse(args, USAGE);
    URI frontend = URI.create(flags.string("url", "http://127.0.0.1:8000").replaceAll("/+$", ""));
    Duration duration = Duration.ofSeconds(flags.integer("duration-s", 20, 1));
    long maxRequests = flags.integer("max-requests", 0, 0);
    int concurrency = flags.integer("concurrency", 8, 1);
    List<String> models = flags.list("models", "Qwen/Qwen3-0.6B");
    flags.require(!models.isEmpty(), "models", "must name at least one model");
    RequestMix mix = new RequestMix(models,
        flags.fraction("stream-fraction", 0.7),
        flags.fraction("invalid-fraction", 0.05),
        flags.fraction("completions-fraction", 0.2),
        flags.fraction("include-usage-fraction", 0.5),
        flags.integer("max-tokens", 16, 1));
    List<String> metricsTargets = flags.list("metrics", "");
    for (String target : metricsTargets) {
      flags.require(target.indexOf('=') > 0, "metrics", "entries must read name=url, got '" + target + "'");
    }

    HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2))
        .build();
    LoadStats stats = new LoadStats();
    System.out.printf("sending to %s for %d s with %d clients%n", frontend, duration.toSeconds(), concurrency);
    long start = System.nanoTime();
    long deadline = start + duration.toNanos();
    AtomicLong tickets = new AtomicLong(maxRequests == 0 ? Long.MAX_VALUE : maxRequests);
    ExecutorService clients = Executors.newFixedThreadPool(concurrency, task -> {
      Thread thread = new Thread(task, "load-client");
      thread.setDaemon(true); // an abandoned request must not keep the driver alive
      return thread;
    });
    for (int i = 0; i < concurrency; i++) {
      long seed = i;
      clients.execute(() -> {
        Random random = new Random(seed);
        while (System.nanoTime() < deadline && tickets.getAndDecrement() > 0) {
          send(client, frontend, mix.next(random), stats);
        }
      });
    }
    clients.shutdown();
    if (!clients.awaitTermination(duration.plus(DRAIN).toMillis(), TimeUnit.MILLISECONDS)) {
      System.out.println("some requests were still running after the drain time; abandoning them");
      clients.shutdownNow();
    }
    stats.print(System.out, (System.nanoTime() - start) / 1e9);

    SystemPortReport report = new SystemPortReport(client, System.out);
    for (String target : metricsTargets) {
      int equals = target.indexOf('=');
      report.print(target.substring(0, equals), target.substring(equals + 1));
    }
    return stats;
  }

  /** Sends one request and reads its answer to the end; a failure is counted, never thrown. */
  private static void send(HttpClient client, URI frontend, RequestMix.Planned planned, LoadStats stats) {
    HttpRequest request = HttpRequest.newBuilder(frontend.resolve(planned.path()))
        .timeout(DRAIN)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(planned.body()))
        .build();
    long start = System.nanoTime();
    try {
      HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      long firstText = -1;
      try (BufferedReader body = new BufferedReader(
          new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        if (planned.stream() && response.statusCode() == 200) {
          firstText = readEvents(body, start);
        } else {
          drain(body);
        }
      }
      stats.record(planned.model(), String.valueOf(response.statusCode()), firstText, System.nanoTime() - start);
    } catch (IOException | RuntimeException e) {
      stats.record(planned.model(), LoadStats.FAILED, -1, System.nanoTime() - start);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // abandoned after the drain time: not counted
    }
  }

  /** Reads SSE events up to {@code [DONE]}; returns the nanos from {@code start} to the first generated text. */
  private static long readEvents(BufferedReader body, long start) throws IOException {
    long firstText = -1;
    for (String line = body.readLine(); line != null; line = body.readLine()) {
      if (!line.startsWith("data: ")) {
        continue;
      }
      String data = line.substring("data: ".length());
      if (data.equals("[DONE]")) {
        break;
      }
      if (firstText < 0 && carriesText(Json.parse(data))) {
        firstText = System.nanoTime() - start;
      }
    }
    drain(body);
    return firstText;
  }

  /** Whether a chunk holds generated text: chat's {@code delta.content} or completions' {@code text}. */
  private static boolean carriesText(Object chunk) {
    if (chunk instanceof Map<?, ?> map && map.get("choices") instanceof List<?> choices && !choices.isEmpty()
        && choices.get(0) instanceof Map<?, ?> choice) {
      Object text = choice.get("delta") instanceof Map<?, ?> delta ? delta.get("content") : choice.get("text");
      return text instanceof String s && !s.isEmpty();
    }
    return false;
  }

  private static void drain(BufferedReader body) throws IOException {
    char[] buffer = new char[8192];
    while (body.read(buffer) >= 0) {
      // Reading to the end lets the connection be reused and makes the latency cover the whole answer.
    }
  }
}
