package dynamo.obs.examples.router;

/** What the router knows about a request when it picks a worker. */
public final class RouteRequest {

  private final String model;
  private final String prompt;
  private final String requestId;

  public RouteRequest(String model, String prompt, String requestId) {
    this.model = model;
    this.prompt = prompt;
    this.requestId = requestId;
  }

  public String getModel() {
    return model;
  }

  public String getPrompt() {
    return prompt;
  }

  public String getRequestId() {
    return requestId;
  }
}
