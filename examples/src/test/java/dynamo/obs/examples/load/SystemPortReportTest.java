package dynamo.obs.examples.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SystemPortReportTest {

  private static final String METRICS = """
      # TYPE dynamo_component_uptime_seconds gauge
      dynamo_component_uptime_seconds 12.5
      dynamo_frontend_requests_total{model="a",status="success",endpoint="chat_completions"} 3
      dynamo_frontend_requests_total{model="a",status="success",endpoint="completions"} 2
      dynamo_frontend_time_to_first_token_seconds_sum{model="a"} 0.25
      dynamo_frontend_time_to_first_token_seconds_count{model="a"} 5
      dynamo_component_request_duration_seconds_sum 3
      dynamo_component_request_duration_seconds_count 2
      jvm_memory_used_bytes{area="heap"} 1000
      jvm_memory_used_bytes{area="nonheap"} 24
      unrelated_total 7
      """;

  @Test
  void printsHealthAndTheDynamoFamiliesPresent() throws Exception {
    HttpServer agent = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    agent.createContext("/health", exchange -> reply(exchange, "{\"status\":\"ready\"}\n"));
    agent.createContext("/metrics", exchange -> reply(exchange, METRICS));
    agent.start();
    try {
      String printed = report("frontend", "http://127.0.0.1:" + agent.getAddress().getPort() + "/");
      assertEquals(String.join("\n",
          "",
          "== frontend (http://127.0.0.1:" + agent.getAddress().getPort() + ")",
          "  health 200: {\"status\":\"ready\"}",
          "  dynamo_component_uptime_seconds = 12.50",
          "  dynamo_frontend_requests_total {model=\"a\",status=\"success\"} = 5",
          "  dynamo_frontend_time_to_first_token_seconds mean {model=\"a\"} = 0.05000",
          "  dynamo_component_request_duration_seconds mean = 1.500",
          "  jvm_memory_used_bytes = 1024",
          ""), printed);
    } finally {
      agent.stop(0);
    }
  }

  @Test
  void saysSoWhenAProcessDoesNotAnswer() throws Exception {
    int deadPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      deadPort = socket.getLocalPort();
    }
    String printed = report("worker1", "http://127.0.0.1:" + deadPort);
    String line = printed.lines().toList().get(2);
    assertTrue(line.startsWith("  unreachable or unreadable: java.net.ConnectException"), line);
  }

  private static String report(String process, String url) throws InterruptedException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    new SystemPortReport(HttpClient.newHttpClient(), out).print(process, url);
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static void reply(HttpExchange exchange, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, bytes.length);
    try (exchange) {
      exchange.getResponseBody().write(bytes);
    }
  }
}
