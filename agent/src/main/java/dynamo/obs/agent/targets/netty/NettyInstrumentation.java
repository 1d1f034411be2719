package dynamo.obs.agent.targets.netty;

import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.agent.weaving.InstrumentationModule;
import dynamo.obs.agent.weaving.JdkWeave;
import dynamo.obs.agent.weaving.JdkWeave.Kind;
import dynamo.obs.bootstrap.Handler;
import java.util.List;

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
 *
 * <p>These classes are known by name, so the agent's own weaver weaves them ({@linkplain #libraryWeaves library
 * weaves}: Byte Buddy is not loaded for Netty), with calls that hand the codec's objects to {@link NettyCodecEvents},
 * defined in the loader of the application's Netty, which reads them with Netty's types.
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

  // the woven calls, for NettyCodecEvents
  /** (decoder, out): {@code decode} begins; returns the size of its output (an Integer) for a request decoder. */
  static final int DECODING = 8;
  /** (what DECODING returned, ChannelHandlerContext, out): {@code decode} returned or threw. */
  static final int DECODED = 9;
  /** (decoder, ChannelHandlerContext): {@code decodeLast} begins: the connection's input ended. */
  static final int DECODE_LAST = 10;
  /** (ChannelHandlerContext, message): {@code encode} begins; returns the agent's answer (a byte[]) or null. */
  static final int ENCODING = 11;
  /** (what ENCODING returned, out, ChannelHandlerContext): {@code encode} returned. */
  static final int ENCODED = 12;
  /** (ChannelHandlerContext, throwable): {@code invokeExceptionCaught} begins. */
  static final int EXCEPTION_CAUGHT = 13;

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
  public List<JdkWeave> libraryWeaves() {
    String context = "(Lio/netty/channel/ChannelHandlerContext;";
    return List.of(
        new JdkWeave(DECODER, "decode", context, Kind.ENTER_TOKEN, DECODING, "this", "arg2"),
        new JdkWeave(DECODER, "decode", context, Kind.EXIT_ALWAYS, DECODED, "token", "arg0", "arg2"),
        new JdkWeave(DECODER, "decodeLast", context, Kind.ENTER, DECODE_LAST, "this", "arg0"),
        new JdkWeave(ENCODER, "encode", context, Kind.ENTER_TOKEN, ENCODING, "arg0", "arg1"),
        new JdkWeave(ENCODER, "encode", context, Kind.EXIT, ENCODED, "token", "arg2", "arg0"),
        // a handler that threw: Netty hands the throwable to the next handler's exceptionCaught from here
        new JdkWeave("io.netty.channel.AbstractChannelHandlerContext", "invokeExceptionCaught",
            "(Ljava/lang/Throwable;)", Kind.ENTER, EXCEPTION_CAUGHT, "this", "arg0"));
  }
}
