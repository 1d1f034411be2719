package dynamo.obs.benchmarks.startup;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The smallest plausible "LLM service": one JDK {@link HttpServer} with an OpenAI-style
 * {@code /v1/chat/completions} context that answers a fixed, tiny JSON body. It is the application
 * the startup benchmark launches with no agent, with dynamo-obs and with the OpenTelemetry Java agent;
 * it deliberately does nothing else, so any difference between those runs is the agent's.
 *
 * <p>Usage: {@code java -cp dynamo-obs-benchmarks.jar dynamo.obs.benchmarks.startup.MinimalHttpApp <port>}
 * (binds 127.0.0.1; prints nothing; runs until killed).
 */
public final class MinimalHttpApp {
  private static final byte[] ANSWER = ("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"bench\","
      + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}],"
      + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}")
      .getBytes(StandardCharsets.UTF_8);

  private MinimalHttpApp() {
  }

  public static void main(String[] args) throws IOException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8000;
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    server.createContext("/v1/chat/completions", exchange -> {
      try (InputStream in = exchange.getRequestBody()) {
        in.transferTo(OutputStream.nullOutputStream());
      }
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, ANSWER.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(ANSWER);
      }
    });
    server.start();
  }
}
