package dynamo.obs.agent.targets.helidon;

import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.COMMITTED;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.CONNECTION_ENDED;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.NAME;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.NO_BODY;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.NO_ROUTE;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.REQUEST_BODY;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.REQUEST_STARTED;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.RESPONSE_BYTES;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.ROUTED;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.ROUTE_THROWN;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.SEND_ARRAY_DONE;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.SEND_DONE;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.SEND_HEAD;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.SERVER_ANSWER;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.SERVER_ANSWERED;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.SERVER_ANSWER_THROWN;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.STREAM_ARRAY;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.STREAM_BYTE;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.STREAM_HEAD;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.WRITE_THROWN;

import dynamo.obs.agent.http.FrontendPortRoutes;
import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.bootstrap.Handler;
import java.io.InputStream;
import java.util.function.UnaryOperator;

/** The events of {@link HelidonInstrumentation}, for {@link HelidonExchanges}. */
final class HelidonHandler extends Handler {
  private final HelidonExchanges exchanges;
  /** Null when the application's port answers no system routes. */
  private final HelidonPortRoutes portRoutes;

  HelidonHandler(AgentServices services) {
    this.exchanges = new HelidonExchanges(services.frontend(), services.workers(), services.tracing(),
        services.errorsOf(NAME));
    FrontendPortRoutes routes = FrontendPortRoutes.of(services.config(), services.workers(), services.health(),
        services.metrics());
    this.portRoutes = routes == null ? null : new HelidonPortRoutes(routes);
  }

  @Override
  public Object on(int event, Object a, Object b, Object c, Object d) throws Throwable {
    switch (event) {
      case REQUEST_STARTED -> exchanges.started(a, b, c);
      case REQUEST_BODY -> requestBody(a, b);
      case NO_BODY -> exchanges.noBody(a);
      case STREAM_ARRAY -> {
        if (b instanceof byte[] bytes) {
          exchanges.responseBytes(a, bytes, 0, bytes.length);
        }
      }
      case SEND_ARRAY_DONE -> {
        if (b instanceof byte[] bytes && HelidonApi.of(c).isSent(c)) {
          exchanges.wholeBodySent(a, bytes, 0, bytes.length);
        }
      }
      case WRITE_THROWN -> exchanges.writeFailed(b, (Throwable) a);
      case COMMITTED -> exchanges.committed(a);
      case ROUTED -> exchanges.routed(a, null);
      case ROUTE_THROWN -> exchanges.routed(b, (Throwable) a);
      case SERVER_ANSWER -> exchanges.serverAnswer(a, b);
      case SERVER_ANSWERED -> exchanges.serverAnswered(a, null);
      case SERVER_ANSWER_THROWN -> exchanges.serverAnswered(b, (Throwable) a);
      case CONNECTION_ENDED -> exchanges.connectionEnded(a);
      default -> {
      }
    }
    return null;
  }

  /** A request with a body: the stream its body is read through gets a filter that records it (Helidon's own hook). */
  private void requestBody(Object request, Object connection) throws Throwable {
    UnaryOperator<InputStream> identity = in -> in;
    UnaryOperator<InputStream> filter = exchanges.requestBody(connection, identity);
    if (filter != identity) {
      HelidonApi.of(request).streamFilter(request, filter);
    }
  }

  @Override
  public void onData(int event, Object a, Object data, int i, int j, Object b) throws Throwable {
    switch (event) {
      case SEND_HEAD -> {
        if (i == 0 && j == 0) { // not sent, no stream opened: Helidon refuses a second body
          exchanges.responseHead(a, data, b);
        }
      }
      case STREAM_HEAD -> {
        if (i != 0 && j == 0) { // before the first byte, and (commit, flushHeaders) not closed
          exchanges.responseHead(a, data, b);
        }
      }
      case RESPONSE_BYTES -> exchanges.responseBytes(a, (byte[]) data, i, j);
      case STREAM_BYTE -> exchanges.responseBytes(a, null, i, 1);
      case SEND_DONE -> {
        if (HelidonApi.of(b).isSent(b)) { // Helidon wrote it directly; through a stream it is seen there
          exchanges.wholeBodySent(a, (byte[]) data, i, j);
        }
      }
      default -> {
      }
    }
  }

  @Override
  public Object replace(int event, Object value, Object a, Object b) throws Throwable {
    if (event == NO_ROUTE && portRoutes != null && value instanceof Enum<?> result && result.name().equals("NONE")) {
      return portRoutes.noRoute(value, a, b);
    }
    return value;
  }

  @Override
  public void turnedOff() {
    exchanges.abandonAll();
  }
}
