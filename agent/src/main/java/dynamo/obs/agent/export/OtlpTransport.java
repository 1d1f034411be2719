package dynamo.obs.agent.export;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Dispatcher;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * One OTLP endpoint over OkHttp: gRPC (HTTP/2; prior knowledge on {@code http://}, ALPN on
 * {@code https://}; the unary call's status read from the trailers) or OTLP/HTTP with protobuf
 * bodies. Sends asynchronously and reports each answer once: null when the collector took the
 * message, a {@link BatchExporter.Rejected} when it refused the message itself (gRPC
 * {@code INVALID_ARGUMENT} or a message larger than it takes; HTTP 400 or 413), else why not.
 * Retrying is the export queue's business, not this one's.
 */
final class OtlpTransport {
  static final String TRACES_GRPC_PATH = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
  static final String LOGS_GRPC_PATH = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final MediaType GRPC = MediaType.get("application/grpc");
  private static final MediaType PROTOBUF = MediaType.get("application/x-protobuf");
  private static final String[] GRPC_CODES = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
      "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
      "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE",
      "DATA_LOSS", "UNAUTHENTICATED"};
  private static final String INVALID_ARGUMENT = "3";
  private static final String RESOURCE_EXHAUSTED = "8";
  /** The threads and connections shared by every endpoint of the process (made at the first export). */
  private static OkHttpClient shared;

  private final OkHttpClient client;
  private final String url;
  private final boolean grpc;
  private final Map<String, String> headers;

  /**
   * @param endpoint for gRPC the collector's address (its path is replaced by the service's), for
   *     OTLP/HTTP the whole URL
   */
  OtlpTransport(String endpoint, boolean grpc, String grpcPath, Map<String, String> headers) {
    this.grpc = grpc;
    this.url = grpc ? URI.create(endpoint).resolve(grpcPath).toString() : endpoint;
    this.headers = headers;
    OkHttpClient base = shared();
    if (grpc) {
      this.client = base.newBuilder().protocols(url.startsWith("https:")
          ? List.of(Protocol.HTTP_2, Protocol.HTTP_1_1) : List.of(Protocol.H2_PRIOR_KNOWLEDGE)).build();
    } else {
      this.client = base;
    }
  }

  private static synchronized OkHttpClient shared() {
    if (shared == null) {
      AtomicInteger n = new AtomicInteger();
      ThreadPoolExecutor threads = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
          new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "dynamo-obs-export-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
      Dispatcher dispatcher = new Dispatcher(threads);
      dispatcher.setMaxRequestsPerHost(16);
      shared = new OkHttpClient.Builder().dispatcher(dispatcher).callTimeout(TIMEOUT)
          .connectTimeout(TIMEOUT).build();
    }
    return shared;
  }

  /**
   * Sends {@code message}: the bytes after {@link OtlpEncoder#PREFIX} are the protobuf message, the
   * first ones its gRPC frame header (filled in by the encoder). {@code done} gets one answer.
   */
  void send(Message message, Consumer<Throwable> done) {
    RequestBody body = new MessageBody(message, grpc ? GRPC : PROTOBUF, grpc ? 0 : OtlpEncoder.PREFIX);
    Request.Builder request = new Request.Builder().url(url).header("User-Agent", "dynamo-obs");
    if (grpc) {
      request.header("te", "trailers");
    }
    for (Map.Entry<String, String> h : headers.entrySet()) {
      request.header(h.getKey(), h.getValue());
    }
    client.newCall(request.post(body).build()).enqueue(new Callback() {
      @Override
      public void onFailure(Call call, IOException e) {
        done.accept(e);
      }

      @Override
      public void onResponse(Call call, Response response) {
        Throwable failure;
        try (Response r = response) {
          failure = grpc ? grpcFailure(r) : httpFailure(r);
        } catch (Throwable t) {
          failure = t;
        }
        done.accept(failure);
      }
    });
  }

  /** A message written straight from its pieces (OkHttp may write it more than once: a retried connection). */
  private static final class MessageBody extends RequestBody {
    private final Message message;
    private final MediaType type;
    private final int skip;

    MessageBody(Message message, MediaType type, int skip) {
      this.message = message;
      this.type = type;
      this.skip = skip;
    }

    @Override
    public MediaType contentType() {
      return type;
    }

    @Override
    public long contentLength() {
      return message.length() - skip;
    }

    @Override
    public void writeTo(okio.BufferedSink sink) throws IOException {
      message.writeTo(sink::write, skip);
    }
  }

  /** Null when the unary call succeeded; the status, from the headers (trailers-only) or the trailers. */
  private static Throwable grpcFailure(Response r) throws IOException {
    String status = r.header("grpc-status");
    String message = r.header("grpc-message");
    r.body().bytes(); // the answer (an ExportServiceResponse) is read to reach the trailers
    if (status == null) {
      status = r.trailers().get("grpc-status");
      message = r.trailers().get("grpc-message");
    }
    message = message == null ? null : decode(message);
    if (r.code() == 200 && "0".equals(status)) {
      return null;
    }
    if (status == null) {
      return new IOException("HTTP " + r.code() + " without a gRPC status (not a gRPC endpoint?)");
    }
    String why = "gRPC status " + codeName(status) + (message == null ? "" : ": " + message);
    // the request itself is refused: malformed, or larger than the collector takes (its default is 4 MiB)
    String code = status.trim();
    boolean rejected = code.equals(INVALID_ARGUMENT)
        || (code.equals(RESOURCE_EXHAUSTED) && message != null && message.contains("larger than max"));
    return rejected ? new BatchExporter.Rejected(why) : new IOException(why);
  }

  private static Throwable httpFailure(Response r) throws IOException {
    if (r.isSuccessful()) {
      r.body().bytes();
      return null;
    }
    String why = "HTTP " + r.code();
    return r.code() == 400 || r.code() == 413 ? new BatchExporter.Rejected(why) : new IOException(why);
  }

  private static String codeName(String status) {
    try {
      int c = Integer.parseInt(status.trim());
      return c >= 0 && c < GRPC_CODES.length ? GRPC_CODES[c] : status;
    } catch (NumberFormatException e) {
      return status;
    }
  }

  /** {@code grpc-message} is percent-encoded. */
  private static String decode(String message) {
    try {
      return java.net.URLDecoder.decode(message.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return message;
    }
  }
}
