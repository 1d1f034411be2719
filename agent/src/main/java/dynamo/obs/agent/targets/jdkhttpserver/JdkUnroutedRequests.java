package dynamo.obs.agent.targets.jdkhttpserver;

import dynamo.obs.agent.http.FrontendPortRoutes;
import dynamo.obs.agent.server.HttpResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;

/**
 * The system status server's routes on the application's own JDK server ({@link FrontendPortRoutes}). A request that
 * no context of the application takes is rejected by the server itself: its "No context found for request" 404,
 * after which it closes the connection. For a GET or HEAD of one of the routes the agent answers instead — as the
 * system status server does, on the same raw stream the rejection would have used — and closes the connection as the
 * rejection would have; any other rejection, and every request a context takes, is the server's as ever.
 *
 * <p>The rejection no longer has the request's headers (Accept chooses OpenMetrics, Accept-Encoding gzip), so they
 * are kept when the server reads them: only for a request line of one of the routes, on the thread reading it, and
 * matched to the rejection by that very request line. Every other request costs a few string comparisons of its
 * request line.
 */
final class JdkUnroutedRequests {
  /** The message of the server's 404 for a request no context takes (JDK 17 to 25). */
  private static final String NO_CONTEXT = "No context found for request";

  private final FrontendPortRoutes routes;
  /** The request line and headers of a request for one of the routes, read on this thread and not yet routed. */
  private final ThreadLocal<Object[]> pending = new ThreadLocal<>();

  JdkUnroutedRequests(FrontendPortRoutes routes) {
    this.routes = routes;
  }

  /** The server read the headers of the request whose request line is {@code line}. */
  void headersRead(String line, Map<String, List<String>> headers) {
    if (routes.routeOfRequestLine(line) != null) {
      pending.set(new Object[]{line, headers});
    }
  }

  /**
   * The server is about to reject the request of {@code line} with {@code message}: true when the agent answered it
   * on {@code rawOut} instead and closed its connection (the rejection then does nothing).
   */
  @SuppressWarnings("unchecked")
  boolean rejecting(Object exchange, String line, String message, OutputStream rawOut) throws Throwable {
    if (!NO_CONTEXT.equals(message) || line == null) {
      return false;
    }
    Object[] read = pending.get();
    if (read == null || read[0] != line) {
      return false;
    }
    pending.remove();
    String route = routes.routeOfRequestLine(line);
    String method = line.substring(0, line.indexOf(' '));
    Map<String, List<String>> headers = (Map<String, List<String>>) read[1];
    HttpResponse answer = routes.answer(method, route, JdkHttpExchanges.JdkHeaders.firstOf(headers, "accept"),
        JdkHttpExchanges.JdkHeaders.firstOf(headers, "accept-encoding"));
    ConnectionCloser closer = ConnectionCloser.of(exchange.getClass()); // before a byte is written: it may fail
    try {
      rawOut.write(answer.wire(false, method.equals("HEAD")));
      rawOut.flush();
    } catch (IOException e) {
      // the client went away; its connection is closed all the same
    } finally {
      closer.close(exchange);
    }
    return true;
  }

  /**
   * How the server closes a connection it rejected a request on: {@code ServerImpl.closeConnection}, which also
   * forgets the connection. Package-private and private members of the server's implementation, reached once per
   * JDK through its package, opened to the agent's module alone ({@link JdkHttpServerDiscovery#openServerPackage}).
   */
  private static final class ConnectionCloser {
    private static final ClassValue<ConnectionCloser> OF = new ClassValue<>() {
      @Override
      protected ConnectionCloser computeValue(Class<?> exchangeType) {
        try {
          return new ConnectionCloser(exchangeType);
        } catch (ReflectiveOperationException | RuntimeException e) {
          throw new IllegalStateException("cannot close the JDK server's connections: " + e, e);
        }
      }
    };

    private final MethodHandle server;
    private final MethodHandle connection;
    private final MethodHandle closeConnection;

    private ConnectionCloser(Class<?> exchangeType) throws ReflectiveOperationException {
      Class<?> serverType = exchangeType.getEnclosingClass();
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      server = lookup.unreflectGetter(accessible(exchangeType.getDeclaredField("this$0")));
      Field conn = accessible(exchangeType.getDeclaredField("connection"));
      connection = lookup.unreflectGetter(conn);
      Method close = serverType.getDeclaredMethod("closeConnection", conn.getType());
      close.setAccessible(true);
      closeConnection = lookup.unreflect(close);
    }

    static ConnectionCloser of(Class<?> exchangeType) {
      return OF.get(exchangeType);
    }

    private static Field accessible(Field f) {
      f.setAccessible(true);
      return f;
    }

    void close(Object exchange) throws Throwable {
      closeConnection.invoke(server.invoke(exchange), connection.invoke(exchange));
    }
  }
}
