package dynamo.obs.agent.export;

import dynamo.obs.agent.config.Config;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporterBuilder;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporterBuilder;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporterBuilder;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The OpenTelemetry SDK's OTLP exporters (gRPC or http/protobuf, over OkHttp) as one signal's
 * {@link Config.OtlpTarget} says: endpoint, headers, compression, timeout, trusted certificates and the
 * client certificate of mTLS. They do not retry: the export queue keeps and resends what a collector did
 * not take, for as long as its buffer holds it. Built on an export thread at the first batch, so OkHttp
 * costs the application's start nothing.
 */
final class OtlpExporters {
  /** Keeps the SDK's and OkHttp's own JUL loggers quiet (the agent reports export trouble itself, once). */
  private static Logger quietShaded;
  /** The threads of every exporter's HTTP calls (OkHttp's dispatcher), made at the first export. */
  private static ExecutorService threads;

  private OtlpExporters() {
  }

  static SpanExporter spans(Config.OtlpTarget t) {
    quiet();
    if (Config.GRPC.equals(t.protocol())) {
      OtlpGrpcSpanExporterBuilder b = OtlpGrpcSpanExporter.builder();
      configure(t, b::setEndpoint, b::setTimeout, b::setCompression, b::addHeader, b::setTrustedCertificates,
          b::setClientTls, b::setRetryPolicy, b::setExecutorService, b::setMeterProvider);
      return b.build();
    }
    OtlpHttpSpanExporterBuilder b = OtlpHttpSpanExporter.builder();
    configure(t, b::setEndpoint, b::setTimeout, b::setCompression, b::addHeader, b::setTrustedCertificates,
        b::setClientTls, b::setRetryPolicy, b::setExecutorService, b::setMeterProvider);
    return b.build();
  }

  static LogRecordExporter logs(Config.OtlpTarget t) {
    quiet();
    if (Config.GRPC.equals(t.protocol())) {
      OtlpGrpcLogRecordExporterBuilder b = OtlpGrpcLogRecordExporter.builder();
      configure(t, b::setEndpoint, b::setTimeout, b::setCompression, b::addHeader, b::setTrustedCertificates,
          b::setClientTls, b::setRetryPolicy, b::setExecutorService, b::setMeterProvider);
      return b.build();
    }
    OtlpHttpLogRecordExporterBuilder b = OtlpHttpLogRecordExporter.builder();
    configure(t, b::setEndpoint, b::setTimeout, b::setCompression, b::addHeader, b::setTrustedCertificates,
        b::setClientTls, b::setRetryPolicy, b::setExecutorService, b::setMeterProvider);
    return b.build();
  }

  /** The same settings on each of the SDK's four exporter builders (they share no interface). */
  private static void configure(Config.OtlpTarget t, Consumer<String> endpoint, Consumer<Duration> timeout,
      Consumer<String> compression, BiConsumer<String, String> header, Consumer<byte[]> trusted,
      BiConsumer<byte[], byte[]> clientTls, Consumer<RetryPolicy> retry, Consumer<ExecutorService> executor,
      Consumer<MeterProvider> meters) {
    endpoint.accept(t.endpoint());
    timeout.accept(Duration.ofMillis(t.timeoutMillis()));
    compression.accept(t.compression());
    for (Map.Entry<String, String> h : t.headers().entrySet()) {
      header.accept(h.getKey(), h.getValue());
    }
    if (t.certificate() != null) {
      trusted.accept(t.certificate().bytes());
    }
    if (t.mutualTls()) {
      clientTls.accept(t.clientKey().bytes(), t.clientCertificate().bytes());
    }
    retry.accept(null);
    executor.accept(threads());
    meters.accept(MeterProvider.noop());
  }

  private static synchronized ExecutorService threads() {
    if (threads == null) {
      AtomicInteger n = new AtomicInteger();
      threads = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
        Thread t = new Thread(r, "dynamo-obs-export-http-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
    }
    return threads;
  }

  private static synchronized void quiet() {
    if (quietShaded == null) {
      // the relocated packages' common prefix: the SDK's exporters and OkHttp log under it
      Logger l = Logger.getLogger("dynamo.obs.shaded");
      l.setLevel(Level.OFF);
      quietShaded = l;
    }
  }
}
