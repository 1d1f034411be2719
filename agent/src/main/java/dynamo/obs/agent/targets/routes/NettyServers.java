package dynamo.obs.agent.targets.routes;

import dynamo.obs.agent.http.ServedRoutes;
import dynamo.obs.agent.http.ServedRoutes.Tls;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Netty server channels, from {@code ServerBootstrap.init} to their bind. Whose server a channel is shows in the
 * handler its accepted connections start with (the bootstrap's child handler): Vert.x's, Reactor Netty's,
 * Micronaut's — whose route tables say what they serve — or the application's own (Reactor Netty uses no bootstrap:
 * its acceptor in the server channel's pipeline says so). The application's own is an HTTP
 * server when its initializer adds Netty's HTTP server codec ({@code HttpServerCodec} or an {@code
 * HttpRequestDecoder}): seen in the class file of the initializer and the classes nested with it, since the
 * pipeline itself is built only per connection. Such a server routes in the application's code: it has no table.
 */
final class NettyServers {
  private static final byte[][] HTTP_CODECS = {bytes("io/netty/handler/codec/http/HttpServerCodec"),
      bytes("io/netty/handler/codec/http/HttpRequestDecoder")};
  private static final byte[] TLS = bytes("io/netty/handler/ssl/");
  /** Bound on the classes read for one initializer (its nest). */
  private static final int MAX_CLASSES = 64;

  private record Kind(String stack, Tls tls, boolean routesAll) {
  }

  private final ServedRoutes routes;
  private final LibraryCalls calls;
  /** Server channels set up and not yet bound; weak: a channel that never binds is not pinned. */
  private final Map<Object, Kind> pending = new WeakHashMap<>();

  NettyServers(ServedRoutes routes, LibraryCalls calls) {
    this.routes = routes;
    this.calls = calls;
  }

  /** {@code ServerBootstrap.init}: a server channel whose connections start with {@code childHandler}. */
  synchronized void serverChannel(Object channel, Object childHandler) {
    Kind kind = kind(childHandler);
    if (kind != null) {
      pending.put(channel, kind);
    }
  }

  /** A channel's bind returned: when it is a server channel of an HTTP stack and bound, it listens. */
  void bound(Object channel) throws ReflectiveOperationException {
    Kind kind;
    synchronized (this) {
      kind = pending.remove(channel);
    }
    if (kind == null) {
      kind = acceptedBy(channel);
    }
    if (kind != null) {
      InetSocketAddress address = calls.nettyLocalAddress(channel);
      if (address != null) {
        routes.listening(channel, kind.stack, address, kind.tls, kind.routesAll);
      }
    }
  }

  /**
   * Reactor Netty sets its server channels up without a {@code ServerBootstrap}: its acceptor, in the server
   * channel's pipeline before the bind, says whose it is.
   */
  private Kind acceptedBy(Object channel) throws ReflectiveOperationException {
    Object pipeline = calls.call(channel, "pipeline");
    if (pipeline != null && calls.call(pipeline, "toMap") instanceof Map<?, ?> handlers) {
      for (Object handler : handlers.values()) {
        if (handler != null && handler.getClass().getName().startsWith("reactor.netty.")) {
          return new Kind(RoutesHandler.REACTOR_NETTY, Tls.UNKNOWN, false);
        }
      }
    }
    return null;
  }

  private static Kind kind(Object childHandler) {
    if (childHandler == null) {
      return null;
    }
    String name = childHandler.getClass().getName();
    if (name.startsWith("io.vertx.")) {
      return new Kind(RoutesHandler.VERTX, Tls.UNKNOWN, false);
    }
    if (name.startsWith("reactor.netty.")) {
      return new Kind(RoutesHandler.REACTOR_NETTY, Tls.UNKNOWN, false);
    }
    if (name.startsWith("io.micronaut.")) {
      return new Kind(RoutesHandler.MICRONAUT, Tls.UNKNOWN, false);
    }
    boolean http = false;
    boolean tls = false;
    Set<Class<?>> classes = new LinkedHashSet<>();
    classes.add(childHandler.getClass());
    Class<?> host = childHandler.getClass().getNestHost();
    classes.add(host);
    for (Class<?> member : host.getNestMembers()) {
      if (classes.size() >= MAX_CLASSES) {
        break;
      }
      classes.add(member);
    }
    for (Class<?> c : classes) {
      byte[] file = classFile(c);
      for (byte[] codec : HTTP_CODECS) {
        http |= contains(file, codec);
      }
      tls |= contains(file, TLS);
    }
    return http ? new Kind(RoutesHandler.NETTY, tls ? Tls.UNKNOWN : Tls.OFF, true) : null;
  }

  private static byte[] classFile(Class<?> c) {
    ClassLoader loader = c.getClassLoader();
    if (loader == null) {
      return new byte[0];
    }
    try (InputStream in = loader.getResourceAsStream(c.getName().replace('.', '/') + ".class")) {
      return in == null ? new byte[0] : in.readAllBytes();
    } catch (IOException e) {
      return new byte[0];
    }
  }

  /** Whether {@code needle} occurs in {@code file} (a class's constant pool holds the names it refers to). */
  static boolean contains(byte[] file, byte[] needle) {
    outer : for (int i = 0; i <= file.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (file[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
