package dynamo.obs.examples.router;

/** The worker a request is sent to. */
public final class WorkerChoice {

  private final String workerId;
  private final String url;

  public WorkerChoice(String workerId, String url) {
    this.workerId = workerId;
    this.url = url;
  }

  /** {@code worker-N}, N being the worker's 1-based position in the router's {@code --workers} list. */
  public String getWorkerId() {
    return workerId;
  }

  /** The worker's base URL, e.g. {@code http://127.0.0.1:9101}. */
  public String getUrl() {
    return url;
  }

  @Override
  public String toString() {
    return workerId + "@" + url;
  }
}
