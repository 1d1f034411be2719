package dynamo.obs.agent.targets.systemport;

import dynamo.obs.agent.server.SystemPort;
import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.agent.weaving.InstrumentationModule;
import dynamo.obs.agent.weaving.JdkWeave;
import dynamo.obs.agent.weaving.JdkWeave.Kind;
import dynamo.obs.bootstrap.Handler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The application's server sockets, as they bind: one that wants the system status server's port gets it
 * ({@link SystemPort}). Every server socket of the JDK binds through one of two methods — a {@code ServerSocketChannel}
 * (the JDK's HttpServer, Netty's NIO transport, Tomcat, Jetty, Undertow) or a {@code ServerSocket} (its
 * {@code NioSocketImpl}: Helidon) — so weaving both covers every server but those binding natively (Netty's epoll and
 * io_uring transports).
 */
public final class SystemPortInstrumentation implements InstrumentationModule {
  static final String NAME = "system-port";
  /** (the address asked for: an InetSocketAddress, or null for any). */
  static final int CHANNEL_BINDS = 0;
  /** onData (the address asked for or null, -, port, -, -). */
  static final int SOCKET_BINDS = 1;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "server sockets as the application binds them: DYN_SYSTEM_PORT set to the application's own port moves"
        + " the system status server out of the application's way instead of making its start fail";
  }

  @Override
  public Handler handler(AgentServices services) {
    SystemPort port = services.systemPort();
    return port == null ? null : new Handler() {
      @Override
      public Object on(int event, Object a, Object b, Object c, Object d) {
        if (event == CHANNEL_BINDS && a instanceof InetSocketAddress address) {
          port.applicationBinds(address.getAddress(), address.getPort());
        }
        return null;
      }

      @Override
      public void onData(int event, Object a, Object data, int i, int j, Object b) {
        if (event == SOCKET_BINDS) {
          port.applicationBinds((InetAddress) a, i);
        }
      }
    };
  }

  @Override
  public List<JdkWeave> jdkWeaves() {
    return List.of(
        new JdkWeave("sun.nio.ch.ServerSocketChannelImpl", "bind", "(Ljava/net/SocketAddress;I)", Kind.ENTER,
            CHANNEL_BINDS, "arg0"),
        new JdkWeave("sun.nio.ch.NioSocketImpl", "bind", "(Ljava/net/InetAddress;I)", Kind.ENTER, SOCKET_BINDS,
            "arg0", "arg1"));
  }
}
