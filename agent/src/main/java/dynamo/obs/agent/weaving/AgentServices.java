package dynamo.obs.agent.weaving;

import dynamo.obs.agent.applog.LogCapture;
import dynamo.obs.agent.config.Config;
import dynamo.obs.agent.frontend.Frontend;
import dynamo.obs.agent.health.HealthState;
import dynamo.obs.agent.http.ServedRoutes;
import dynamo.obs.agent.metrics.AgentMetrics;
import dynamo.obs.agent.server.SystemPort;
import dynamo.obs.agent.trace.Tracing;
import dynamo.obs.agent.worker.WorkerRuntime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What a target's handler may use of the agent: made once at start, before any handler.
 *
 * @param routes the servers that listen and the routes they serve (every HTTP server target reports there)
 * @param workers the worker and router runtime; null unless the user named methods (then every request that is no
 *     inference request is a worker's inbound request)
 * @param tracing null when no spans are wanted (neither export nor JSONL logs)
 * @param systemPort the system status server's port; null when the server is off
 */
public record AgentServices(Config config, AgentMetrics metrics, HealthState health, Frontend frontend,
    ServedRoutes routes, WorkerRuntime workers, Tracing tracing, LogCapture logs, TargetErrors errors,
    SystemPort systemPort, List<Runnable> onActive) {

  public AgentServices(Config config, AgentMetrics metrics, HealthState health, Frontend frontend, ServedRoutes routes,
      WorkerRuntime workers, Tracing tracing, LogCapture logs, TargetErrors errors, SystemPort systemPort) {
    this(config, metrics, health, frontend, routes, workers, tracing, logs, errors, systemPort,
        new CopyOnWriteArrayList<>());
  }

  /** Where {@code target}'s own code reports an error it caught (counted and logged as the target's). */
  public Consumer<Throwable> errorsOf(String target) {
    return errors.reporterOf(target);
  }

  /** Runs {@code task} of {@code target} once the instrumentation is active (registrations that wait for it). */
  public void whenActive(String target, Runnable task) {
    Consumer<Throwable> failed = errorsOf(target);
    onActive.add(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        failed.accept(e);
      }
    });
  }

  /** The instrumentation is active: what waited for it runs. */
  public void instrumentationActive() {
    routes.activate();
    for (Runnable r : onActive) {
      r.run();
    }
  }
}
