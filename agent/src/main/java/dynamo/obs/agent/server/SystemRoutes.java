package dynamo.obs.agent.server;

import dynamo.obs.agent.health.HealthState;
import dynamo.obs.agent.metrics.AgentMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Function;
import java.util.zip.GZIPOutputStream;

/** The system status server's routes (SPEC §3): health, live, metrics, and Dynamo's 404. */
public final class SystemRoutes implements Function<HttpRequest, HttpResponse> {
  private final String healthPath;
  private final String livePath;
  private final HealthState health;
  private final AgentMetrics metrics;

  public SystemRoutes(String healthPath, String livePath, HealthState health, AgentMetrics metrics) {
    this.healthPath = healthPath;
    this.livePath = livePath;
    this.health = health;
    this.metrics = metrics;
  }

  @Override
  public HttpResponse apply(HttpRequest req) {
    String path = req.path();
    boolean health = path.equals(healthPath) || path.equals(livePath);
    boolean scrape = path.equals("/metrics");
    if (!health && !scrape) {
      return HttpResponse.text(404, "Route not found");
    }
    if (!req.method().equals("GET") && !req.method().equals("HEAD")) {
      return HttpResponse.text(405, "Method not allowed");
    }
    if (health) {
      boolean healthy = this.health.healthy();
      return HttpResponse.text(healthy ? 200 : 503, this.health.json(healthy, System.nanoTime()));
    }
    boolean openMetrics = req.headerHas("accept", "application/openmetrics-text");
    byte[] body;
    try {
      body = metrics.scrape(openMetrics);
    } catch (IOException e) {
      return HttpResponse.text(500, "Failed to get metrics");
    }
    String type = AgentMetrics.contentType(openMetrics);
    if (req.headerHas("accept-encoding", "gzip")) {
      return new HttpResponse(200, type, gzip(body), "gzip");
    }
    return new HttpResponse(200, type, body, null);
  }

  private static byte[] gzip(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 + 64);
    try (GZIPOutputStream gz = new GZIPOutputStream(out, 8192)) {
      gz.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
