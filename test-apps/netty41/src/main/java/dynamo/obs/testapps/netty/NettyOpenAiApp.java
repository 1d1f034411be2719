package dynamo.obs.testapps.netty;

import dynamo.obs.testapps.Answer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * An OpenAI-shaped service on plain Netty's HTTP codec (built against Netty 4.1 and, from the same source, 4.2), no
 * observability code. The pipeline is {@code HttpServerCodec}, {@code HttpServerExpectContinueHandler}, then:
 * <ul>
 *   <li>{@code POST /v1/completions}: a handler that reads the raw {@code HttpContent} chunks as they come and
 *       answers at the {@code LastHttpContent};
 *   <li>everything else passes on to an {@code HttpObjectAggregator} and a handler of whole
 *       {@code FullHttpRequest}s: {@code POST /v1/chat/completions}, {@code GET /v1/models} (and, with
 *       {@code -Dtestapp.health=true}, {@code GET /health}), 404 for the rest.
 * </ul>
 * Answers ({@link Answer}): JSON as one {@code FullHttpResponse}; streams as a chunked response head, one
 * {@code HttpContent} per write (flushed; pauses scheduled on the channel's event loop, never blocking it) and the
 * {@code LastHttpContent}, stopping once the client is gone. Optional argument: the port (default: any free one).
 * Prints {@code READY <port>}.
 */
public final class NettyOpenAiApp {
  private NettyOpenAiApp() {
  }

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    EventLoopGroup boss = new NioEventLoopGroup(1);
    EventLoopGroup workers = new NioEventLoopGroup();
    Channel server = new ServerBootstrap()
        .group(boss, workers)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), new HttpServerExpectContinueHandler(),
                new CompletionsHandler(), new HttpObjectAggregator(16 * 1024 * 1024), new WholeRequestHandler());
          }
        })
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).sync().channel();
    System.out.println("READY " + ((InetSocketAddress) server.localAddress()).getPort());
    server.closeFuture().sync();
  }

  /** {@code POST /v1/completions}, body read chunk by chunk; any other request passes on untouched. */
  static final class CompletionsHandler extends ChannelInboundHandlerAdapter {
    private HttpRequest request;
    private ByteArrayOutputStream body;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws IOException {
      if (msg instanceof HttpRequest) {
        HttpRequest req = (HttpRequest) msg;
        boolean mine = req.method().equals(HttpMethod.POST)
            && new QueryStringDecoder(req.uri()).path().equals(Answer.COMPLETIONS_PATH);
        request = mine ? req : null;
        body = mine ? new ByteArrayOutputStream() : null;
      }
      if (request == null) {
        ctx.fireChannelRead(msg);
        return;
      }
      try {
        if (msg instanceof HttpContent) {
          HttpContent content = (HttpContent) msg;
          content.content().readBytes(body, content.content().readableBytes());
          if (msg instanceof LastHttpContent) {
            HttpRequest req = request;
            request = null;
            answer(ctx, req, Answer.to(false, req.headers().get(Answer.SCENARIO_HEADER), body.toByteArray()));
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      failed(ctx, cause);
    }
  }

  /** Whole requests from the aggregator: chat completions, the model list, 404 for anything else. */
  static final class WholeRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      String path = new QueryStringDecoder(req.uri()).path();
      if (req.method().equals(HttpMethod.POST) && path.equals(Answer.CHAT_PATH)) {
        answer(ctx, req,
            Answer.to(true, req.headers().get(Answer.SCENARIO_HEADER), ByteBufUtil.getBytes(req.content())));
      } else if (req.method().equals(HttpMethod.GET) && path.equals(Answer.MODELS_PATH)) {
        answer(ctx, req, Answer.models());
      } else if (req.method().equals(HttpMethod.GET) && path.equals(Answer.HEALTH_PATH) && Answer.servesHealth()) {
        answer(ctx, req, Answer.health());
      } else {
        FullHttpResponse notFound = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND,
            Unpooled.copiedBuffer("not found", StandardCharsets.UTF_8));
        notFound.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
        send(ctx, req, notFound);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      failed(ctx, cause);
    }
  }

  /** A handler that threw: the connection is closed without an answer (a client gone is no error to print). */
  static void failed(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof IOException)) {
      cause.printStackTrace();
    }
    ctx.close();
  }

  static void answer(ChannelHandlerContext ctx, HttpRequest req, Answer answer) {
    switch (answer.kind()) {
      case FAIL :
        throw answer.failure();
      case JSON :
        FullHttpResponse full = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(answer.status()), Unpooled.wrappedBuffer(answer.bodyBytes()));
        full.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
        send(ctx, req, full);
        return;
      default :
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
        HttpUtil.setTransferEncodingChunked(head, true);
        HttpUtil.setKeepAlive(head, keepAlive);
        ctx.writeAndFlush(head);
        writeNext(ctx, answer.writes().iterator(), keepAlive);
    }
  }

  private static void send(ChannelHandlerContext ctx, HttpRequest req, FullHttpResponse response) {
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    HttpUtil.setContentLength(response, response.content().readableBytes());
    HttpUtil.setKeepAlive(response, keepAlive);
    ChannelFuture sent = ctx.writeAndFlush(response);
    if (!keepAlive) {
      sent.addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** The next write of a stream once the previous one is out, after its pause; nothing once the client is gone. */
  private static void writeNext(ChannelHandlerContext ctx, Iterator<Answer.Write> writes, boolean keepAlive) {
    if (!ctx.channel().isActive()) {
      return;
    }
    if (!writes.hasNext()) {
      ChannelFuture last = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
      if (!keepAlive) {
        last.addListener(ChannelFutureListener.CLOSE);
      }
      return;
    }
    Answer.Write write = writes.next();
    Runnable send = () -> ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(write.bytes())))
        .addListener(f -> {
          if (f.isSuccess()) {
            writeNext(ctx, writes, keepAlive);
          }
        });
    if (write.delayMs() > 0) {
      ctx.executor().schedule(send, write.delayMs(), TimeUnit.MILLISECONDS);
    } else {
      send.run();
    }
  }
}
