package dynamo.obs.it.ecosystem;

import dynamo.obs.it.support.FreePort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus ({@code /usr/bin/prometheus} of the Debian package) on a loopback port with its own
 * TSDB folder, queried over its HTTP API. {@link #close()} ends it; a shutdown hook ends whatever a
 * crashed test left behind.
 */
final class PrometheusServer implements AutoCloseable {
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "prometheus-reaper"));
  }

  private final Process process;
  private final int port;
  private final Path log;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private PrometheusServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  static int pickPort() {
    return FreePort.pick();
  }

  static PrometheusServer start(Path binary, Path config, Path dir, int port) {
    return start(binary, config, dir, port, List.of());
  }

  /** With further command-line flags, e.g. {@code --enable-feature=exemplar-storage}. */
  static PrometheusServer start(Path binary, Path config, Path dir, int port, List<String> flags) {
    try {
      Path log = dir.resolve("prometheus.log");
      List<String> command = new java.util.ArrayList<>(List.of(binary.toString(), "--config.file=" + config,
          "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
          "--web.enable-lifecycle", "--log.level=warn"));
      command.addAll(flags);
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      LIVE.add(p);
      System.out.println("[it] started prometheus pid " + p.pid() + " on 127.0.0.1:" + port + ", config " + config);
      return new PrometheusServer(p, port, log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int port() {
    return port;
  }

  String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  void assertAlive() {
    if (!process.isAlive()) {
      throw new AssertionError("prometheus exited with " + process.exitValue() + "\n" + log());
    }
  }

  /** GET on the API; the parsed JSON of a 200 or 400/422 answer (errors are JSON too). */
  Map<String, Object> get(String pathAndQuery) {
    assertAlive();
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
        .timeout(Duration.ofSeconds(10)).GET().build();
    try {
      HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200 || r.body().startsWith("{")) {
        return Json.object(Json.parse(r.body()));
      }
      throw new AssertionError("GET " + pathAndQuery + " → " + r.statusCode() + " " + r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  boolean ready() {
    try {
      HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready"))
          .timeout(Duration.ofSeconds(2)).GET().build();
      return client.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** An instant query's answer: status, and data.result (or the error). */
  record Answer(String status, String error, String resultType, List<Object> result) {
    boolean ok() {
      return "success".equals(status);
    }

    boolean empty() {
      return result == null || result.isEmpty();
    }
  }

  Answer query(String promql) {
    Map<String, Object> r = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    String status = String.valueOf(r.get("status"));
    if (!"success".equals(status)) {
      return new Answer(status, r.get("errorType") + ": " + r.get("error"), null, null);
    }
    Map<String, Object> data = Json.object(r.get("data"));
    String type = String.valueOf(data.get("resultType"));
    List<Object> result = "vector".equals(type) || "matrix".equals(type)
        ? Json.array(data.get("result"))
        : List.of(data.get("result"));
    return new Answer(status, null, type, result);
  }

  /** Values of {@code label} over series matching {@code selector} (or all series when null). */
  List<Object> labelValues(String label, String selector) {
    String q = "/api/v1/label/" + label + "/values"
        + (selector == null ? "" : "?match[]=" + URLEncoder.encode(selector, StandardCharsets.UTF_8));
    Map<String, Object> r = get(q);
    if (!"success".equals(r.get("status"))) {
      throw new AssertionError("label values " + label + " of " + selector + ": " + r);
    }
    return Json.array(r.get("data"));
  }

  @Override
  public void close() {
    LIVE.remove(process);
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
