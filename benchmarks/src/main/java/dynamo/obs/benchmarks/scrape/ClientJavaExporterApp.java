package dynamo.obs.benchmarks.scrape;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import java.io.IOException;

/**
 * The usual way a Java service exposes Prometheus metrics: Prometheus client_java's
 * {@link HTTPServer} (the JDK HttpServer inside) with the JVM metrics and a request counter and
 * histogram. {@code benchmarks/scrape.sh} compares the latency of scraping its {@code /metrics}
 * with the agent's system status server.
 *
 * <p>Usage: {@code ClientJavaExporterApp <port>} (binds 127.0.0.1; runs until killed).
 */
public final class ClientJavaExporterApp {
  private ClientJavaExporterApp() {
  }

  public static void main(String[] args) throws IOException, InterruptedException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9400;
    JvmMetrics.builder().register();
    Counter requests = Counter.builder().name("bench_requests_total").help("Requests served")
        .labelNames("model", "status").register();
    Histogram duration = Histogram.builder().name("bench_request_duration_seconds").help("Request duration")
        .labelNames("model").register();
    for (int i = 0; i < 10; i++) {
      requests.labelValues("bench", "success").inc();
      duration.labelValues("bench").observe(0.001 * i);
    }
    HTTPServer.builder().hostname("127.0.0.1").port(port).buildAndStart();
    Thread.currentThread().join(); // the exporter's threads are daemons: keep the JVM up until killed
  }
}
