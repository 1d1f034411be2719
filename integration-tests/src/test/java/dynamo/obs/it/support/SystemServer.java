package dynamo.obs.it.support;

import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The agent's system status server of one application process, seen from a test. */
public final class SystemServer {
  /** Dynamo's health body: compact, keys sorted (reference §2.1). */
  public static final Pattern HEALTH_BODY = Pattern.compile(
      "\\{\"endpoints\":\\{(.*)\\},\"status\":\"(ready|notready)\",\"uptime\":\\{\"nanos\":(\\d+),\"secs\":(\\d+)\\}\\}");

  /** The start line's "system status server on host:port". */
  public static final Pattern START_LINE = Pattern.compile("system status server on (\\S+):(\\d+) ");

  /** The exact body for these endpoints (JSON text between the braces) and status, any uptime. */
  public static Pattern healthBody(String endpoints, String status) {
    return Pattern.compile(Pattern.quote("{\"endpoints\":{" + endpoints + "},\"status\":\"" + status + "\",")
        + "\"uptime\":\\{\"nanos\":\\d+,\"secs\":\\d+\\}\\}");
  }

  private final AgentProcess app;
  private final int port;

  public SystemServer(AgentProcess app, int port) {
    this.app = app;
    this.port = port;
  }

  public int port() {
    return port;
  }

  /** A parsed health body. */
  public record Health(int status, String contentType, String body, String endpoints, String state, long nanos,
      long secs) {
    public long uptimeNanos() {
      return secs * 1_000_000_000L + nanos;
    }

    /** The body without the uptime, for comparing two answers. */
    public String withoutUptime() {
      return body.replaceAll("\"uptime\":\\{[^}]*\\}", "\"uptime\":{}");
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  public static Health parseHealth(HttpResponse<String> r) {
    Matcher m = HEALTH_BODY.matcher(r.body());
    if (!m.matches()) {
      throw new AssertionError("not a Dynamo health body: " + Http.describe(r));
    }
    return new Health(r.statusCode(), r.headers().firstValue("content-type").orElse(null), r.body(), m.group(1),
        m.group(2), Long.parseLong(m.group(3)), Long.parseLong(m.group(4)));
  }

  public Health health(String path) {
    return parseHealth(Http.get(port, path));
  }

  public Health health() {
    return health("/health");
  }

  public String metrics() {
    HttpResponse<String> r = Http.get(port, "/metrics");
    if (r.statusCode() != 200) {
      throw new AssertionError("/metrics: " + Http.describe(r));
    }
    return r.body();
  }

  /** Waits until the server answers at all. */
  public void awaitUp() {
    Poll.until("the system status server on port " + port + " to answer", () -> Http.get(port, "/metrics").statusCode(),
        s -> s == 200, app);
  }

  /** Waits until the agent reports its instrumentation installed ({@code dynamo_obs_instrumentation_active 1}). */
  public String awaitInstrumentationActive() {
    return Poll.until("dynamo_obs_instrumentation_active 1 on port " + port, this::metrics,
        text -> Pattern.compile("(?m)^dynamo_obs_instrumentation_active 1(\\.0)?$").matcher(text).find(), app);
  }

  /** Waits until {@code path} answers with this HTTP status and a body matching {@code body}. */
  public Health awaitHealth(String path, int status, Pattern body) {
    return Poll.until(path + " → " + status + " " + body, () -> health(path),
        h -> h.status() == status && body.matcher(h.body()).matches(), app);
  }
}
