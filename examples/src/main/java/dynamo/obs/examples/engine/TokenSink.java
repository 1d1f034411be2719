package dynamo.obs.examples.engine;

/**
 * Receives a generation as it happens: {@link #onToken} per token, then exactly one of {@link #onComplete} or
 * {@link #onError}. Called on the thread that called {@link SimulatedEngine#generate}.
 */
public interface TokenSink {

  void onToken(String text);

  /** @param finishReason {@code "stop"} when the engine ended on its own, {@code "length"} when max_tokens cut it */
  void onComplete(String finishReason, int promptTokens, int completionTokens);

  void onError(Throwable error);
}
