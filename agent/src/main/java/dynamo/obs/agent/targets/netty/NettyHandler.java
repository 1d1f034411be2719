package dynamo.obs.agent.targets.netty;

import static dynamo.obs.agent.targets.netty.NettyInstrumentation.CLOSED;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.DECODED;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.DECODE_LAST;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.DECODING;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.ENCODED;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.ENCODING;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.EXCEPTION;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.EXCEPTION_CAUGHT;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.NAME;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.REQUEST_BYTES;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.REQUEST_END;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.REQUEST_HEAD;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.RESPONSE_BYTES;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.RESPONSE_END;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.RESPONSE_HEAD;

import dynamo.obs.agent.http.FrontendPortRoutes;
import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.agent.weaving.Instrumentations;
import dynamo.obs.agent.weaving.LibraryHandlers;
import dynamo.obs.bootstrap.Handler;
import java.nio.ByteBuffer;

/**
 * The events of {@link NettyInstrumentation}: the woven codec's calls go to {@link NettyCodecEvents} of the codec's
 * loader (named, not referred to: the agent's loader never loads it), which reads Netty's objects and reports a
 * request's events back here, for {@link NettyExchanges}.
 */
final class NettyHandler extends Handler {
  private final NettyExchanges exchanges;
  private final LibraryHandlers codec = new LibraryHandlers("io.netty.handler.codec.http.HttpObjectDecoder",
      NettyHandler.class.getPackageName() + ".NettyCodecEvents", Instrumentations.number(NAME));

  NettyHandler(AgentServices services) {
    this.exchanges = new NettyExchanges(services.frontend(), services.workers(), services.tracing(),
        services.errorsOf(NAME), FrontendPortRoutes.of(services.config(), services.workers(), services.health(),
            services.metrics()));
  }

  @Override
  public Object on(int event, Object a, Object b, Object c, Object d) throws Throwable {
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
      case DECODING, DECODE_LAST, ENCODING, EXCEPTION_CAUGHT :
        return codec.of(a).on(event, a, b, c, d);
      case DECODED, ENCODED : // (token, …): nothing to do without a token
        return a == null ? null : codec.of(event == DECODED ? b : c).on(event, a, b, c, d);
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
