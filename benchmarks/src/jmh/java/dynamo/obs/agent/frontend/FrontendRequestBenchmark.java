package dynamo.obs.agent.frontend;

import dynamo.obs.agent.config.Config;
import dynamo.obs.agent.config.ConfigSource;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The frontend's per-request recording path outside the stream wrappers (benchmarks/jmh.sh): what
 * {@code JdkHttpExchanges} drives for one unary chat completion, split so that the cost of the
 * JSON scanning can be told from the cost of the recording.
 *
 * <p>In the agent's package so that it can build a {@link FrontendRequest} (package-private
 * constructor) and reach a model's series; the agent itself is not changed.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class FrontendRequestBenchmark {
  static final String MODEL = "Qwen/Qwen3-0.6B";
  static final byte[] REQUEST_BODY = utf8("{\"model\":\"Qwen/Qwen3-0.6B\",\"messages\":[{\"role\":\"user\","
      + "\"content\":\"Write one sentence about the sea.\"}],\"max_tokens\":16}");
  static final byte[] RESPONSE_BODY = utf8("{\"id\":\"chatcmpl-5b2f0c3e9d1a4e7f\",\"object\":\"chat.completion\","
      + "\"created\":1764403200,\"model\":\"Qwen/Qwen3-0.6B\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
      + "\"assistant\",\"content\":\"The sea is wide and calm tonight.\"},\"finish_reason\":\"stop\"}],"
      + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":8,\"total_tokens\":17}}");
  /** The runtime's onEnd removes the exchange from its map; here nothing, and not allocated per request. */
  private static final Consumer<FrontendRequest> ON_END = r -> {};

  static final JsonFieldScanner.Listener IGNORE = new JsonFieldScanner.Listener() {
    @Override
    public void onString(int field, String value, int length) {}

    @Override
    public void onNumber(int field, double value) {}

    @Override
    public void onBoolean(int field, boolean value) {}
  };

  private FrontendMetrics metrics;
  private FrontendMetrics.ModelSeries series;
  private JsonFieldScanner requestScanner;
  private JsonFieldScanner responseScanner;

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static FrontendMetrics newMetrics() {
    Config config = Config.read(new ConfigSource(Map.of(), new Properties()), List.of());
    return new FrontendMetrics(config, new PrometheusRegistry(), () -> {});
  }

  @Setup
  public void setup() {
    metrics = newMetrics();
    series = metrics.model(MODEL);
    // the series of this model and of "unknown", and their requests_total children, exist before measuring
    unaryRequest();
    recorderWithoutBodies();
    requestScanner = new JsonFieldScanner(FrontendRequest.REQUEST_FIELDS, IGNORE);
    responseScanner = new JsonFieldScanner(FrontendRequest.UNARY_RESPONSE_FIELDS, IGNORE);
  }

  /** Everything one unary request costs outside the stream wrappers: recorder, both scans, every metric. */
  @Benchmark
  public boolean unaryRequest() {
    FrontendRequest r = new FrontendRequest(metrics, 0, System.nanoTime(), ON_END, t -> {});
    r.requestBytes(REQUEST_BODY, 0, REQUEST_BODY.length);
    r.requestBodyDone();
    r.responseStarted(200, false);
    r.responseBytes(RESPONSE_BODY, 0, RESPONSE_BODY.length);
    r.completed();
    return r.ended();
  }

  /**
   * The recorder with no body bytes (so no scanning; the model is then "unknown"): object, response start,
   * end and its metrics. (An empty body read to its end is no JSON; it is answered 200 here, so it is counted.)
   */
  @Benchmark
  public boolean recorderWithoutBodies() {
    FrontendRequest r = new FrontendRequest(metrics, 0, System.nanoTime(), ON_END, t -> {});
    r.requestBodyDone();
    r.responseStarted(200, false);
    r.completed();
    return r.ended();
  }

  /**
   * The floor: the metric updates one unary request makes (three gauges up and down, started, the three
   * media counts, ttft and duration, ISL, OSL, output tokens, requests_total) on its already resolved series.
   */
  @Benchmark
  public FrontendMetrics.ModelSeries metricUpdatesOnly() {
    FrontendMetrics.ModelSeries s = series;
    s.inflight.inc();
    s.active.inc();
    s.queued.inc();
    s.queued.dec();
    s.started(0, false).inc();
    FrontendMetrics.Produced p = s.produced;
    p.images.observe(0);
    p.videos.observe(0);
    p.audio.observe(0);
    p.ttft.observe(0.0012);
    s.inflight.dec();
    s.active.dec();
    s.duration.observe(0.0015);
    p.isl.observe(9);
    p.outputTokens.inc(8);
    p.osl.observe(8);
    s.requests(0, false, Outcome.SUCCESS).inc();
    return s;
  }

  /** Finding a model's series from the model string of a request (done once per request by begin()). */
  @Benchmark
  public FrontendMetrics.ModelSeries modelLookup() {
    return metrics.model(MODEL);
  }

  /** The request body through a reused scanner (the recorder makes a new one per request). */
  @Benchmark
  public boolean scanRequestBody() {
    return scan(requestScanner, REQUEST_BODY);
  }

  /** A request whose prompt is 4 KiB of prose: what a long prompt costs the request scanner, per request. */
  static final byte[] LONG_REQUEST_BODY = utf8("{\"model\":\"Qwen/Qwen3-0.6B\",\"messages\":[{\"role\":\"user\","
      + "\"content\":\"" + "Summarise the following text, keeping every name and number in it. ".repeat(61)
      + "\"}],\"max_tokens\":16}");

  /** The long request body through a reused scanner. */
  @Benchmark
  public boolean scanLongRequestBody() {
    return scan(requestScanner, LONG_REQUEST_BODY);
  }

  /** The unary response body through a reused scanner. */
  @Benchmark
  public boolean scanResponseBody() {
    return scan(responseScanner, RESPONSE_BODY);
  }

  private static boolean scan(JsonFieldScanner s, byte[] body) {
    s.reset();
    s.feed(body, 0, body.length);
    s.finish();
    return s.failed();
  }
}
