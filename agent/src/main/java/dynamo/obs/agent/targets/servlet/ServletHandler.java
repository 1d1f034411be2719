package dynamo.obs.agent.targets.servlet;

import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.ASYNC_STARTED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.BUFFER_ENTERED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.BUFFER_EXITED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.BYTES_EXITED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.CHARS_ENTERED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.CHARS_EXITED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.CHAR_EXITED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.CORE_NOT_FOUND;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.CORE_WRITE_ERROR;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.ERROR_PAGE;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.IO_ENTERED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.IO_EXITED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.IO_OPENED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.LINE_EXITED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.NOT_FOUND_SENT;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.READ_ARRAY_EXITED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.READ_BYTE_EXITED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.READ_CHARS_EXITED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.SERVICE_ENTERED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.SERVICE_EXITED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.WHOLE_CHARS_EXITED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.WRITE_ARRAY_EXITED;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.WRITE_BYTE_EXITED;

import dynamo.obs.agent.http.FrontendPortRoutes;
import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.agent.weaving.Instrumentations;
import dynamo.obs.agent.weaving.LibraryHandlers;
import dynamo.obs.bootstrap.Handler;
import java.nio.ByteBuffer;

/** The events of {@link ServletInstrumentation} (one handler for each servlet API package), for {@link ServletExchanges}. */
final class ServletHandler extends Handler {
  private final ServletExchanges exchanges;
  /** Null when the application's port answers no system routes. */
  private final ServletPortRoutes portRoutes;
  /** Jetty 12's core 404, read with Jetty's types ({@link JettyCoreAnswers}), per copy of Jetty. */
  private final LibraryHandlers jettyCore;

  ServletHandler(AgentServices services, String target) {
    this.exchanges = new ServletExchanges(services.frontend(), services.workers(), services.tracing(),
        services.errorsOf(target));
    FrontendPortRoutes routes = FrontendPortRoutes.of(services.config(), services.workers(), services.health(),
        services.metrics());
    this.portRoutes = routes == null ? null : new ServletPortRoutes(routes, exchanges::serving);
    this.jettyCore = new LibraryHandlers("org.eclipse.jetty.server.Response",
        ServletHandler.class.getPackageName() + ".JettyCoreAnswers",
        Instrumentations.number(target));
  }

  @Override
  public Object on(int event, Object a, Object b, Object c, Object d) throws Throwable {
    switch (event) {
      case SERVICE_ENTERED :
        return exchanges.serviceEntered(a, b) ? Boolean.TRUE : null;
      case SERVICE_EXITED :
        if (a != null) {
          exchanges.serviceExited((Throwable) b);
        }
        return null;
      case ASYNC_STARTED :
        exchanges.asyncStarted(a, b);
        return null;
      case IO_OPENED :
        exchanges.ioOpened(a, b);
        return null;
      case IO_ENTERED :
        return exchanges.ioEntered(a);
      case BUFFER_ENTERED :
        return exchanges.bufferEntered(a, (ByteBuffer) b);
      case CHARS_ENTERED :
        return exchanges.charsEntered(a);
      case IO_EXITED, LINE_EXITED, BUFFER_EXITED, WRITE_ARRAY_EXITED, WHOLE_CHARS_EXITED :
        if (a != null) { // the exits of the calls followed
          exited(event, a, b, (Throwable) c);
        }
        return null;
      default :
        return notFound(event, a, b, c, d);
    }
  }

  /** An exit given as {@code (call, value, throwable)}. */
  private void exited(int event, Object call, Object value, Throwable thrown) {
    switch (event) {
      case IO_EXITED -> exchanges.ioExited(call, (Throwable) value);
      case LINE_EXITED -> exchanges.lineExited(call, (String) value, thrown);
      case BUFFER_EXITED -> exchanges.ioExited(call, (ByteBuffer) value, thrown);
      case WRITE_ARRAY_EXITED -> {
        byte[] bytes = (byte[]) value;
        exchanges.ioExited(call, bytes, 0, bytes == null ? 0 : bytes.length, thrown);
      }
      case WHOLE_CHARS_EXITED -> {
        int len = value instanceof char[] chars ? chars.length : value instanceof String s ? s.length() : 0;
        exchanges.charsExited(call, value, 0, len, thrown);
      }
      default -> {
      }
    }
  }

  /** The agent's answers in place of the container's 404. */
  private Object notFound(int event, Object a, Object b, Object c, Object d) throws Throwable {
    if (portRoutes == null) {
      return null;
    }
    return switch (event) {
      case NOT_FOUND_SENT -> b instanceof Integer status && status == 404 && portRoutes.notFound(a)
          ? Boolean.TRUE
          : null;
      case ERROR_PAGE -> portRoutes.errorPage(a, b) ? Boolean.TRUE : null;
      case CORE_WRITE_ERROR -> d instanceof Integer status && status == 404 && a != null
          ? jettyCore.of(a).on(event, a, b, c, d)
          : null;
      case CORE_NOT_FOUND -> portRoutes.coreNotFound((String) a, (String) b, (String) c, (String) d);
      default -> null;
    };
  }

  @Override
  public void onData(int event, Object a, Object data, int i, int j, Object b) {
    if (a == null) {
      return; // a call not followed
    }
    switch (event) {
      case READ_BYTE_EXITED -> exchanges.ioExited(a, i, (Throwable) data);
      case WRITE_BYTE_EXITED -> exchanges.ioExited(a, i & 0xFF, (Throwable) data);
      case READ_ARRAY_EXITED -> exchanges.ioExited(a, (byte[]) data, 0, i, (Throwable) b);
      case BYTES_EXITED -> exchanges.ioExited(a, (byte[]) data, i, j, (Throwable) b);
      case CHARS_EXITED -> exchanges.charsExited(a, data, i, j, (Throwable) b);
      case READ_CHARS_EXITED -> exchanges.charsExited(a, data, 0, i, (Throwable) b);
      case CHAR_EXITED -> exchanges.charExited(a, i, (Throwable) data);
      default -> {
      }
    }
  }

  @Override
  public void turnedOff() {
    exchanges.abandonAll();
  }
}
