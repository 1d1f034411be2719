package dynamo.obs.agent.targets.netty;

import static dynamo.obs.agent.targets.netty.NettyInstrumentation.CLOSED;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.EXCEPTION;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.NAME;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.REQUEST_BYTES;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.REQUEST_END;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.REQUEST_HEAD;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.RESPONSE_BYTES;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.RESPONSE_END;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.RESPONSE_HEAD;

import dynamo.obs.agent.http.FrontendPortRoutes;
import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.bootstrap.Handler;
import java.nio.ByteBuffer;

/** The events of {@link NettyInstrumentation}, for {@link NettyExchanges}. */
final class NettyHandler extends Handler {
  private final NettyExchanges exchanges;

  NettyHandler(AgentServices services) {
    this.exchanges = new NettyExchanges(services.frontend(), services.workers(), services.tracing(),
        services.errorsOf(NAME), FrontendPortRoutes.of(services.config(), services.workers(), services.health(),
            services.metrics()));
  }

  @Override
  public Object on(int event, Object a, Object b, Object c, Object d) {
    switch (event) {
      case REQUEST_HEAD :
        exchanges.requestHead(a, (String) b, (String) c, d);
        return null;
      case REQUEST_END :
        exchanges.requestEnd(a);
        return null;
      case RESPONSE_HEAD :
        return exchanges.responseHead(a, (CharSequence) b, (String) c, d);
      case RESPONSE_END :
        exchanges.responseEnd(a);
        return null;
      case CLOSED :
        exchanges.closed(a);
        return null;
      case EXCEPTION :
        exchanges.exception(a, (Throwable) b);
        return null;
      default :
        return null;
    }
  }

  @Override
  public void onData(int event, Object a, Object data, int i, int j, Object b) {
    if (event == REQUEST_BYTES || event == RESPONSE_BYTES) {
      if (data instanceof byte[] bytes) {
        exchanges.bytes(a, event == REQUEST_BYTES, bytes, i, j);
      } else if (data instanceof ByteBuffer buffer) {
        exchanges.bytes(a, event == REQUEST_BYTES, buffer, i, j);
      }
    }
  }

  @Override
  public void turnedOff() {
    exchanges.abandonAll();
  }
}
