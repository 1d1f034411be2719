package dynamo.obs.benchmarks.stacks;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;

/**
 * The Netty stack of the CPU and start-up benchmarks: plain Netty 4.2 (NIO transport, {@link HttpServerCodec},
 * {@link HttpObjectAggregator}) with one handler that answers {@code POST /v1/chat/completions} at once
 * ({@link ChatAnswer}), writing and flushing each streamed event as a chunk. One boss thread accepts; the
 * default number of event-loop threads ({@code multiThreadIoEventLoopGroup-…}) serve the connections.
 *
 * <p>Usage: {@code java -cp dynamo-obs-benchmarks.jar:netty/* dynamo.obs.benchmarks.stacks.NettyChatApp <port>}
 * (binds 127.0.0.1; runs until killed).
 */
public final class NettyChatApp {
  private NettyChatApp() {
  }

  public static void main(String[] args) throws InterruptedException {
    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    EventLoopGroup workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    ChannelFuture bound = new ServerBootstrap()
        .group(boss, workers)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new ChatHandler());
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", ChatAnswer.port(args))).sync();
    System.out
        .println("netty42 chat app listening on " + ((InetSocketAddress) bound.channel().localAddress()).getPort());
  }

  private static final class ChatHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      if (!req.uri().equals(ChatAnswer.PATH) || !req.method().equals(HttpMethod.POST)) {
        FullHttpResponse notFound = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND);
        notFound.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
        finish(ctx.writeAndFlush(notFound), keepAlive);
        return;
      }
      ChatAnswer answer = ChatAnswer.to(ByteBufUtil.getBytes(req.content()));
      if (answer.streamed) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, ChatAnswer.SSE_TYPE);
        head.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        HttpUtil.setTransferEncodingChunked(head, true);
        ctx.writeAndFlush(head);
        for (byte[] event : answer.events) {
          ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(event)));
        }
        finish(ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT), keepAlive);
      } else {
        FullHttpResponse full = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
            Unpooled.wrappedBuffer(answer.body));
        full.headers().set(HttpHeaderNames.CONTENT_TYPE, ChatAnswer.JSON_TYPE);
        full.headers().set(HttpHeaderNames.CONTENT_LENGTH, answer.body.length);
        finish(ctx.writeAndFlush(full), keepAlive);
      }
    }

    private static void finish(ChannelFuture written, boolean keepAlive) {
      if (!keepAlive) {
        written.addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
