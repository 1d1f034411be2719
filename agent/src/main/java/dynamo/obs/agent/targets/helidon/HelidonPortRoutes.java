package dynamo.obs.agent.targets.helidon;

import dynamo.obs.agent.http.FrontendPortRoutes;

/**
 * The system status server's routes on a Helidon SE server's port ({@link FrontendPortRoutes}), where Helidon itself
 * would answer 404 because no route of the application takes the request: its routing found none
 * ({@code RoutingExecutor.doRoute} returned {@code NONE}, after which it throws its "Endpoint not found"). For a GET
 * or HEAD of one of the routes the agent sends the answer through the request's own response and tells the routing
 * it finished ({@code FINISH}: Helidon commits the response as after any handler); a route of the application's,
 * a filter that answered, and a 404 a handler of its own gives stay the application's.
 */
final class HelidonPortRoutes {
  /** The routing's "finished" result, of the result type a Helidon defines. */
  private static final ClassValue<Object> FINISH = new ClassValue<>() {
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    protected Object computeValue(Class<?> resultType) {
      return Enum.valueOf((Class) resultType, "FINISH");
    }
  };

  private final FrontendPortRoutes routes;

  HelidonPortRoutes(FrontendPortRoutes routes) {
    this.routes = routes;
  }

  /**
   * The routing found no route for {@code request} ({@code result} is its {@code NONE}): {@code FINISH} when the
   * agent answered on {@code response}, else {@code result}.
   */
  Object noRoute(Object result, Object request, Object response) throws Throwable {
    HelidonApi api = HelidonApi.of(request);
    Object prologue = api.prologue(request);
    String method = api.method(prologue);
    String path = api.path(prologue);
    if (!routes.answers(method, path)) {
      return result;
    }
    Object headers = api.headers(request);
    Object[] answer = routes.answerFields(method, path, api.header(headers, "accept"),
        api.header(headers, "accept-encoding"));
    Object finish = FINISH.get(((Enum<?>) result).getDeclaringClass()); // before a byte is sent: it may fail
    api.send(response, (Integer) answer[0], (String) answer[1], (String) answer[2], (Integer) answer[3],
        (byte[]) answer[4]);
    return finish;
  }
}
