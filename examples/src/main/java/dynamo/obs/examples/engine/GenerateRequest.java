package dynamo.obs.examples.engine;

/** What the engine is asked to generate. Plain getters, as an inference engine's request type would have. */
public final class GenerateRequest {

  private final String model;
  private final String prompt;
  private final Integer maxTokens;
  private final boolean stream;
  private final String requestId;

  /** @param maxTokens cap on generated tokens, or {@code null} for the engine's configured output length */
  public GenerateRequest(String model, String prompt, Integer maxTokens, boolean stream, String requestId) {
    this.model = model;
    this.prompt = prompt;
    this.maxTokens = maxTokens;
    this.stream = stream;
    this.requestId = requestId;
  }

  public String getModel() {
    return model;
  }

  public String getPrompt() {
    return prompt;
  }

  /** The cap on generated tokens, or {@code null} when the caller set none. */
  public Integer getMaxTokens() {
    return maxTokens;
  }

  /** Whether the end client asked for a streamed answer; the engine streams either way. */
  public boolean isStream() {
    return stream;
  }

  public String getRequestId() {
    return requestId;
  }

  @Override
  public String toString() {
    return "GenerateRequest[model=" + model + ", requestId=" + requestId + ", maxTokens=" + maxTokens
        + ", stream=" + stream + "]";
  }
}
