package dynamo.obs.agent.frontend;

/** What sees a request body's bytes as the application reads them. */
public interface RequestBody {
  void requestBytes(byte[] b, int off, int len);

  /** The body was read to its end (or closed). */
  void requestBodyDone();
}
