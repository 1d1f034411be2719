package dynamo.obs.agent.export;

import dynamo.obs.agent.config.Config;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code doctor}'s check of an OTLP endpoint (SPEC §8): a real export of an empty request with the
 * exporter the agent would use (protocol, headers, compression, TLS and mTLS as configured), so "ok"
 * means the collector speaks that protocol and takes the agent's credentials, not merely that a port is
 * open. A gRPC endpoint that fails is asked once more over HTTP/1.1: an answer there is the most common
 * mistake (the OTLP/HTTP port), and the advice says so.
 */
public final class OtlpProbe {
  private OtlpProbe() {
  }

  /** One line: what the traces (or logs) endpoint of {@code config} answered. */
  public static String check(Config config, boolean logs) {
    Config.OtlpTarget target = logs ? config.logs : config.traces;
    Throwable failure;
    try {
      CompletableResultCode result;
      if (logs) {
        LogRecordExporter exporter = OtlpExporters.logs(target);
        result = exporter.export(List.of()).join(target.timeoutMillis() + 1_000L, TimeUnit.MILLISECONDS);
        exporter.shutdown();
      } else {
        ExporterBatches.Exporter<?> exporter = OtlpPipeline.spanExporter(config);
        result = exporter.export(List.of()).join(target.timeoutMillis() + 1_000L, TimeUnit.MILLISECONDS);
        exporter.shutdown();
      }
      failure = result.isDone()
          ? ExporterBatches.failure(result)
          : new TimeoutException("no answer within " + target.timeoutMillis() + " ms");
    } catch (Throwable t) {
      return "[export could not start: " + t + "]";
    }
    boolean grpc = Config.GRPC.equals(target.protocol());
    if (failure == null) {
      return grpc
          ? "[gRPC handshake ok: the collector accepted an export]"
          : "[OTLP/HTTP ok: the collector accepted an export]";
    }
    String why = String.valueOf(failure.getMessage());
    if (grpc) {
      Integer http = http1Status(target.endpoint() + (logs ? "/v1/logs" : "/v1/traces"));
      if (http != null) {
        return "[not gRPC: this endpoint answers plain HTTP (status " + http + ") — it is an OTLP/HTTP port;"
            + " point it at the collector's gRPC port (usually 4317) or set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf]";
      }
    }
    boolean answered = failure instanceof BatchExporter.Rejected || why.startsWith("gRPC status")
        || why.startsWith("HTTP ");
    return answered ? "[refused: " + why + "]" : "[no answer: " + why + "]";
  }

  /** The status an HTTP/1.1 POST of an empty OTLP body gets, or null when nothing answers HTTP. */
  private static Integer http1Status(String url) {
    try {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(3)).build();
      HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3))
          .header("Content-Type", "application/x-protobuf").POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.discarding());
      return r.statusCode();
    } catch (Exception e) {
      return null;
    }
  }
}
