package dynamo.obs.agent.targets.servlet;

import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.CORE_NOT_FOUND;
import static dynamo.obs.agent.targets.servlet.ServletInstrumentation.CORE_WRITE_ERROR;

import dynamo.obs.bootstrap.Dispatch;
import dynamo.obs.bootstrap.Handler;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty 12's core {@code Response.writeError(request, response, callback, status, message, cause)}, where every other
 * {@code writeError} ends, read with Jetty's own types: this class is defined in the class loader of the application's
 * Jetty ({@code LibraryHandlers}), never loaded by the agent's, and refers only to Jetty, the JDK and the bootstrap API.
 * A 404 to a system status route of a frontend is answered with the agent's answer ({@code CORE_NOT_FOUND}, asked of
 * {@link ServletHandler} through {@link Dispatch}) instead, written as the error would have been (last, completing the
 * callback).
 */
public final class JettyCoreAnswers extends Handler {
  private final int target;

  public JettyCoreAnswers(int target) {
    this.target = target;
  }

  @Override
  public Object on(int event, Object a, Object b, Object c, Object d) {
    if (event != CORE_WRITE_ERROR || !(a instanceof Request request) || !(b instanceof Response response)
        || !(c instanceof Callback callback) || response.isCommitted()) {
      return null;
    }
    HttpFields asked = request.getHeaders();
    Object answer = Dispatch.on(request.getMethod(), request.getHttpURI().getPath(), asked.get("accept"),
        asked.get("accept-encoding"), target, CORE_NOT_FOUND);
    if (!(answer instanceof Object[] x)) {
      return null;
    }
    response.setStatus((Integer) x[0]);
    HttpFields.Mutable headers = response.getHeaders();
    headers.put("Content-Type", (String) x[1]);
    if (x[2] != null) {
      headers.put("Content-Encoding", (String) x[2]);
    }
    headers.put("Content-Length", String.valueOf(x[3]));
    response.write(true, ByteBuffer.wrap((byte[]) x[4]), callback);
    return Boolean.TRUE;
  }
}
