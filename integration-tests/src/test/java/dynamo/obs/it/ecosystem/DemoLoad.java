package dynamo.obs.it.ecosystem;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounded OpenAI traffic against the demo frontend, from a few threads of the test JVM, in a fixed
 * rotation that reaches every outcome the dashboards break down: streamed and unary chat and
 * completions (with and without usage), chat with image, video and audio parts, embeddings, a
 * validation error, the deprecated {@code functions} (501), an unknown model, a body cut short (not counted,
 * as upstream), and a client that hangs up mid-stream (cancelled; the worker sees its stream cut). Every
 * model gets every kind.
 */
final class DemoLoad implements AutoCloseable {
  enum Kind {
    CHAT_STREAM, CHAT_STREAM_USAGE, CHAT_UNARY, CHAT_MEDIA, COMPLETIONS_STREAM, COMPLETIONS_UNARY, EMBEDDINGS, VALIDATION, NOT_IMPLEMENTED, UNKNOWN_MODEL, CUT_SHORT, CANCELLED
  }

  private static final Kind[] ROTATION = {Kind.CHAT_STREAM, Kind.CHAT_STREAM_USAGE, Kind.CHAT_UNARY,
      Kind.COMPLETIONS_STREAM, Kind.COMPLETIONS_UNARY, Kind.CHAT_STREAM, Kind.VALIDATION, Kind.UNKNOWN_MODEL,
      Kind.CANCELLED, Kind.CHAT_STREAM, Kind.CHAT_MEDIA, Kind.EMBEDDINGS, Kind.CUT_SHORT, Kind.NOT_IMPLEMENTED,
      Kind.CHAT_UNARY};

  private final int port;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final AtomicLong counter = new AtomicLong();
  private final Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
  private final List<Thread> threads = new ArrayList<>();
  private final long deadline;
  private volatile boolean stopped;

  DemoLoad(int port, int threads, Duration maxDuration) {
    this.port = port;
    this.deadline = System.nanoTime() + maxDuration.toNanos();
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(this::run, "demo-load-" + i);
      t.setDaemon(true);
      this.threads.add(t);
    }
  }

  DemoLoad start() {
    threads.forEach(Thread::start);
    return this;
  }

  private void run() {
    while (!stopped && System.nanoTime() < deadline) {
      long i = counter.getAndIncrement();
      String model = DemoDeployment.MODELS.get((int) (i % DemoDeployment.MODELS.size()));
      Kind kind = ROTATION[(int) ((i / DemoDeployment.MODELS.size()) % ROTATION.length)];
      String outcome;
      try {
        outcome = send(kind, model, i);
      } catch (IOException | RuntimeException e) {
        outcome = kind + " failed: " + e.getClass().getSimpleName();
      } catch (InterruptedException e) {
        return;
      }
      outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
    }
  }

  private String send(Kind kind, String model, long i) throws IOException, InterruptedException {
    String prompt = "\"request " + i + ": tell me about observability of Java services\"";
    String chat = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":" + prompt + "}]";
    String completion = "{\"model\":\"" + model + "\",\"prompt\":" + prompt;
    switch (kind) {
      case CHAT_STREAM :
        return post("/v1/chat/completions", chat + ",\"max_tokens\":8,\"stream\":true}", kind);
      case CHAT_STREAM_USAGE :
        return post("/v1/chat/completions",
            chat + ",\"max_tokens\":8,\"stream\":true,\"stream_options\":{\"include_usage\":true}}", kind);
      case CHAT_UNARY :
        return post("/v1/chat/completions", chat + ",\"max_tokens\":8}", kind);
      case COMPLETIONS_STREAM :
        return post("/v1/completions", completion + ",\"max_tokens\":8,\"stream\":true}", kind);
      case COMPLETIONS_UNARY :
        return post("/v1/completions", completion + ",\"max_tokens\":8}", kind);
      case CHAT_MEDIA :
        return post("/v1/chat/completions", "{\"model\":\"" + model + "\",\"stream\":true,\"max_tokens\":8,"
            + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":" + prompt + "},"
            + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/a.png\"}},"
            + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/b.png\"}},"
            + "{\"type\":\"video_url\",\"video_url\":{\"url\":\"https://example.com/c.mp4\"}},"
            + "{\"type\":\"audio_url\",\"audio_url\":{\"url\":\"https://example.com/d.wav\"}}]}]}", kind);
      case EMBEDDINGS :
        return post("/v1/embeddings", "{\"model\":\"" + model + "\",\"input\":[" + prompt + "," + prompt + "]}", kind);
      case CUT_SHORT :
        return post("/v1/chat/completions", chat.substring(0, chat.length() - 3), kind);
      case VALIDATION :
        return post("/v1/chat/completions", chat + ",\"max_tokens\":0}", kind);
      case NOT_IMPLEMENTED :
        return post("/v1/chat/completions", chat + ",\"functions\":[{\"name\":\"f\",\"parameters\":{}}]}", kind);
      case UNKNOWN_MODEL :
        return post("/v1/chat/completions",
            "{\"model\":\"no-such-model\",\"messages\":[{\"role\":\"user\",\"content\":" + prompt + "}]}", kind);
      default :
        return hangUpAfterFirstEvent(chat + ",\"max_tokens\":48,\"stream\":true}");
    }
  }

  private String post(String path, String body, Kind kind) throws IOException, InterruptedException {
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
    return kind + " " + r.statusCode();
  }

  /** A client that reads the first server-sent event and goes away. */
  private String hangUpAfterFirstEvent(String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(bytes);
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("data:")) {
          return Kind.CANCELLED + " after first event";
        }
      }
      return Kind.CANCELLED + " stream ended first";
    }
  }

  long sent() {
    return counter.get();
  }

  /** Outcome → count, e.g. {@code CHAT_STREAM 200=120}. */
  Map<String, Integer> outcomes() {
    Map<String, Integer> m = new TreeMap<>();
    outcomes.forEach((k, v) -> m.put(k, v.get()));
    return m;
  }

  @Override
  public void close() {
    stopped = true;
    for (Thread t : threads) {
      try {
        t.join(35_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
