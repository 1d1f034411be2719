package dynamo.obs.agent.targets.jdkhttpserver;

import static dynamo.obs.agent.targets.jdkhttpserver.JdkHttpServerInstrumentation.CONTEXT_CREATED;
import static dynamo.obs.agent.targets.jdkhttpserver.JdkHttpServerInstrumentation.CONTEXT_REMOVED;
import static dynamo.obs.agent.targets.jdkhttpserver.JdkHttpServerInstrumentation.EXCHANGE_CLOSED;
import static dynamo.obs.agent.targets.jdkhttpserver.JdkHttpServerInstrumentation.EXCHANGE_STARTED;
import static dynamo.obs.agent.targets.jdkhttpserver.JdkHttpServerInstrumentation.HANDLER_FAILED;
import static dynamo.obs.agent.targets.jdkhttpserver.JdkHttpServerInstrumentation.HEADERS_READ;
import static dynamo.obs.agent.targets.jdkhttpserver.JdkHttpServerInstrumentation.NAME;
import static dynamo.obs.agent.targets.jdkhttpserver.JdkHttpServerInstrumentation.REJECTING;
import static dynamo.obs.agent.targets.jdkhttpserver.JdkHttpServerInstrumentation.REQUEST_BODY;
import static dynamo.obs.agent.targets.jdkhttpserver.JdkHttpServerInstrumentation.RESPONSE_BODY;
import static dynamo.obs.agent.targets.jdkhttpserver.JdkHttpServerInstrumentation.RESPONSE_HEADERS;
import static dynamo.obs.agent.targets.jdkhttpserver.JdkHttpServerInstrumentation.RUN_ENDED;
import static dynamo.obs.agent.targets.jdkhttpserver.JdkHttpServerInstrumentation.STARTED;
import static dynamo.obs.agent.targets.jdkhttpserver.JdkHttpServerInstrumentation.STOPPED;

import com.sun.net.httpserver.HttpContext;
import dynamo.obs.agent.http.FrontendPortRoutes;
import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.bootstrap.Handler;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.List;
import java.util.Map;

/** The events of {@link JdkHttpServerInstrumentation}: servers and their routes, and each exchange. */
final class JdkHttpServerHandler extends Handler {
  private final JdkHttpServers servers;
  private final JdkHttpExchanges exchanges;
  /** Null when the application's port answers no system routes. */
  private final JdkUnroutedRequests unrouted;

  JdkHttpServerHandler(AgentServices services) {
    this.servers = new JdkHttpServers(services.routes());
    this.exchanges = new JdkHttpExchanges(services.frontend(), services.workers(), services.tracing(),
        services.errorsOf(NAME));
    FrontendPortRoutes portRoutes = FrontendPortRoutes.of(services.config(), services.workers(), services.health(),
        services.metrics());
    this.unrouted = portRoutes == null ? null : new JdkUnroutedRequests(portRoutes);
  }

  /** Whether requests no context of the application takes may be answered (the system status server's routes). */
  boolean answersUnrouted() {
    return unrouted != null;
  }

  @Override
  @SuppressWarnings("unchecked")
  public Object on(int event, Object a, Object b, Object c, Object d) throws Throwable {
    switch (event) {
      case CONTEXT_CREATED -> servers.contextCreated(a, (String) b);
      case CONTEXT_REMOVED -> {
        if (b instanceof String path) {
          servers.contextRemoved(a, path);
        } else if (b instanceof HttpContext context) {
          servers.contextRemoved(a, context.getPath());
        }
      }
      case STARTED -> servers.started(a, b);
      case STOPPED -> servers.stopped(a);
      case EXCHANGE_STARTED -> exchanges.started(a, (String) b, (URI) c, (Map<String, List<String>>) d);
      case EXCHANGE_CLOSED -> exchanges.closed(a);
      case RUN_ENDED -> exchanges.runEnded();
      case HANDLER_FAILED -> exchanges.handlerFailed();
      case HEADERS_READ -> {
        if (unrouted != null) {
          unrouted.headersRead((String) a, (Map<String, List<String>>) b);
        }
      }
      case REJECTING -> {
        return unrouted != null && unrouted.rejecting(a, (String) b, (String) c, (OutputStream) d)
            ? Boolean.TRUE
            : null;
      }
      default -> {
      }
    }
    return null;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void onData(int event, Object a, Object data, int i, int j, Object b) {
    if (event == RESPONSE_HEADERS) {
      exchanges.responseHeaders(a, i, (Map<String, List<String>>) data);
    }
  }

  @Override
  public Object replace(int event, Object value, Object a, Object b) {
    return switch (event) {
      case REQUEST_BODY -> exchanges.requestBody(a, (InputStream) value);
      case RESPONSE_BODY -> exchanges.responseBody(a, (OutputStream) value);
      default -> value;
    };
  }

  @Override
  public void turnedOff() {
    exchanges.abandonAll();
  }
}
