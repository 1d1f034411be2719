package dynamo.obs.it.support;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.GZIPInputStream;

/** Small HTTP/1.1 client helpers over {@link HttpClient} (loopback only). */
public final class Http {
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private Http() {
  }

  public static URI uri(int port, String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  public static HttpResponse<String> get(int port, String path, String... headers) {
    return send(request(port, path, headers).GET().build());
  }

  public static HttpResponse<byte[]> getBytes(int port, String path, String... headers) {
    try {
      return CLIENT.send(request(port, path, headers).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static HttpResponse<String> post(int port, String path, String body) {
    return send(request(port, path).POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  /** A POST with headers given as name, value, name, value … */
  public static HttpResponse<String> post(int port, String path, String body, String... headers) {
    return send(request(port, path, headers).POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  public static HttpResponse<String> send(HttpRequest req) {
    try {
      return CLIENT.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(req.method() + " " + req.uri() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static HttpRequest.Builder request(int port, String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(port, path)).timeout(Duration.ofSeconds(10));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b;
  }

  public static String gunzip(byte[] body) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The response as text for failure messages. */
  public static String describe(HttpResponse<?> r) {
    Object body = r.body();
    String b = body instanceof byte[] ? ((byte[]) body).length + " bytes" : String.valueOf(body);
    return r.statusCode() + " " + r.headers().map() + " " + b;
  }
}
