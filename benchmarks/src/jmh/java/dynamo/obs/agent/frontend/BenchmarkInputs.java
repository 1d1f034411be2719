package dynamo.obs.agent.frontend;

/** Prints the sizes of the bodies the frontend benchmarks feed, for the report (jmh.sh). */
public final class BenchmarkInputs {
  private BenchmarkInputs() {}

  public static void main(String[] args) {
    System.out.println("request body " + FrontendRequestBenchmark.REQUEST_BODY.length + " bytes (long: "
        + FrontendRequestBenchmark.LONG_REQUEST_BODY.length + "), unary response body "
        + FrontendRequestBenchmark.RESPONSE_BODY.length + " bytes, SSE event " + SseEventBenchmark.CHUNK.length
        + " bytes (a chat.completion.chunk with one token, \"data: \" and the blank line included)");
  }
}
