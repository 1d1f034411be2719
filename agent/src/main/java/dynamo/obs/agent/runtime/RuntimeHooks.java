package dynamo.obs.agent.runtime;

import dynamo.obs.agent.health.HealthState;
import dynamo.obs.agent.log.AgentLog;
import dynamo.obs.agent.metrics.AgentMetrics;
import dynamo.obs.bootstrap.Hooks;

/** The runtime behind the bootstrap API: each call is caught whole so woven code never sees a throw. */
public final class RuntimeHooks extends Hooks {
  private static final AgentLog LOG = AgentLog.forTarget("dynamo_obs.advice");

  private final AgentMetrics metrics;
  private final JdkHttpServers jdkHttpServers;

  public RuntimeHooks(AgentMetrics metrics, HealthState health, HttpRoutes routes) {
    this.metrics = metrics;
    this.jdkHttpServers = new JdkHttpServers(routes, health);
  }

  /** Called once instrumentation is active so that waiting registrations take effect. */
  public void instrumentationActive() {
    try {
      jdkHttpServers.update();
    } catch (Throwable t) {
      adviceError("runtime", t);
    }
  }

  @Override
  public void httpServerContextCreated(Object server, String path) {
    try {
      jdkHttpServers.contextCreated(server, path);
    } catch (Throwable t) {
      adviceError("jdk-httpserver", t);
    }
  }

  @Override
  public void httpServerContextRemoved(Object server, String path) {
    try {
      jdkHttpServers.contextRemoved(server, path);
    } catch (Throwable t) {
      adviceError("jdk-httpserver", t);
    }
  }

  @Override
  public void httpServerStarted(Object server) {
    try {
      jdkHttpServers.started(server);
    } catch (Throwable t) {
      adviceError("jdk-httpserver", t);
    }
  }

  @Override
  public void httpServerStopped(Object server) {
    try {
      jdkHttpServers.stopped(server);
    } catch (Throwable t) {
      adviceError("jdk-httpserver", t);
    }
  }

  @Override
  public void adviceError(String site, Throwable error) {
    try {
      int colon = site.indexOf(':');
      metrics.adviceError(colon < 0 ? site : site.substring(0, colon));
      LOG.once(AgentLog.Level.WARN, site, "error inside " + site + " instrumentation (the application is"
          + " not affected; further errors here are only counted in dynamo_obs_advice_errors_total): " + error);
    } catch (Throwable ignored) {
      // never throw into woven code
    }
  }
}
