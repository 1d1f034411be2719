package dynamo.obs.it.frontend;

import static dynamo.obs.it.support.FrontendSeries.requests;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dynamo.obs.it.apps.UndertowServletOpenAiApp;
import dynamo.obs.it.support.AgentProcess;
import java.nio.file.Paths;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every test of {@link ServletFrontendIT}, to the value, on a servlet deployment on Undertow serving the same
 * servlets and filters: the servlet target measures it, and the undertow target, which sees the same requests pass
 * Undertow's core, hands them over uncounted — each request is counted once.
 */
class UndertowServletFrontendIT extends ServletFrontendIT {
  static AgentProcess.Builder undertowServletApp() {
    return AgentProcess.app(UndertowServletOpenAiApp.class)
        .classpath(Paths.get(System.getProperty("undertow.servlet.libs")).resolve("*"));
  }

  @BeforeAll
  static void start() {
    container = UndertowServletFrontendIT::undertowServletApp;
    startContainer();
  }

  /**
   * As {@link ServletFrontendIT#unaryAnswersSyncAndAsync}, but the asynchronous answer goes through the output stream:
   * Undertow's response writer hands {@code print(String)} to its own encoder, past every {@code write} method, so
   * the servlet target does not see the characters of a {@code print} on Undertow (its writes it does see).
   */
  @Override
  @Test
  void unaryAnswersSyncAndAsync() {
    assertEquals(200, post("/api/v1/chat/completions", "unary", "{\n\"model\":\"unary-sync\",\n\"messages\":[]\n}\n",
        "x-read", "lines").statusCode());
    assertEquals(200, post("/api/v1/completions", "unary", "{\"model\":\"unary-async\"}", "x-write", "stream")
        .statusCode());
    for (String[] c : new String[][] {{"unary-sync", "chat_completions"}, {"unary-async", "completions"}}) {
      String model = "{model=\"" + c[0] + "\"}";
      awaitValues(requests(c[0], c[1], "unary", "success", ""), 1,
          "dynamo_frontend_time_to_first_token_seconds_count" + model, 1,
          "dynamo_frontend_output_tokens_total" + model, 3,
          "dynamo_frontend_output_sequence_tokens_sum" + model, 3,
          "dynamo_frontend_input_sequence_tokens_sum" + model, 9,
          "dynamo_frontend_inflight_requests" + model, 0);
    }
  }
}
