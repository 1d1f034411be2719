package dynamo.obs.agent.frontend;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The application's request body, unchanged: every byte it reads is shown to the request's
 * scanner on the way through. Nothing is read ahead, copied or held.
 */
public final class RecordingInputStream extends FilterInputStream {
  private final RequestBody request;
  /** For single bytes, made at the first (applications write and read in arrays): not a cost of every request. */
  private byte[] one;
  private boolean done;

  public RecordingInputStream(InputStream in, RequestBody request) {
    super(in);
    this.request = request;
  }

  @Override
  public int read() throws IOException {
    int c = super.read();
    if (c >= 0) {
      if (one == null) {
        one = new byte[1];
      }
      one[0] = (byte) c;
      request.requestBytes(one, 0, 1);
    } else {
      done();
    }
    return c;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = super.read(b, off, len);
    if (n > 0) {
      request.requestBytes(b, off, n);
    } else if (n < 0) {
      done();
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    return super.skip(n); // skipped bytes are not the application's to see either
  }

  @Override
  public void close() throws IOException {
    try {
      super.close();
    } finally {
      if (!done) {
        done = true;
        request.requestBodyClosed();
      }
    }
  }

  @Override
  public boolean markSupported() {
    return false; // a reset would show the scanner the same bytes twice
  }

  private void done() {
    if (!done) {
      done = true;
      request.requestBodyDone();
    }
  }
}
