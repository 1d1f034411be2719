package dynamo.obs.it.support;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * OTLP/gRPC receiver (grpc-java on Netty) for the trace, logs and metrics services, plain or gzip, over
 * TLS or not. Refusals are gRPC status codes, e.g. {@code refuse(Status.Code.UNAVAILABLE)} or
 * {@code RESOURCE_EXHAUSTED}.
 */
public final class OtlpGrpcReceiver extends OtlpReceiver<Status.Code> {
  private Server server;
  private ExecutorService callExecutor;

  @Override
  protected int bind(int port) throws IOException {
    // its own executor, so that stop() can interrupt calls held by slow mode
    ExecutorService executor = Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, "otlp-grpc-receiver");
      thread.setDaemon(true);
      return thread;
    });
    try {
      NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port));
      if (tls() != Tls.OFF) {
        TestCertificates certificates = TestCertificates.get();
        builder.sslContext(GrpcSslContexts.forServer(certificates.serverCertificatePem().toFile(),
            certificates.serverKeyPem().toFile())
            .trustManager(certificates.caPem().toFile())
            .clientAuth(tls() == Tls.MUTUAL ? ClientAuth.REQUIRE : ClientAuth.NONE)
            .build());
      }
      server = builder
          .executor(executor)
          .intercept(new HeaderRecorder())
          .addService(new TraceService())
          .addService(new LogsService())
          .addService(new MetricsService())
          .build()
          .start();
    } catch (IOException | RuntimeException e) {
      executor.shutdownNow();
      throw e;
    }
    callExecutor = executor;
    return server.getPort();
  }

  @Override
  protected void unbind() {
    // the server first: while it closes its calls it still hands tasks to the executor
    server.shutdownNow();
    try {
      server.awaitTermination(10, TimeUnit.SECONDS);
      callExecutor.shutdownNow();
      callExecutor.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  protected Status.Code unavailable() {
    return Status.Code.UNAVAILABLE;
  }

  private static <T> void answer(StreamObserver<T> response, Status.Code refusal, T accepted) {
    if (refusal == null) {
      response.onNext(accepted);
      response.onCompleted();
    } else {
      response.onError(Status.fromCode(refusal).withDescription("refused by the test receiver").asRuntimeException());
    }
  }

  private final class TraceService extends TraceServiceGrpc.TraceServiceImplBase {
    @Override
    public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> response) {
      answer(response, receive(request), ExportTraceServiceResponse.getDefaultInstance());
    }
  }

  private final class LogsService extends LogsServiceGrpc.LogsServiceImplBase {
    @Override
    public void export(ExportLogsServiceRequest request, StreamObserver<ExportLogsServiceResponse> response) {
      answer(response, receive(request), ExportLogsServiceResponse.getDefaultInstance());
    }
  }

  private final class MetricsService extends MetricsServiceGrpc.MetricsServiceImplBase {
    @Override
    public void export(ExportMetricsServiceRequest request, StreamObserver<ExportMetricsServiceResponse> response) {
      answer(response, receive(request), ExportMetricsServiceResponse.getDefaultInstance());
    }
  }

  /** Hands the text headers of each export call to {@link #recordHeaders} (binary "-bin" ones are left out). */
  private final class HeaderRecorder implements ServerInterceptor {
    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
        ServerCallHandler<Q, A> next) {
      Map<String, List<String>> text = new LinkedHashMap<>();
      for (String name : headers.keys()) {
        if (!name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
          List<String> values = new ArrayList<>();
          headers.getAll(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER)).forEach(values::add);
          text.put(name, values);
        }
      }
      String method = call.getMethodDescriptor().getFullMethodName();
      recordHeaders(method.contains(".trace.")
          ? Signal.TRACES
          : method.contains(".logs.")
              ? Signal.LOGS
              : method.contains(".metrics.") ? Signal.METRICS : null,
          text);
      return next.startCall(call, headers);
    }
  }
}
