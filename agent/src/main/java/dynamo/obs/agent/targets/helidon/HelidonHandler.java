package dynamo.obs.agent.targets.helidon;

import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.COMMITTED;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.CONNECTION_ENDED;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.NAME;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.NO_BODY;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.NO_ROUTE;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.REQUEST_BODY;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.REQUEST_STARTED;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.RESPONSE_BYTES;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.RESPONSE_HEAD;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.ROUTED;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.SERVER_ANSWER;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.SERVER_ANSWERED;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.WHOLE_BODY_SENT;
import static dynamo.obs.agent.targets.helidon.HelidonInstrumentation.WRITE_FAILED;

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
      case NO_BODY -> exchanges.noBody(a);
      case RESPONSE_HEAD -> exchanges.responseHead(a, b, c);
      case WRITE_FAILED -> exchanges.writeFailed(a, (Throwable) b);
      case COMMITTED -> exchanges.committed(a);
      case ROUTED -> exchanges.routed(a, (Throwable) b);
      case SERVER_ANSWER -> exchanges.serverAnswer(a, b);
      case SERVER_ANSWERED -> exchanges.serverAnswered(a, (Throwable) b);
      case CONNECTION_ENDED -> exchanges.connectionEnded(a);
      default -> {
      }
    }
    return null;
  }

  @Override
  public void onData(int event, Object a, Object data, int i, int j, Object b) {
    if (event == RESPONSE_BYTES) {
      exchanges.responseBytes(a, (byte[]) data, i, j);
    } else if (event == WHOLE_BODY_SENT) {
      exchanges.wholeBodySent(a, (byte[]) data, i, j);
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public Object replace(int event, Object value, Object a, Object b) throws Throwable {
    return switch (event) {
      case REQUEST_BODY -> exchanges.requestBody(a, (UnaryOperator<InputStream>) value);
      case NO_ROUTE -> portRoutes == null ? value : portRoutes.noRoute(value, a, b);
      default -> value;
    };
  }

  @Override
  public void turnedOff() {
    exchanges.abandonAll();
  }
}
