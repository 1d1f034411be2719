package dynamo.obs.agent.targets.netty;

import static dynamo.obs.agent.targets.netty.NettyInstrumentation.CLOSED;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.DECODED;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.DECODE_LAST;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.DECODING;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.ENCODED;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.ENCODING;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.EXCEPTION;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.EXCEPTION_CAUGHT;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.REQUEST_BYTES;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.REQUEST_END;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.REQUEST_HEAD;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.RESPONSE_BYTES;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.RESPONSE_END;
import static dynamo.obs.agent.targets.netty.NettyInstrumentation.RESPONSE_HEAD;

import dynamo.obs.bootstrap.Dispatch;
import dynamo.obs.bootstrap.Handler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * What the woven codec's objects carry, read with Netty's own types: this class is defined in the class loader of
 * the application's Netty ({@code LibraryHandlers}), never loaded by the agent's, and refers only to Netty, the JDK
 * and the bootstrap API (the event numbers it names are constants, compiled in). It turns the codec's calls ({@code DECODING} … {@code EXCEPTION_CAUGHT}) into the target's
 * events of one request ({@code REQUEST_HEAD} …), which go to {@link NettyHandler} through {@link Dispatch}.
 *
 * <p>The decoder's output (the request's head, then its body in pieces) is read as it leaves {@code decode}, and each
 * message of the response as it enters {@code encode}, before Netty encodes and may release it, without changing a
 * buffer's indices. A response the agent answers in the application's place (its 404 to a system status route) is
 * encoded as the application wrote it but as a 204 — so its body is encoded as nothing and the encoder's state
 * follows the application's messages as ever — and what the head encodes to is replaced by the agent's answer.
 */
public final class NettyCodecEvents extends Handler {
  private final int target;

  public NettyCodecEvents(int target) {
    this.target = target;
  }

  @Override
  @SuppressWarnings("unchecked")
  public Object on(int event, Object a, Object b, Object c, Object d) {
    switch (event) {
      case DECODING : // (decoder, out): the decoder's output so far, or null for a client's decoder of responses
        return a instanceof HttpRequestDecoder ? (Object) ((List<?>) b).size() : null;
      case DECODED :
        decoded((Integer) a, ((ChannelHandlerContext) b).channel(), (List<?>) c);
        return null;
      case DECODE_LAST :
        if (a instanceof HttpRequestDecoder) {
          Dispatch.on(((ChannelHandlerContext) b).channel(), null, null, null, target, CLOSED);
        }
        return null;
      case ENCODING :
        return encoding(((ChannelHandlerContext) a).channel(), b);
      case ENCODED :
        encoded((byte[]) a, (List<Object>) b);
        return null;
      case EXCEPTION_CAUGHT :
        Dispatch.on(((ChannelHandlerContext) a).channel(), b, null, null, target, EXCEPTION);
        return null;
      default :
        return null;
    }
  }

  /** What the decoder added to its output in one call, from {@code before} on: a request's head, body, end. */
  private void decoded(int before, Object connection, List<?> out) {
    int size = out.size();
    for (int i = before; i < size; i++) {
      Object m = out.get(i);
      if (m instanceof HttpRequest r && r.decoderResult().isSuccess()) {
        Dispatch.on(connection, r.method().name(), r.uri(), r.headers(), target, REQUEST_HEAD);
      }
      if (m instanceof HttpContent content) {
        bytes(connection, content.content(), REQUEST_BYTES);
        if (m instanceof LastHttpContent) {
          Dispatch.on(connection, null, null, null, target, REQUEST_END);
        }
      }
    }
  }

  /**
   * One message of a response, before it is encoded: its head, a piece of its body, its end. Returns the agent's
   * answer that replaces what the encoder makes of it, or null.
   */
  private byte[] encoding(Object connection, Object msg) {
    byte[] answer = null;
    if (msg instanceof HttpResponse r && r.status().code() >= 200) { // an interim 1xx response is not the answer
      HttpHeaders headers = r.headers();
      Object id = Dispatch.on(connection, r.status().codeAsText(), headers.get("content-type"), headers, target,
          RESPONSE_HEAD);
      if (id instanceof byte[] bytes) {
        answer = bytes;
      } else if (id != null && !headers.contains("x-request-id")) {
        headers.set("x-request-id", id);
      }
    }
    if (msg instanceof HttpContent content) {
      bytes(connection, content.content(), RESPONSE_BYTES);
    } else if (msg instanceof ByteBuf b) {
      bytes(connection, b, RESPONSE_BYTES);
    }
    if (msg instanceof LastHttpContent) {
      Dispatch.on(connection, null, null, null, target, RESPONSE_END);
    }
    if (answer != null) {
      ((HttpResponse) msg).setStatus(HttpResponseStatus.NO_CONTENT); // last: if it throws, the 404 goes out
    }
    return answer;
  }

  /** The encoder made its output of a response the agent answers: that output is replaced by the answer. */
  private static void encoded(byte[] answer, List<Object> out) {
    for (int i = 0; i < out.size(); i++) {
      ReferenceCountUtil.release(out.get(i));
    }
    out.clear();
    out.add(Unpooled.wrappedBuffer(answer));
  }

  private void bytes(Object connection, ByteBuf b, int event) {
    int n = b.readableBytes();
    if (n > 0) {
      if (b.hasArray()) {
        Dispatch.onData(connection, b.array(), b.arrayOffset() + b.readerIndex(), n, null, target, event);
      } else {
        Dispatch.onData(connection, b.nioBuffer(), 0, n, null, target, event);
      }
    }
  }
}
