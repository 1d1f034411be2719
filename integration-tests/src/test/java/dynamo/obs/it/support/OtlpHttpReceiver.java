package dynamo.obs.it.support;

import com.google.protobuf.InvalidProtocolBufferException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * OTLP/HTTP receiver, binary protobuf encoding ({@code http/protobuf}), on the JDK's HttpServer:
 * POST {@code /v1/traces}, {@code /v1/logs} and {@code /v1/metrics} with an
 * {@code application/x-protobuf} body, plain or gzip, over TLS or not. Refusals are HTTP statuses, e.g.
 * {@code refuse(503)} or {@code refuse(429)}.
 */
public final class OtlpHttpReceiver extends OtlpReceiver<Integer> {
  private static final String PROTOBUF = "application/x-protobuf";
  private static final Map<String, Signal> SIGNAL_BY_PATH = Map.of("/v1/traces", Signal.TRACES, "/v1/logs", Signal.LOGS,
      "/v1/metrics", Signal.METRICS);

  private HttpServer server;
  private ExecutorService exchangeExecutor;

  @Override
  protected int bind(int port) throws IOException {
    HttpServer created;
    if (tls() == Tls.OFF) {
      created = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    } else {
      SSLContext context = TestCertificates.get().serverContext();
      boolean mutual = tls() == Tls.MUTUAL;
      HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", port), 0);
      https.setHttpsConfigurator(new HttpsConfigurator(context) {
        @Override
        public void configure(HttpsParameters params) {
          SSLParameters p = context.getDefaultSSLParameters();
          p.setNeedClientAuth(mutual);
          params.setSSLParameters(p);
        }
      });
      created = https;
    }
    created.createContext("/v1/", this::handle);
    // the default runs every exchange on the one dispatcher thread: a slow answer would hold up all others;
    // its own executor also lets stop() interrupt calls held by slow mode
    exchangeExecutor = Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, "otlp-http-receiver");
      thread.setDaemon(true);
      return thread;
    });
    created.setExecutor(exchangeExecutor);
    created.start();
    server = created;
    return created.getAddress().getPort();
  }

  @Override
  protected void unbind() {
    server.stop(0);
    exchangeExecutor.shutdownNow();
    try {
      exchangeExecutor.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  protected Integer unavailable() {
    return 503;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      Signal signal = SIGNAL_BY_PATH.get(exchange.getRequestURI().getPath());
      if (signal == null) {
        problem(exchange, 404, "no OTLP export at " + exchange.getRequestURI().getPath());
      } else if (!exchange.getRequestMethod().equals("POST")) {
        problem(exchange, 405, "OTLP exports are POSTed");
      } else if (!PROTOBUF.equals(mediaType(exchange.getRequestHeaders().getFirst("Content-Type")))) {
        problem(exchange, 415, "this receiver reads " + PROTOBUF + " only");
      } else {
        recordHeaders(signal, exchange.getRequestHeaders());
        Integer refusal = receive(signal, requestBody(exchange));
        if (refusal == null) {
          // an empty Export*ServiceResponse encodes to no bytes at all
          exchange.getResponseHeaders().set("Content-Type", PROTOBUF);
          exchange.sendResponseHeaders(200, -1);
        } else {
          problem(exchange, refusal, "refused by the test receiver");
        }
      }
    } catch (InvalidProtocolBufferException e) {
      problem(exchange, 400, "not a protobuf export request: " + e.getMessage());
    } finally {
      exchange.close();
    }
  }

  private Integer receive(Signal signal, byte[] body) throws InvalidProtocolBufferException {
    return switch (signal) {
      case TRACES -> receive(ExportTraceServiceRequest.parseFrom(body));
      case LOGS -> receive(ExportLogsServiceRequest.parseFrom(body));
      case METRICS -> receive(ExportMetricsServiceRequest.parseFrom(body));
    };
  }

  private static byte[] requestBody(HttpExchange exchange) throws IOException {
    boolean gzip = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"));
    try (InputStream in = gzip ? new GZIPInputStream(exchange.getRequestBody()) : exchange.getRequestBody()) {
      return in.readAllBytes();
    }
  }

  private static String mediaType(String contentType) {
    return contentType == null ? null : contentType.split(";", 2)[0].trim();
  }

  /** OTLP/HTTP: the body of an error answer is a google.rpc.Status with a message. */
  private static void problem(HttpExchange exchange, int status, String message) throws IOException {
    byte[] body = com.google.rpc.Status.newBuilder().setMessage(message).build().toByteArray();
    exchange.getResponseHeaders().set("Content-Type", PROTOBUF);
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
  }
}
