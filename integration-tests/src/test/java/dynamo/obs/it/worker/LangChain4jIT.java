package dynamo.obs.it.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.it.apps.LangChain4jApp;
import dynamo.obs.it.apps.OpenAiStubApp;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.OtlpGrpcReceiver;
import dynamo.obs.it.support.ReceivedSpan;
import java.time.Duration;
import java.util.List;
import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.Poll;
import dynamo.obs.it.support.SystemServer;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Built-in engine calls for LangChain4j 1.x, with the real library: a worker with no method list
 * whose OpenAI client calls an OpenAI-compatible frontend (itself with the agent).
 */
class LangChain4jIT {
  @Test
  void chatAndStreamingChatAreEngineCallsWithoutAMethodList() {
    int frontendSystem = FreePort.pick();
    int workerSystem = FreePort.pick();
    Path libs = Paths.get(System.getProperty("langchain4j.libs"));
    try (OtlpGrpcReceiver collector = new OtlpGrpcReceiver();
        AgentProcess frontend = AgentProcess.app(OpenAiStubApp.class).env("DYN_SYSTEM_PORT", "" + frontendSystem)
            .start()) {
      collector.start();
      int port = Integer.parseInt(frontend.awaitStdout(Pattern.compile("READY (\\d+)")).group(1));
      try (AgentProcess worker = AgentProcess.app(LangChain4jApp.class).classpath(libs.resolve("*"))
          .args("http://127.0.0.1:" + port + "/v1").env("DYN_SYSTEM_PORT", "" + workerSystem)
          .env("OTEL_EXPORT_ENABLED", "true").env("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint()).start()) {
        worker.awaitStdout(Pattern.compile("READY"));
        SystemServer sys = new SystemServer(worker, workerSystem);
        sys.awaitInstrumentationActive();
        worker.send("go");
        Matcher got = worker.awaitStdout(Pattern.compile("GOT unary=(.*) partials=(\\d+)"));
        assertEquals("one two three", got.group(1));
        assertEquals("4", got.group(2), "the stub streams 4 tokens");

        String labels = "dynamo_component=\"backend\",dynamo_endpoint=\"generate\",dynamo_namespace=\"dynamo\",model=\"";
        String m = Poll.until("both LangChain4j calls counted and ended", sys::metrics,
            t -> t.contains("dynamo_component_request_duration_seconds_count{" + labels + "LC-Unary\"")
                && t.contains("dynamo_component_request_duration_seconds_count{" + labels + "LC-Stream\""),
            worker);
        for (String model : new String[]{"LC-Unary", "LC-Stream"}) {
          String modelLabels = Pattern.quote(labels + model + "\",model_name=\"" + model);
          assertTrue(m.matches("(?s).*dynamo_component_requests_total\\{" + modelLabels
              + "\",worker_id=\"[0-9a-f]+\"\\} 1\\.0\n.*"), model + "\n" + m);
          assertTrue(m.matches("(?s).*dynamo_component_inflight_requests\\{" + modelLabels
              + "\",worker_id=\"[0-9a-f]+\"\\} 0\\.0\n.*"), model);
        }
        // the streamed call's first token reached the handler: time to first response observed
        assertTrue(m.matches("(?s).*dynamo_work_handler_time_to_first_response_seconds_count [1-9].*"), m);
        // and the frontend saw the same two requests, one of them streamed
        String f = new SystemServer(frontend, frontendSystem).metrics();
        assertTrue(f.contains(
            "dynamo_frontend_requests_total{endpoint=\"chat_completions\",error_type=\"\",model=\"LC-Stream\",request_type=\"stream\",status=\"success\"} 1.0"),
            f);
        assertTrue(f.contains(
            "dynamo_frontend_requests_total{endpoint=\"chat_completions\",error_type=\"\",model=\"LC-Unary\",request_type=\"unary\",status=\"success\"} 1.0"),
            f);

        // engine.generate spans: the unary call's from LangChain4j's ChatResponse (token usage, finish reason)
        List<ReceivedSpan> spans = collector.awaitSpans(l -> l.stream().filter(x -> x.name().equals("engine.generate"))
            .count() == 2, Duration.ofSeconds(30));
        ReceivedSpan unary = spans.stream().filter(x -> "LC-Unary".equals(x.attributes().get("model"))).findFirst()
            .orElseThrow(() -> new AssertionError(spans.toString()));
        assertEquals(9L, unary.attributes().get("input_tokens"), unary.toString());
        assertEquals(3L, unary.attributes().get("output_tokens"), unary.toString());
        assertEquals("stop", unary.attributes().get("finish_reason"), unary.toString());
        ReceivedSpan stream = spans.stream().filter(x -> "LC-Stream".equals(x.attributes().get("model"))).findFirst()
            .orElseThrow(() -> new AssertionError(spans.toString()));
        assertEquals(4L, stream.attributes().get("output_tokens"), "tokens counted through the handler: " + stream);
        assertEquals("stop", stream.attributes().get("finish_reason"),
            "from onCompleteResponse's ChatResponse: " + stream);
        assertTrue(stream.attributes().get("input_tokens") instanceof Long, "usage of the streamed call: " + stream);
      }
    }
  }
}
