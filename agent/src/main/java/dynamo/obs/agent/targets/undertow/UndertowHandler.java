package dynamo.obs.agent.targets.undertow;

import static dynamo.obs.agent.targets.undertow.UndertowInstrumentation.COMPLETED;
import static dynamo.obs.agent.targets.undertow.UndertowInstrumentation.NAME;
import static dynamo.obs.agent.targets.undertow.UndertowInstrumentation.NOT_FOUND;
import static dynamo.obs.agent.targets.undertow.UndertowInstrumentation.REQUEST_BUFFERS;
import static dynamo.obs.agent.targets.undertow.UndertowInstrumentation.REQUEST_BUFFERS_BEFORE;
import static dynamo.obs.agent.targets.undertow.UndertowInstrumentation.REQUEST_BYTES;
import static dynamo.obs.agent.targets.undertow.UndertowInstrumentation.REQUEST_END;
import static dynamo.obs.agent.targets.undertow.UndertowInstrumentation.RESPONSE_BUFFERS;
import static dynamo.obs.agent.targets.undertow.UndertowInstrumentation.RESPONSE_BUFFERS_BEFORE;
import static dynamo.obs.agent.targets.undertow.UndertowInstrumentation.RESPONSE_BYTES;
import static dynamo.obs.agent.targets.undertow.UndertowInstrumentation.RESPONSE_HEAD;
import static dynamo.obs.agent.targets.undertow.UndertowInstrumentation.ROOT_ENTERED;
import static dynamo.obs.agent.targets.undertow.UndertowInstrumentation.ROOT_EXITED;
import static dynamo.obs.agent.targets.undertow.UndertowInstrumentation.SERVLET;

import dynamo.obs.agent.http.FrontendPortRoutes;
import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.bootstrap.Handler;
import java.nio.ByteBuffer;

/** The events of {@link UndertowInstrumentation}, for {@link UndertowExchanges}. */
final class UndertowHandler extends Handler {
  private final UndertowExchanges exchanges;

  UndertowHandler(AgentServices services) {
    this.exchanges = new UndertowExchanges(services.frontend(), services.workers(), services.tracing(),
        services.errorsOf(NAME), FrontendPortRoutes.of(services.config(), services.workers(), services.health(),
            services.metrics()));
  }

  @Override
  public Object on(int event, Object a, Object b, Object c, Object d) {
    switch (event) {
      case ROOT_ENTERED :
        return exchanges.rootEntered(a, (String) b, c);
      case ROOT_EXITED :
        exchanges.rootExited();
        return null;
      case REQUEST_END :
        exchanges.requestEnd(a);
        return null;
      case RESPONSE_HEAD :
        return exchanges.responseHead(a, (Integer) b, (String) c);
      case COMPLETED :
        exchanges.completed(a, Boolean.TRUE.equals(b), c != null);
        return null;
      case SERVLET :
        exchanges.servlet(a);
        return null;
      case NOT_FOUND :
        return exchanges.notFound((String) b, (String) c, d);
      default :
        return null;
    }
  }

  @Override
  public void onData(int event, Object a, Object data, int i, int j, Object b) {
    switch (event) {
      case REQUEST_BYTES :
        exchanges.bytes(a, true, (ByteBuffer) data, i, j);
        break;
      case RESPONSE_BYTES :
        exchanges.bytes(a, false, (ByteBuffer) data, i, j);
        break;
      case REQUEST_BUFFERS_BEFORE :
        exchanges.buffersBefore(a, true, (ByteBuffer[]) data, i, j);
        break;
      case RESPONSE_BUFFERS_BEFORE :
        exchanges.buffersBefore(a, false, (ByteBuffer[]) data, i, j);
        break;
      case REQUEST_BUFFERS :
        exchanges.buffersAfter(a, true, (ByteBuffer[]) data, i, j, false);
        break;
      case RESPONSE_BUFFERS :
        exchanges.buffersAfter(a, false, (ByteBuffer[]) data, i, j, b != null);
        break;
      default :
        break;
    }
  }

  @Override
  public void turnedOff() {
    exchanges.abandonAll();
  }
}
