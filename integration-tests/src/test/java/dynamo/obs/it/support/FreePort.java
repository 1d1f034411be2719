package dynamo.obs.it.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP port that was free a moment ago, for a process the test starts next.
 *
 * <p>Ports come from below the kernel's ephemeral range (32768–60999 on Linux), walked in turn from a random
 * start: a port the OS picks for someone's {@code bind(0)} or outgoing connection never lands on one handed out
 * here, and no port is handed out twice in a test run. Picking with {@code bind(0)} instead let an app that binds
 * port 0 while the agent starts take the very port the test had picked for the agent's system server.
 */
public final class FreePort {
  private static final int LOW = 20000;
  private static final int HIGH = 32000;
  private static final AtomicInteger NEXT = new AtomicInteger(ThreadLocalRandom.current().nextInt(HIGH - LOW));

  private FreePort() {
  }

  public static int pick() {
    for (int tries = 0; tries < HIGH - LOW; tries++) {
      int port = LOW + Math.floorMod(NEXT.getAndIncrement(), HIGH - LOW);
      if (free(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free TCP port in " + LOW + "-" + HIGH);
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
