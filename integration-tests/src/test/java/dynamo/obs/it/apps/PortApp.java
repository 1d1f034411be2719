package dynamo.obs.it.apps;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * Serves "ok" on the port given (first argument), no observability code: through the JDK's HttpServer (a server
 * socket channel) or, with {@code socket} as second argument, a plain {@code ServerSocket} answering one HTTP/1.0
 * response per connection. It binds once a line comes on stdin (the test starts it, waits for the agent, then lets
 * it bind). Prints {@code READY <port>}.
 */
public final class PortApp {
  private PortApp() {
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    if (args.length > 1 && args[1].equals("socket")) {
      ServerSocket ss = new ServerSocket();
      ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      Thread t = new Thread(() -> {
        while (true) {
          try (Socket s = ss.accept()) {
            InputStream in = s.getInputStream();
            in.read(new byte[4096]);
            OutputStream out = s.getOutputStream();
            out.write("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
          } catch (Exception e) {
            return;
          }
        }
      });
      t.setDaemon(true);
      t.start();
      System.out.println("READY " + ss.getLocalPort());
    } else {
      HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
      s.createContext("/", ex -> {
        ex.getRequestBody().readAllBytes();
        ex.sendResponseHeaders(200, 2);
        ex.getResponseBody().write("ok".getBytes(StandardCharsets.US_ASCII));
        ex.close();
      });
      s.start();
      System.out.println("READY " + s.getAddress().getPort());
    }
    new CountDownLatch(1).await();
  }
}
