package dynamo.obs.agent.frontend;

/** What sees a request body's bytes as the application reads them. */
public interface RequestBody {
  void requestBytes(byte[] b, int off, int len);

  /** The body was read to its end: every byte of it was shown. */
  void requestBodyDone();

  /**
   * The application closed the body, perhaps before its end: what was shown may be only a part of it.
   * By default the same as its end.
   */
  default void requestBodyClosed() {
    requestBodyDone();
  }
}
