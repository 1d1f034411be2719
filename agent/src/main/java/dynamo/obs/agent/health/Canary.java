package dynamo.obs.agent.health;

import dynamo.obs.agent.config.Config;
import dynamo.obs.agent.config.Config.HealthStatus;
import dynamo.obs.agent.console.AgentLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Canary health checks ({@code DYN_HEALTH_CHECK_ENABLED}, SPEC §2, Dynamo's {@code health_check.rs}): an inference
 * endpoint served at a known local address is a canary target, {@code notready} until a canary answers. When it has
 * been idle for {@code DYN_CANARY_WAIT_TIME} — no request of its own ended — the canary sends it a real request
 * ({@code DYN_HEALTH_CHECK_PAYLOAD}, or a one-token request for the model last served there) over loopback; a
 * response head within {@code DYN_HEALTH_CHECK_REQUEST_TIMEOUT} that is no server error makes it {@code ready},
 * anything else {@code notready}. Its request carries {@link #HEADER}, so it is not counted as traffic. Everything
 * runs on one daemon thread.
 */
public final class Canary {
  /** Marks the canary's own requests: the agent does not count them. */
  public static final String HEADER = "x-dynamo-obs-canary";
  private static final AgentLog LOG = AgentLog.forTarget("dynamo_obs.canary");

  private final HealthState health;
  private final long waitNanos;
  private final int timeoutMillis;
  private final String payload;
  private final String model;
  private final Map<String, Target> targets = new ConcurrentHashMap<>();
  private volatile ScheduledExecutorService thread;

  private static final class Target {
    final String endpoint;
    final URI uri;
    volatile long lastActivity = System.nanoTime();
    volatile String lastModel;

    Target(String endpoint, URI uri) {
      this.endpoint = endpoint;
      this.uri = uri;
    }
  }

  public Canary(Config config, HealthState health) {
    this.health = health;
    this.waitNanos = TimeUnit.SECONDS.toNanos(config.canaryWaitSeconds);
    this.timeoutMillis = config.healthCheckTimeoutSeconds * 1000;
    this.payload = config.healthCheckPayload;
    this.model = config.model;
  }

  /**
   * The inference endpoint {@code endpoint} is served at {@code uri} (an {@code http} URI this process can reach):
   * it becomes a canary target. Called before the endpoint is reported served, so that the canary decides.
   */
  public void target(String endpoint, URI uri) {
    if (targets.putIfAbsent(endpoint, new Target(endpoint, uri)) != null) {
      return;
    }
    health.registerCanaryTarget(endpoint);
    if (thread == null) {
      synchronized (this) {
        if (thread == null) {
          ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dynamo-obs-canary");
            t.setDaemon(true);
            return t;
          });
          s.scheduleWithFixedDelay(this::checkIdle, 1, 1, TimeUnit.SECONDS);
          thread = s;
          LOG.info("health check manager started (canary_wait_time: " + waitNanos / 1_000_000_000L
              + "s, request_timeout: " + timeoutMillis / 1000 + "s)");
        }
      }
    }
    LOG.info("health check task started for: " + endpoint + " (" + uri + ")");
  }

  /** A request of {@code endpoint} ended (any outcome): its idle time starts again; {@code model} is what it asked. */
  public void requestEnded(String endpoint, String model) {
    Target t = targets.get(endpoint);
    if (t != null) {
      t.lastActivity = System.nanoTime();
      if (model != null && !model.equals("unknown")) {
        t.lastModel = model;
      }
    }
  }

  private void checkIdle() {
    long now = System.nanoTime();
    for (Target t : targets.values()) {
      if (now - t.lastActivity >= waitNanos) {
        LOG.debug("canary timer expired for " + t.endpoint + ", sending health check");
        boolean ok = send(t);
        health.setEndpoint(t.endpoint, ok ? HealthStatus.READY : HealthStatus.NOTREADY);
        t.lastActivity = System.nanoTime();
      }
    }
  }

  /** One canary request: true when a response head that is no server error arrives in time. */
  boolean send(Target t) {
    byte[] body = body(t).getBytes(StandardCharsets.UTF_8);
    int port = t.uri.getPort() < 0 ? 80 : t.uri.getPort();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(t.uri.getHost(), port), timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
      socket.setTcpNoDelay(true);
      String head = "POST " + t.uri.getRawPath() + " HTTP/1.1\r\nHost: " + t.uri.getHost() + ":" + port
          + "\r\nContent-Type: application/json\r\nAccept: */*\r\nContent-Length: " + body.length + "\r\n" + HEADER
          + ": 1\r\nConnection: close\r\n\r\n";
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      int status = status(socket.getInputStream());
      if (status >= 200 && status < 500) {
        LOG.debug("health check successful for " + t.endpoint + " (HTTP " + status + ")");
        drain(socket.getInputStream());
        return true;
      }
      LOG.warn("health check failed for " + t.endpoint + ": HTTP " + status);
    } catch (IOException e) {
      LOG.warn("health check timeout or failure for " + t.endpoint + " (" + t.uri + "): " + e);
    }
    return false;
  }

  private String body(Target t) {
    if (payload != null) {
      return payload;
    }
    String m = model != null ? model : t.lastModel != null ? t.lastModel : "dynamo-obs-canary";
    String q = "\"" + m.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    return switch (t.endpoint) {
      case "completions" -> "{\"model\":" + q + ",\"prompt\":\"ping\",\"max_tokens\":1}";
      case "embeddings" -> "{\"model\":" + q + ",\"input\":\"ping\"}";
      case "responses" -> "{\"model\":" + q + ",\"input\":\"ping\",\"max_output_tokens\":1}";
      default -> "{\"model\":" + q + ",\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}],\"max_tokens\":1}";
    };
  }

  /** The status code of the response's first line; an IOException when none comes in time. */
  private static int status(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder(32);
    for (int c; (c = in.read()) >= 0 && c != '\n' && line.length() < 256;) {
      line.append((char) c);
    }
    String s = line.toString();
    if (!s.startsWith("HTTP/") || s.indexOf(' ') < 0) {
      throw new IOException("not an HTTP response: " + s.strip());
    }
    String rest = s.substring(s.indexOf(' ') + 1).strip();
    try {
      return Integer.parseInt(rest.length() >= 3 ? rest.substring(0, 3) : rest);
    } catch (NumberFormatException e) {
      throw new IOException("no status code: " + s.strip());
    }
  }

  /** Reads the rest of the answer (bounded), so the application finishes writing it as it would for any client. */
  private static void drain(InputStream in) {
    byte[] buf = new byte[4096];
    long left = 1 << 20;
    try {
      for (int n; left > 0 && (n = in.read(buf)) > 0;) {
        left -= n;
      }
    } catch (IOException ignored) {
      // the answer's end does not matter to the verdict
    }
  }
}
