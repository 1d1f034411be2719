package dynamo.obs.agent.frontend;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The application's response body, unchanged: bytes go straight through (never delayed or
 * buffered here) and are shown to the request's scanner after they were written. A write that
 * fails means the client went away; closing ends the request.
 */
public final class RecordingOutputStream extends FilterOutputStream {
  private final FrontendRequest request;
  /** For single bytes, made at the first (applications write and read in arrays): not a cost of every request. */
  private byte[] one;

  public RecordingOutputStream(OutputStream out, FrontendRequest request) {
    super(out);
    this.request = request;
  }

  @Override
  public void write(int b) throws IOException {
    try {
      out.write(b);
    } catch (IOException e) {
      request.clientGone();
      throw e;
    }
    if (one == null) {
      one = new byte[1];
    }
    one[0] = (byte) b;
    request.responseBytes(one, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    try {
      out.write(b, off, len);
    } catch (IOException e) {
      request.clientGone();
      throw e;
    }
    request.responseBytes(b, off, len);
  }

  @Override
  public void flush() throws IOException {
    try {
      out.flush();
    } catch (IOException e) {
      request.clientGone();
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      out.close();
    } catch (IOException e) {
      request.clientGone();
      throw e;
    }
    request.completed();
  }
}
