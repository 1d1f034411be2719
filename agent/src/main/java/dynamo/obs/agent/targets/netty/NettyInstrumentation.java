package dynamo.obs.agent.targets.netty;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.agent.weaving.InstrumentationModule;
import dynamo.obs.agent.weaving.TargetId;
import dynamo.obs.bootstrap.Dispatch;
import dynamo.obs.bootstrap.Handler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectDecoder;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * Netty's HTTP/1.1 codec, 4.1 and 4.2: every server built on it — plain Netty, Reactor Netty (Spring WebFlux,
 * Spring AI), Vert.x 4 and 5 (Quarkus), Micronaut — decodes each request through {@code HttpObjectDecoder.decode}
 * and encodes each response through {@code HttpObjectEncoder.encode}, whatever handlers the framework puts between.
 * The decoder's output (the request's head, then its body in pieces) is read as it leaves {@code decode}, and each
 * message of the response (its head, its body as {@code HttpContent} or {@code ByteBuf}, its end) as it enters
 * {@code encode} — before Netty encodes and may release it — without changing a buffer's indices. The connection is
 * the key: a connection's requests are answered in order (HTTP/1.1, pipelined or not). {@code decodeLast} runs when
 * the connection's input ends: a response not finished by then lost its client. All of this runs on the
 * connection's event loop.
 */
public final class NettyInstrumentation implements InstrumentationModule {
  static final String NAME = "netty";
  private static final String DECODER = "io.netty.handler.codec.http.HttpObjectDecoder";
  private static final String ENCODER = "io.netty.handler.codec.http.HttpObjectEncoder";

  // events, with the arguments of Dispatch.on or Dispatch.onData (a, data, i, j, b)
  /** (connection, method, request target, HttpHeaders): a request's head was decoded. */
  static final int REQUEST_HEAD = 0;
  /** onData (connection, byte[] or ByteBuffer, offset, length, -): a piece of the request's body was decoded. */
  static final int REQUEST_BYTES = 1;
  /** (connection): the request's body ended. */
  static final int REQUEST_END = 2;
  /**
   * (connection, status code as text, content type, HttpHeaders): a final response's head is encoded; returns an
   * x-request-id to echo (a String), or the agent's answer to send in place of the whole response (a byte[]: the
   * application's 404 to a system status route).
   */
  static final int RESPONSE_HEAD = 3;
  /** onData (connection, byte[] or ByteBuffer, offset, length, -): a piece of the response's body is encoded. */
  static final int RESPONSE_BYTES = 4;
  /** (connection): the response ended. */
  static final int RESPONSE_END = 5;
  /** (connection): the connection's input ended (closed, reset, half-closed). */
  static final int CLOSED = 6;
  /** (connection, throwable): an exception travels the connection's pipeline (a handler threw). */
  static final int EXCEPTION = 7;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Netty 4.1/4.2 HTTP/1.1 servers (plain Netty, Reactor Netty and Spring WebFlux, Vert.x 4/5 and Quarkus,"
        + " Micronaut 4): every inference request (frontend metrics, x-request-id, spans), bodies read as the"
        + " codec decodes and encodes them; on a frontend /metrics, health and live in place of the application's 404";
  }

  /** Netty loads its codec package before any HTTP server class of a framework built on it. */
  @Override
  public List<String> triggers() {
    return List.of("io/netty/handler/codec/http/HttpObjectDecoder", "io/netty/handler/codec/http/HttpObjectEncoder");
  }

  @Override
  public List<Supported> supports() {
    return List.of(
        new Supported("Netty", "4.1–4.2", "io.netty.handler.codec.http.HttpObjectDecoder", "4.1", "4.3"),
        new Supported("Reactor Netty (Spring WebFlux)", "1.x", "reactor.netty.http.server.HttpServer", "1.0", "2"),
        new Supported("Vert.x", "4–5", "io.vertx.core.http.HttpServer", "4.0", "6"),
        new Supported("Micronaut", "4", "io.micronaut.http.server.netty.NettyHttpServer", "4.0", "5"));
  }

  @Override
  public Handler handler(AgentServices services) {
    return new NettyHandler(services);
  }

  @Override
  public List<TypeAdvice> typeAdvice() {
    String self = NettyInstrumentation.class.getName();
    return List.of(
        TypeAdvice.named(DECODER, List.of(
            new AdviceBinding(named("decode").and(takesArguments(3)), self + "$DecodeAdvice"),
            new AdviceBinding(named("decodeLast").and(takesArguments(3)), self + "$ClosedAdvice"))),
        TypeAdvice.named(ENCODER, List.of(
            new AdviceBinding(named("encode").and(takesArguments(3)), self + "$EncodeAdvice"))),
        // a handler that throws: Netty hands the throwable to the next handler's exceptionCaught from here
        TypeAdvice.named("io.netty.channel.AbstractChannelHandlerContext", List.of(
            new AdviceBinding(named("invokeExceptionCaught").and(takesArguments(Throwable.class)),
                self + "$ExceptionAdvice"))));
  }

  /** What the decoder produced in this call: a request's head, pieces of its body, its end. */
  @SuppressWarnings("unused")
  public static final class DecodeAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int enter(@Advice.Argument(2) List<Object> out) {
      return out.size();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.This HttpObjectDecoder decoder, @Advice.Enter int before,
        @Advice.Argument(0) ChannelHandlerContext ctx, @Advice.Argument(2) List<Object> out) {
      int size = out.size();
      if (size <= before || !(decoder instanceof io.netty.handler.codec.http.HttpRequestDecoder)) {
        return; // nothing new, or a client's decoder of responses
      }
      Object connection = ctx.channel();
      for (int i = before; i < size; i++) {
        Object m = out.get(i);
        if (m instanceof HttpRequest) {
          HttpRequest r = (HttpRequest) m;
          if (r.decoderResult().isSuccess()) {
            Dispatch.on(connection, r.method().name(), r.uri(), r.headers(), target, REQUEST_HEAD);
          }
        }
        if (m instanceof HttpContent) {
          ByteBuf b = ((HttpContent) m).content();
          int n = b.readableBytes();
          if (n > 0) {
            if (b.hasArray()) {
              Dispatch.onData(connection, b.array(), b.arrayOffset() + b.readerIndex(), n, null, target, REQUEST_BYTES);
            } else {
              Dispatch.onData(connection, b.nioBuffer(), 0, n, null, target, REQUEST_BYTES);
            }
          }
          if (m instanceof LastHttpContent) {
            Dispatch.on(connection, null, null, null, target, REQUEST_END);
          }
        }
      }
    }
  }

  /** The connection's input ended: the decoder decodes what is left, for the last time. */
  @SuppressWarnings("unused")
  public static final class ClosedAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@TargetId int target, @Advice.This HttpObjectDecoder decoder,
        @Advice.Argument(0) ChannelHandlerContext ctx) {
      if (decoder instanceof io.netty.handler.codec.http.HttpRequestDecoder) {
        Dispatch.on(ctx.channel(), null, null, null, target, CLOSED);
      }
    }
  }

  /** An exception on its way through a connection's pipeline. */
  @SuppressWarnings("unused")
  public static final class ExceptionAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@TargetId int target, @Advice.This ChannelHandlerContext ctx, @Advice.Argument(0) Throwable t) {
      Dispatch.on(ctx.channel(), t, null, null, target, EXCEPTION);
    }
  }

  /**
   * One message of a response, before it is encoded: its head, a piece of its body, its end. A response the agent
   * answers in the application's place (its 404 to a system status route) is encoded as the application wrote it,
   * but as a 204 — so its body, in this message or the ones after, is encoded as nothing and the encoder's state
   * follows the application's messages as ever — and what the head encodes to is replaced by the agent's answer.
   */
  @SuppressWarnings("unused")
  public static final class EncodeAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static byte[] enter(@TargetId int target, @Advice.Argument(0) ChannelHandlerContext ctx,
        @Advice.Argument(1) Object msg) {
      Object connection = ctx.channel();
      byte[] answer = null;
      if (msg instanceof HttpResponse) {
        HttpResponse r = (HttpResponse) msg;
        if (r.status().code() >= 200) { // an interim 1xx response is not the answer
          HttpHeaders headers = r.headers();
          Object id = Dispatch.on(connection, r.status().codeAsText(), headers.get("content-type"), headers, target,
              RESPONSE_HEAD);
          if (id instanceof byte[]) {
            answer = (byte[]) id;
          } else if (id != null && !headers.contains("x-request-id")) {
            headers.set("x-request-id", id);
          }
        }
      }
      ByteBuf b = msg instanceof HttpContent
          ? ((HttpContent) msg).content()
          : msg instanceof ByteBuf
              ? (ByteBuf) msg
              : null;
      if (b != null) {
        int n = b.readableBytes();
        if (n > 0) {
          if (b.hasArray()) {
            Dispatch.onData(connection, b.array(), b.arrayOffset() + b.readerIndex(), n, null, target, RESPONSE_BYTES);
          } else {
            Dispatch.onData(connection, b.nioBuffer(), 0, n, null, target, RESPONSE_BYTES);
          }
        }
      }
      if (msg instanceof LastHttpContent) {
        Dispatch.on(connection, null, null, null, target, RESPONSE_END);
      }
      if (answer != null) {
        ((HttpResponse) msg).setStatus(HttpResponseStatus.NO_CONTENT); // last: if it throws, the 404 goes out
      }
      return answer;
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@Advice.Enter byte[] answer, @Advice.Argument(2) List<Object> out) {
      if (answer != null) {
        for (int i = 0; i < out.size(); i++) {
          ReferenceCountUtil.release(out.get(i));
        }
        out.clear();
        out.add(Unpooled.wrappedBuffer(answer));
      }
    }
  }
}
