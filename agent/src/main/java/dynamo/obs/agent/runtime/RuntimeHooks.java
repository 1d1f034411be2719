package dynamo.obs.agent.runtime;

import dynamo.obs.agent.frontend.Frontend;
import dynamo.obs.agent.frontend.FrontendRequest;
import dynamo.obs.agent.health.HealthState;
import dynamo.obs.agent.log.AgentLog;
import dynamo.obs.agent.logs.LogCapture;
import dynamo.obs.agent.logs.LogFramework;
import dynamo.obs.agent.metrics.AgentMetrics;
import dynamo.obs.agent.trace.ActiveSpan;
import dynamo.obs.agent.trace.Tracing;
import dynamo.obs.agent.worker.WorkerRuntime;
import dynamo.obs.bootstrap.Hooks;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.ResourceBundle;

/** The runtime behind the bootstrap API: each call is caught whole so woven code never sees a throw. */
public final class RuntimeHooks extends Hooks {
  private static final AgentLog LOG = AgentLog.forTarget("dynamo_obs.advice");

  private final AgentMetrics metrics;
  private final JdkHttpServers jdkHttpServers;
  private final JdkHttpExchanges jdkHttpExchanges;
  private final ServletExchanges servletExchanges;
  private final WorkerRuntime workers;

  /** {@code tracing} is null when no spans are wanted (neither export nor JSONL logs). */
  public RuntimeHooks(AgentMetrics metrics, HealthState health, HttpRoutes routes, Frontend frontend,
      WorkerRuntime workers, Tracing tracing) {
    this.metrics = metrics;
    this.workers = workers;
    this.jdkHttpServers = new JdkHttpServers(routes, health, frontend);
    this.jdkHttpExchanges = new JdkHttpExchanges(frontend, workers, tracing);
    if (tracing != null) {
      ActiveSpan.source(RequestContext::active);
    }
    if (workers != null) {
      workers.traced(tracing, RequestContext.CALLS); // the request context, with or without spans
    }
    this.servletExchanges = new ServletExchanges(frontend, workers, tracing, this::adviceError);
    FrontendRequest.errorSink(t -> adviceError("jdk-httpserver:recorder", t));
  }

  /** Called once instrumentation is active so that waiting registrations take effect. */
  public void instrumentationActive() {
    try {
      jdkHttpServers.update();
      if (workers != null) {
        workers.instrumentationActive();
      }
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
  public void httpServerContextObjectRemoved(Object server, Object context) {
    try {
      if (context instanceof com.sun.net.httpserver.HttpContext) {
        jdkHttpServers.contextRemoved(server, ((com.sun.net.httpserver.HttpContext) context).getPath());
      }
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
  public void jdkExchangeStarted(Object exchange, String method, URI uri, Map<String, List<String>> headers) {
    try {
      jdkHttpExchanges.started(exchange, method, uri, headers);
    } catch (Throwable t) {
      adviceError("jdk-httpserver", t);
    }
  }

  @Override
  public InputStream jdkRequestBody(Object exchange, InputStream body) {
    try {
      return jdkHttpExchanges.requestBody(exchange, body);
    } catch (Throwable t) {
      adviceError("jdk-httpserver", t);
      return body;
    }
  }

  @Override
  public void jdkResponseHeaders(Object exchange, int status, Map<String, List<String>> headers) {
    try {
      jdkHttpExchanges.responseHeaders(exchange, status, headers);
    } catch (Throwable t) {
      adviceError("jdk-httpserver", t);
    }
  }

  @Override
  public OutputStream jdkResponseBody(Object exchange, OutputStream body) {
    try {
      return jdkHttpExchanges.responseBody(exchange, body);
    } catch (Throwable t) {
      adviceError("jdk-httpserver", t);
      return body;
    }
  }

  @Override
  public void jdkExchangeClosed(Object exchange) {
    try {
      jdkHttpExchanges.closed(exchange);
    } catch (Throwable t) {
      adviceError("jdk-httpserver", t);
    }
  }

  @Override
  public void jdkExchangeRunEnded() {
    try {
      jdkHttpExchanges.runEnded();
    } catch (Throwable t) {
      adviceError("jdk-httpserver", t);
    }
  }

  @Override
  public void outboundHttpRequest(Object request) {
    try {
      RequestContext.onHttpRequest(request);
    } catch (Throwable t) {
      adviceError("jdk-httpclient", t);
    }
  }

  @Override
  public void outboundHttpRequestFollowed(Object request, Object previous) {
    try {
      RequestContext.onHttpRequestFollowed(request, previous);
    } catch (Throwable t) {
      adviceError("jdk-httpclient", t);
    }
  }

  @Override
  public void outboundUrlConnection(Object connection) {
    try {
      RequestContext.onUrlConnection(connection);
    } catch (Throwable t) {
      adviceError("jdk-httpclient", t);
    }
  }

  @Override
  public Object wrapTask(Object task) {
    try {
      return RequestContext.wrapTask(task);
    } catch (Throwable t) {
      adviceError("executors", t);
      return task;
    }
  }

  @Override
  public void futureTaskCreated(Object task) {
    try {
      RequestContext.futureTaskCreated(task);
    } catch (Throwable t) {
      adviceError("executors", t);
    }
  }

  @Override
  public Object futureTaskStarted(Object task) {
    try {
      return RequestContext.futureTaskStarted(task);
    } catch (Throwable t) {
      adviceError("executors", t);
      return null;
    }
  }

  @Override
  public void futureTaskEnded(Object token) {
    try {
      RequestContext.futureTaskEnded(token);
    } catch (Throwable t) {
      adviceError("executors", t);
    }
  }

  @Override
  public void jdkHandlerFailed(Throwable error) {
    try {
      jdkHttpExchanges.handlerFailed();
    } catch (Throwable t) {
      adviceError("jdk-httpserver", t);
    }
  }

  @Override
  public boolean servletServiceEntered(Object request, Object response) {
    try {
      return servletExchanges.serviceEntered(request, response);
    } catch (Throwable t) {
      adviceError(ServletExchanges.instrumentation(request), t);
      return false;
    }
  }

  @Override
  public void servletServiceExited(Throwable error) {
    try {
      servletExchanges.serviceExited(error);
    } catch (Throwable t) {
      adviceError(ServletExchanges.instrumentation(null), t);
    }
  }

  @Override
  public void servletAsyncStarted(Object request, Object asyncContext) {
    try {
      servletExchanges.asyncStarted(request, asyncContext);
    } catch (Throwable t) {
      adviceError(ServletExchanges.instrumentation(request), t);
    }
  }

  @Override
  public void servletIoOpened(Object owner, Object io) {
    try {
      servletExchanges.ioOpened(owner, io);
    } catch (Throwable t) {
      adviceError(ServletExchanges.instrumentation(owner), t);
    }
  }

  @Override
  public Object servletIoEntered(Object io) {
    try {
      return servletExchanges.ioEntered(io);
    } catch (Throwable t) {
      adviceError(ServletExchanges.instrumentation(io), t);
      return null;
    }
  }

  @Override
  public void servletIoExited(Object call, Throwable error) {
    try {
      servletExchanges.ioExited(call, error);
    } catch (Throwable t) {
      adviceError(ServletExchanges.instrumentation(call), t);
    }
  }

  @Override
  public void servletIoExited(Object call, int oneByte, Throwable error) {
    try {
      servletExchanges.ioExited(call, oneByte, error);
    } catch (Throwable t) {
      adviceError(ServletExchanges.instrumentation(call), t);
    }
  }

  @Override
  public void servletIoExited(Object call, byte[] b, int off, int len, Throwable error) {
    try {
      servletExchanges.ioExited(call, b, off, len, error);
    } catch (Throwable t) {
      adviceError(ServletExchanges.instrumentation(call), t);
    }
  }

  @Override
  public void servletIoExited(Object call, java.nio.ByteBuffer buffer, int from, Throwable error) {
    try {
      servletExchanges.ioExited(call, buffer, from, error);
    } catch (Throwable t) {
      adviceError(ServletExchanges.instrumentation(call), t);
    }
  }

  @Override
  public Object servletCharsEntered(Object writerOrReader) {
    try {
      return servletExchanges.charsEntered(writerOrReader);
    } catch (Throwable t) {
      adviceError(ServletExchanges.instrumentation(writerOrReader), t);
      return null;
    }
  }

  @Override
  public void servletCharsExited(Object call, Object chars, int off, int len, Throwable error) {
    try {
      servletExchanges.charsExited(call, chars, off, len, error);
    } catch (Throwable t) {
      adviceError(ServletExchanges.instrumentation(call), t);
    }
  }

  @Override
  public void servletCharExited(Object call, int c, Throwable error) {
    try {
      servletExchanges.charExited(call, c, error);
    } catch (Throwable t) {
      adviceError(ServletExchanges.instrumentation(call), t);
    }
  }

  @Override
  public void servletLineExited(Object call, String line, Throwable error) {
    try {
      servletExchanges.lineExited(call, line, error);
    } catch (Throwable t) {
      adviceError(ServletExchanges.instrumentation(call), t);
    }
  }

  @Override
  public Object workerCallStarted(String site, Object[] args) {
    try {
      return workers == null ? null : workers.workerCallStarted(site, args);
    } catch (Throwable t) {
      adviceError("methods", t);
      return null;
    }
  }

  @Override
  public Object workerCallEnded(Object call, Object result, Throwable error) {
    try {
      return workers.workerCallEnded(call, result, error);
    } catch (Throwable t) {
      adviceError("methods", t);
      return result;
    }
  }

  @Override
  public Object routerCallStarted(String site, Object[] args) {
    try {
      return workers == null ? null : workers.routerCallStarted(site, args);
    } catch (Throwable t) {
      adviceError("methods", t);
      return null;
    }
  }

  @Override
  public void routerCallEnded(Object call, Object result, Throwable error) {
    try {
      workers.routerCallEnded(call, result, error);
    } catch (Throwable t) {
      adviceError("methods", t);
    }
  }

  @Override
  public void handlerInvoked(Object handler, String method, String descriptor, Object first) {
    try {
      if (workers != null) {
        workers.handlerInvoked(handler, method, descriptor, first);
      }
    } catch (Throwable t) {
      adviceError("methods", t);
    }
  }

  private LogCapture logs;

  /** Application log events go to {@code capture} (set before these hooks are installed). */
  public void logCapture(LogCapture capture) {
    this.logs = capture;
  }

  @Override
  public Object logEventStarted(int framework, int level, String logger, String message, Object[] parameters,
      ResourceBundle bundle, Throwable thrown, Instant time, StackTraceElement location, Map<String, String> fields) {
    try {
      return logs == null ? null : logs.started(LogFramework.of(framework), level, logger, message, parameters,
          bundle, thrown, time, location, fields);
    } catch (Throwable t) {
      adviceError(LogFramework.of(framework).instrumentation, t);
      return null;
    }
  }

  @Override
  public void logEventEnded(Object dispatch) {
    try {
      logs.ended(dispatch);
    } catch (Throwable t) {
      adviceError("logging", t);
    }
  }

  @Override
  public boolean logConsoleLine(int framework, boolean stderr) {
    try {
      return logs != null && logs.consoleLine(stderr);
    } catch (Throwable t) {
      adviceError(LogFramework.of(framework).instrumentation, t);
      return false;
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
