package dynamo.obs.agent.weaving;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.logging.LogRecord;

/** What {@link JdkWeaverTest} weaves: methods shaped like the JDK methods the agent weaves. */
public class WeaveTarget extends java.util.logging.Handler {
  public final Map<String, List<String>> headers = Map.of("x-request-id", List.of("r1"));
  public final String method;
  public int published;
  public boolean sent;
  public Runnable task;

  public WeaveTarget(String method, URI uri) {
    this.method = method;
  }

  public WeaveTarget(String method, URI uri, boolean fail) {
    this(method, uri);
    if (fail) {
      throw new IllegalStateException("constructor failed");
    }
  }

  /** Wide locals, a loop, an inner handler and two exits: frames the token must be added to. */
  public long run(int n, boolean fail) {
    long sum = 0L;
    double scale = 1.5;
    for (int i = 0; i < n; i++) {
      try {
        if (i == 2) {
          throw new IllegalArgumentException("caught inside");
        }
        sum += (long) (i * scale);
      } catch (IllegalArgumentException e) {
        sum += 100;
      }
    }
    if (fail) {
      throw new IllegalStateException("run failed");
    }
    return sum;
  }

  public void execute(Runnable task) {
    this.task = task;
  }

  public static Runnable startStatic(Runnable task) {
    return task;
  }

  public InputStream body() {
    return new ByteArrayInputStream(new byte[]{1, 2, 3});
  }

  public void sendResponseHeaders(int status, long length) {
  }

  /** A write whose normal and failed ends are reported by two exits, one with a boolean field. */
  public void send(byte[] bytes, int offset, int length, boolean fail) {
    if (fail) {
      throw new IllegalStateException("send failed");
    }
    sent = length > 0;
  }

  public void doFilter(boolean fail) {
    try {
      throw new UnsupportedOperationException("caught inside");
    } catch (UnsupportedOperationException e) {
      // the method's own handler comes first
    }
    if (fail) {
      throw new IllegalStateException("handler failed");
    }
  }

  @Override
  public void publish(LogRecord record) {
    published++;
  }

  @Override
  public void flush() {
  }

  @Override
  public void close() {
  }
}
