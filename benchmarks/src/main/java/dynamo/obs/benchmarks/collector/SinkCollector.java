package dynamo.obs.benchmarks.collector;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OTLP gRPC receiver standing in for the collector in the export benchmarks: it counts the spans
 * and log records it takes and keeps nothing. {@code --delay-ms=N} answers every export N ms late
 * (a slow collector). Writes {@code spans=<n> logs=<n> exports=<n>} to {@code --counts=<file>}
 * every 200 ms, so a script can read what arrived.
 *
 *   java -cp dynamo-obs-benchmarks.jar:lib/* dynamo.obs.benchmarks.collector.SinkCollector --port=4317 [--delay-ms=5000] [--counts=file]
 */
public final class SinkCollector {
  private static final AtomicLong SPANS = new AtomicLong();
  private static final AtomicLong LOGS = new AtomicLong();
  private static final AtomicLong EXPORTS = new AtomicLong();

  private SinkCollector() {
  }

  public static void main(String[] args) throws Exception {
    int port = 4317;
    long delayMs = 0;
    Path counts = null;
    for (String a : args) {
      if (a.startsWith("--port=")) {
        port = Integer.parseInt(a.substring(7));
      } else if (a.startsWith("--delay-ms=")) {
        delayMs = Long.parseLong(a.substring(11));
      } else if (a.startsWith("--counts=")) {
        counts = Path.of(a.substring(9));
      } else {
        throw new IllegalArgumentException("unknown argument " + a);
      }
    }
    long delay = delayMs;
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
        .executor(Executors.newCachedThreadPool())
        .maxInboundMessageSize(16 * 1024 * 1024)
        .addService(new TraceServiceGrpc.TraceServiceImplBase() {
          @Override
          public void export(ExportTraceServiceRequest req, StreamObserver<ExportTraceServiceResponse> out) {
            long n = 0;
            for (ResourceSpans r : req.getResourceSpansList()) {
              for (ScopeSpans s : r.getScopeSpansList()) {
                n += s.getSpansCount();
              }
            }
            answer(delay, () -> out.onNext(ExportTraceServiceResponse.getDefaultInstance()), out::onCompleted);
            SPANS.addAndGet(n);
            EXPORTS.incrementAndGet();
          }
        })
        .addService(new LogsServiceGrpc.LogsServiceImplBase() {
          @Override
          public void export(ExportLogsServiceRequest req, StreamObserver<ExportLogsServiceResponse> out) {
            long n = 0;
            for (ResourceLogs r : req.getResourceLogsList()) {
              for (ScopeLogs s : r.getScopeLogsList()) {
                n += s.getLogRecordsCount();
              }
            }
            answer(delay, () -> out.onNext(ExportLogsServiceResponse.getDefaultInstance()), out::onCompleted);
            LOGS.addAndGet(n);
            EXPORTS.incrementAndGet();
          }
        })
        .build().start();
    System.out.println("COLLECTOR " + server.getPort());
    while (true) {
      if (counts != null) {
        Path tmp = counts.resolveSibling(counts.getFileName() + ".tmp");
        Files.writeString(tmp, "spans=" + SPANS.get() + " logs=" + LOGS.get() + " exports=" + EXPORTS.get() + "\n");
        Files.move(tmp, counts, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
      Thread.sleep(200);
    }
  }

  private static void answer(long delayMs, Runnable next, Runnable completed) {
    if (delayMs > 0) {
      try {
        Thread.sleep(delayMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    next.run();
    completed.run();
  }
}
