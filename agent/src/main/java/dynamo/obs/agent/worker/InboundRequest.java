package dynamo.obs.agent.worker;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicLong;

/** A request a worker received over HTTP: the sizes the engine call it leads to reports. */
public final class InboundRequest {
  private final long requestBytes;
  private final AtomicLong responseBytes = new AtomicLong();

  public InboundRequest(long requestBytes) {
    this.requestBytes = Math.max(0, requestBytes);
  }

  long requestBytes() {
    return requestBytes;
  }

  long responseBytes() {
    return responseBytes.get();
  }

  private OutputStream counted;

  /** The response body, counted as it passes (the same wrapper however often it is asked for). */
  public OutputStream countOnce(OutputStream out) {
    if (counted == null) {
      counted = count(out);
    }
    return counted;
  }

  private OutputStream count(OutputStream out) {
    return new FilterOutputStream(out) {
      @Override
      public void write(int b) throws IOException {
        out.write(b);
        responseBytes.incrementAndGet();
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        responseBytes.addAndGet(len);
      }
    };
  }
}
