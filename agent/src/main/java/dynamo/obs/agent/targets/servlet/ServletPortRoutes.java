package dynamo.obs.agent.targets.servlet;

import dynamo.obs.agent.http.FrontendPortRoutes;
import dynamo.obs.agent.server.HttpResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.Supplier;

/**
 * The system status server's routes on a servlet container's port ({@link FrontendPortRoutes}), where the
 * container answers 404 because nothing of the application serves the request:
 * <ul>
 *   <li>{@code sendError(404)} — what the container's own default servlet and its "no such context" path call
 *       (Jetty's {@code Default404Servlet}, Tomcat's {@code DefaultServlet}, {@code StandardContextValve},
 *       {@code StandardHostValve}), and a framework's front servlet for a path it has no handler for: the agent
 *       writes its answer and the call does nothing;
 *   <li>Jetty 9 to 11's {@code ErrorHandler} rendering a 404 outside any servlet (a request no context takes): the
 *       agent writes its answer instead of the error page (skipping the {@code sendError} there would leave that
 *       request unfinished);
 *   <li>Jetty 12's core {@code Response.writeError(…, 404, …)} for a request no context takes: the advice writes
 *       the answer given here.
 * </ul>
 * A servlet of the application that serves one of the paths answers it as ever: none of these is reached.
 */
final class ServletPortRoutes {
  /** Jetty 9 to 11's own response; outside a servlet, its {@code sendError} is finished by its ErrorHandler. */
  private static final String JETTY_RESPONSE = "org.eclipse.jetty.server.Response";

  private final FrontendPortRoutes routes;
  /** The container's request served on this thread (a servlet or filter of it runs), or null. */
  private final Supplier<Object> serving;

  ServletPortRoutes(FrontendPortRoutes routes, Supplier<Object> serving) {
    this.routes = routes;
    this.serving = serving;
  }

  /** {@code sendError(404)} was called on {@code response}: true when the agent answered instead. */
  boolean notFound(Object response) throws ReflectiveOperationException {
    ServletApi api = ServletApi.of(response);
    if (api == null) {
      return false;
    }
    Object request = serving.get();
    if (request == null) {
      if (response.getClass().getName().equals(JETTY_RESPONSE)) {
        return false; // answered where its ErrorHandler renders the page
      }
      request = api.requestOf(response);
    }
    return request != null && answer(api, request, response);
  }

  /** Jetty 9 to 11's ErrorHandler is about to render the error page of a request: true when the agent answered. */
  boolean errorPage(Object request, Object response) throws ReflectiveOperationException {
    ServletApi api = ServletApi.of(response);
    return api != null && api.status(response) == 404 && answer(api, request, response);
  }

  private boolean answer(ServletApi api, Object request, Object response) throws ReflectiveOperationException {
    String method = api.method(request);
    String path = api.requestUri(request);
    if (!routes.answers(method, path) || api.isCommitted(response)) {
      return false;
    }
    OutputStream out;
    try {
      out = api.outputStream(response);
    } catch (ReflectiveOperationException e) {
      return false; // the application took the response's writer: its own 404 goes out
    }
    HttpResponse answer = routes.answer(method, path, api.header(request, "accept"),
        api.header(request, "accept-encoding"));
    api.answer(response, answer.status(), answer.contentType(), answer.contentEncoding(), answer.body().length);
    try {
      if (!method.equals("HEAD")) {
        out.write(answer.body());
      }
      api.flush(response);
    } catch (IOException e) {
      // the client went away: the container finds out as it finishes the response
    }
    return true;
  }

  /**
   * Jetty 12's core answers 404 to a request: the agent's answer to send instead — status, content type, content
   * encoding or null, content length, body (empty for HEAD) — or null.
   */
  Object[] coreNotFound(String method, String path, String accept, String acceptEncoding) {
    return routes.answerFields(method, path, accept, acceptEncoding);
  }
}
