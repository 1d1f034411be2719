package dynamo.obs.weavetargets;

/**
 * What the weaver's tests weave: methods shaped like a servlet stream's and response's, outside the agent's packages
 * (whose classes are never woven as a library's subtypes).
 */
public class StreamLikeTarget implements Runnable {
  public int errors;

  /** As {@code ServletInputStream.readLine}: the body moves its {@code off} argument. */
  public int readLine(byte[] b, int off, int len) {
    int count = 0;
    while (count < len && count < 3) {
      b[off++] = (byte) ('a' + count);
      count++;
    }
    if (len == 0) {
      throw new IllegalArgumentException("nothing to read into");
    }
    return count;
  }

  /** A reference returned, or a throw, in a loop with wide locals. */
  public String line(boolean fail) {
    long n = 0;
    for (int i = 0; i < 3; i++) {
      n += i;
    }
    if (fail) {
      throw new IllegalStateException("line failed");
    }
    return "line " + n;
  }

  /** As {@code sendError(int)}: the agent may answer in its place. */
  public void sendError(int status) {
    errors++;
  }

  @Override
  public void run() {
  }
}
