package dynamo.obs.agent.targets.servlet;

import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.ASYNC_STARTED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.BUFFER_EXITED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.BYTES_EXITED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.BYTE_EXITED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.CHARS_ENTERED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.CHARS_EXITED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.CHAR_EXITED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.CORE_NOT_FOUND;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.ERROR_PAGE;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.IO_ENTERED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.IO_EXITED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.IO_OPENED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.LINE_EXITED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.NOT_FOUND_SENT;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.SERVICE_ENTERED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.SERVICE_EXITED;

import dynamo.obs.agent.http.FrontendPortRoutes;
import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.bootstrap.Handler;
import java.nio.ByteBuffer;

/** The events of {@link ServletInstrumentation} (one handler for each servlet API package), for {@link ServletExchanges}. */
final class ServletHandler extends Handler {
  private final ServletExchanges exchanges;
  /** Null when the application's port answers no system routes. */
  private final ServletPortRoutes portRoutes;

  ServletHandler(AgentServices services, String target) {
    this.exchanges = new ServletExchanges(services.frontend(), services.workers(), services.tracing(),
        services.errorsOf(target));
    FrontendPortRoutes routes = FrontendPortRoutes.of(services.config(), services.workers(), services.health(),
        services.metrics());
    this.portRoutes = routes == null ? null : new ServletPortRoutes(routes, exchanges::serving);
  }

  @Override
  public Object on(int event, Object a, Object b, Object c, Object d) throws ReflectiveOperationException {
    switch (event) {
      case SERVICE_ENTERED :
        return exchanges.serviceEntered(a, b) ? Boolean.TRUE : null;
      case SERVICE_EXITED :
        exchanges.serviceExited((Throwable) a);
        return null;
      case ASYNC_STARTED :
        exchanges.asyncStarted(a, b);
        return null;
      case IO_OPENED :
        exchanges.ioOpened(a, b);
        return null;
      case IO_ENTERED :
        return exchanges.ioEntered(a);
      case CHARS_ENTERED :
        return exchanges.charsEntered(a);
      case IO_EXITED :
        exchanges.ioExited(a, (Throwable) b);
        return null;
      case LINE_EXITED :
        exchanges.lineExited(a, (String) b, (Throwable) c);
        return null;
      case NOT_FOUND_SENT :
        return portRoutes != null && portRoutes.notFound(a) ? Boolean.TRUE : null;
      case ERROR_PAGE :
        return portRoutes != null && portRoutes.errorPage(a, b) ? Boolean.TRUE : null;
      case CORE_NOT_FOUND :
        return portRoutes == null ? null : portRoutes.coreNotFound((String) a, (String) b, (String) c, (String) d);
      default :
        return null;
    }
  }

  @Override
  public void onData(int event, Object a, Object data, int i, int j, Object b) {
    Throwable thrown = (Throwable) b;
    switch (event) {
      case BYTE_EXITED -> exchanges.ioExited(a, i, thrown);
      case BYTES_EXITED -> exchanges.ioExited(a, (byte[]) data, i, j, thrown);
      case BUFFER_EXITED -> exchanges.ioExited(a, (ByteBuffer) data, i, thrown);
      case CHARS_EXITED -> exchanges.charsExited(a, data, i, j, thrown);
      case CHAR_EXITED -> exchanges.charExited(a, i, thrown);
      default -> {
      }
    }
  }

  @Override
  public void turnedOff() {
    exchanges.abandonAll();
  }
}
