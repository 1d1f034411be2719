package dynamo.obs.it.frontend;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.it.apps.AsyncHopApp;
import dynamo.obs.it.apps.HopApp;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.Poll;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SPEC §5: the request context follows work to pools, the fork-join pool, futures and virtual threads. */
class ContextFollowsWorkIT {
  private static AgentProcess worker;
  private static AgentProcess frontend;
  private static int frontendPort;

  @BeforeAll
  static void start() {
    worker = AgentProcess.app(HopApp.class).args("/generate").withAgent(false).start();
    int workerPort = Integer.parseInt(worker.awaitStdout(Pattern.compile("READY (\\d+)")).group(1));
    frontend = AgentProcess.app(AsyncHopApp.class).args("http://127.0.0.1:" + workerPort + "/generate").start();
    frontendPort = Integer.parseInt(frontend.awaitStdout(Pattern.compile("READY (\\d+)")).group(1));
  }

  @AfterAll
  static void stop() {
    if (frontend != null) {
      frontend.close();
    }
    if (worker != null) {
      worker.close();
    }
  }

  static String send(String mode, String requestId) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + frontendPort + "/v1/chat/completions"))
          .header("x-mode", mode).header("x-request-id", requestId)
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\"}")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"submit", "execute", "async", "fork", "virtual"})
  void headersFollowTheWork(String mode) {
    String id = "ctx-" + mode;
    // the executors are woven off the main thread: wait until the context arrives once
    String answer = Poll.until(mode + " carries x-request-id", () -> send(mode, id),
        a -> a.contains("\"" + id + "\"") || a.equals("unsupported"), frontend);
    if (answer.equals("unsupported")) {
      return; // no virtual threads before JDK 21
    }
    assertTrue(
        answer.matches("\\{\"x-request-id\":\"" + id
            + "\",\"request-id\":\"[0-9a-f-]{36}\",\"x-frontend-send-ts-ns\":\"\\d+\"\\}"),
        answer);
  }
}
