package dynamo.obs.agent.targets.routes;

import dynamo.obs.agent.http.ServedRoutes.Tls;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/**
 * The few public methods of library objects the routes target reads (a router's routes, a connector's address),
 * resolved once per class and called once per registration: the agent's loader cannot see the libraries' types.
 */
final class LibraryCalls {
  private final ClassValue<Map<String, Method>> methods = new ClassValue<>() {
    @Override
    protected Map<String, Method> computeValue(Class<?> type) {
      return new ConcurrentHashMap<>();
    }
  };

  /** The result of the public no-argument (or one-{@code String}) method {@code name} of {@code target}. */
  Object call(Object target, String name, Object... args) throws ReflectiveOperationException {
    Class<?> type = target.getClass();
    Method m = methods.get(type).get(name);
    if (m == null) {
      m = find(type, name, args.length);
      if (m == null) {
        throw new NoSuchMethodException(type.getName() + "." + name);
      }
      methods.get(type).put(name, m);
    }
    return m.invoke(target, args);
  }

  /** The method as declared by a public class or interface of the hierarchy (callable from another module). */
  private static Method find(Class<?> type, String name, int parameters) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      Method m = declared(c, name, parameters);
      if (m != null) {
        return m;
      }
      for (Class<?> i : c.getInterfaces()) {
        Method im = find(i, name, parameters);
        if (im != null) {
          return im;
        }
      }
    }
    return null;
  }

  private static Method declared(Class<?> c, String name, int parameters) {
    for (Method m : c.getDeclaredMethods()) {
      if (m.getName().equals(name) && m.getParameterCount() == parameters && !m.isBridge()) {
        if (Modifier.isPublic(c.getModifiers()) && Modifier.isPublic(m.getModifiers()) || m.trySetAccessible()) {
          return m;
        }
      }
    }
    return null;
  }

  /** Micronaut's {@code DefaultRouter.uriRoutes()}: each route's {@code getUriMatchTemplate()} as text. */
  String[] micronautRoutes(Object router) throws ReflectiveOperationException {
    List<String> patterns = new ArrayList<>();
    if (call(router, "uriRoutes") instanceof Stream<?> routes) {
      for (Iterator<?> i = routes.iterator(); i.hasNext();) {
        Object template = call(i.next(), "getUriMatchTemplate");
        if (template != null) {
          patterns.add(template.toString());
        }
      }
    }
    return patterns.toArray(new String[0]);
  }

  /** A Helidon listener's {@code Tls}: {@code enabled()}. */
  Tls helidonTls(Object tls) throws ReflectiveOperationException {
    return tls == null ? Tls.OFF : Boolean.TRUE.equals(call(tls, "enabled")) ? Tls.ON : Tls.OFF;
  }

  /** Each listener of an Undertow server ({@code getListenerInfo()}: protocol and bound address). */
  void undertowListeners(Object undertow, BiConsumer<InetSocketAddress, Tls> listener)
      throws ReflectiveOperationException {
    if (call(undertow, "getListenerInfo") instanceof List<?> infos) {
      for (Object info : infos) {
        Object protocol = call(info, "getProtcol");
        if (call(info, "getAddress") instanceof InetSocketAddress address && !"ajp".equals(protocol)) {
          listener.accept(address, "http".equals(protocol) ? Tls.OFF : "https".equals(protocol) ? Tls.ON : Tls.UNKNOWN);
        }
      }
    }
  }

  /** A started Tomcat connector's address ({@code getLocalPort()}, its {@code address} property); null unbound. */
  InetSocketAddress tomcatAddress(Object connector) throws Exception {
    Object port = call(connector, "getLocalPort");
    if (!(port instanceof Integer p) || p <= 0) {
      return null;
    }
    return RoutesHandler.address(call(connector, "getProperty", "address"), p);
  }

  Tls tomcatTls(Object connector) throws ReflectiveOperationException {
    return Boolean.TRUE.equals(call(connector, "getSecure")) || "https".equals(call(connector, "getScheme"))
        ? Tls.ON
        : Tls.OFF;
  }

  /** A Jetty connector's first protocol: {@code SSL} when it terminates TLS. */
  Tls jettyTls(Object connector) throws ReflectiveOperationException {
    Object protocol = call(connector, "getDefaultProtocol");
    return protocol instanceof String p && p.toUpperCase(Locale.ROOT).startsWith("SSL") ? Tls.ON : Tls.OFF;
  }

  /** A Netty channel's bound address, or null when it is not active (its bind failed). */
  InetSocketAddress nettyLocalAddress(Object channel) throws ReflectiveOperationException {
    if (!Boolean.TRUE.equals(call(channel, "isActive"))) {
      return null;
    }
    SocketAddress local = (SocketAddress) call(channel, "localAddress");
    return local instanceof InetSocketAddress a ? a : null;
  }
}
