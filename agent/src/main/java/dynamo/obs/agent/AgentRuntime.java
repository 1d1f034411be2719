package dynamo.obs.agent;

import dynamo.obs.agent.config.Config;
import dynamo.obs.agent.config.ConfigSource;
import dynamo.obs.agent.export.OtlpPipeline;
import dynamo.obs.agent.trace.Tracing;
import dynamo.obs.agent.frontend.Frontend;
import dynamo.obs.agent.health.Canary;
import dynamo.obs.agent.health.HealthState;
import dynamo.obs.agent.console.AgentLog;
import dynamo.obs.agent.applog.AgentEvents;
import dynamo.obs.agent.applog.LogCapture;
import dynamo.obs.agent.metrics.AgentMetrics;
import dynamo.obs.agent.metrics.TraceExemplars;
import dynamo.obs.agent.resources.ResourceMonitor;
import dynamo.obs.agent.http.HttpRoutes;
import dynamo.obs.agent.http.HttpStacks;
import dynamo.obs.agent.http.ServedRoutes;
import dynamo.obs.agent.weaving.InstrumentationInstaller;
import dynamo.obs.agent.targets.methods.MethodSelection;
import dynamo.obs.agent.worker.ComponentIdentity;
import dynamo.obs.agent.worker.WorkerRuntime;
import dynamo.obs.agent.server.SystemPort;
import dynamo.obs.agent.server.SystemRoutes;
import dynamo.obs.agent.server.SystemStatusServer;
import dynamo.obs.bootstrap.Dispatch;
import dynamo.obs.bootstrap.Handler;
import dynamo.obs.agent.context.RequestContext;
import dynamo.obs.agent.trace.ActiveSpan;
import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.agent.weaving.EarlyWeaving;
import dynamo.obs.agent.weaving.InjectedFailure;
import dynamo.obs.agent.weaving.TargetErrors;
import dynamo.obs.agent.weaving.InstrumentationModule;
import dynamo.obs.agent.targets.methods.LangChain4jEngineCalls;
import dynamo.obs.agent.weaving.Instrumentations;
import dynamo.obs.agent.targets.otelapi.ApplicationApiBridge;
import dynamo.obs.agent.targets.otelapi.OpenTelemetryApiInstrumentation;
import dynamo.obs.bootstrap.otel.OpenTelemetryBridge;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.io.DataInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent runtime's start. On the premain thread only the configuration
 * is read (so its warnings come first and in order); everything else — the system status server,
 * metrics and Byte Buddy, which alone costs about half a second of class loading — runs on one
 * background thread, so the application's main starts at once. Health stays notready until the
 * instrumentation is active.
 */
public final class AgentRuntime {
  static final String TARGET = "dynamo_obs";
  private static final AgentLog LOG = AgentLog.forTarget(TARGET);

  private AgentRuntime() {
  }

  static void start(Instrumentation inst, long startNanos) {
    Config config = Config.read(ConfigSource.system(), Instrumentations.names());
    AgentLog.configure(config.loggingJsonl, config.logUseLocalTz, config.logFilter);
    AgentEvents.configure(config.loggingSpanEvents && config.loggingJsonl);
    for (String warning : config.warnings()) {
      LOG.warn(warning);
    }
    // before the application's main: its start-up (routes registered, servers bound) happens once
    EarlyWeaving early = EarlyWeaving.start(inst, config);
    Thread init = new Thread(() -> initialise(inst, config, early, startNanos), "dynamo-obs-init");
    init.setDaemon(true);
    init.start();
  }

  private static void initialise(Instrumentation inst, Config config, EarlyWeaving early, long startNanos) {
    try {
      HealthState health = new HealthState(config.startingHealthStatus, config.useEndpointHealthStatus,
          config.healthCheckEnabled, startNanos);
      String workerId = workerId();
      AgentMetrics metrics = new AgentMetrics(workerId, Version.get(), () -> System.nanoTime() - startNanos);
      metrics.configWarnings(config.warnings().size());
      Frontend frontend = new Frontend(config, metrics.registry(), health, metrics::seriesRefused);
      if (config.healthCheckEnabled) {
        frontend.canary(new Canary(config, health));
      }
      String id = workerId;
      String routerId = Long.toUnsignedString(Long.parseUnsignedLong(id, 16));
      WorkerRuntime workers = new WorkerRuntime(
          new ComponentIdentity(config.namespace, config.component != null ? config.component : "backend",
              config.endpoint, id, routerId),
          new ComponentIdentity(config.namespace, config.component != null ? config.component : "router",
              config.endpoint, id, routerId),
          config.model, config.maxModels, metrics.registry(), health, metrics::seriesRefused);
      MethodSelection methods = new MethodSelection(config.routerMethods, config.workerMethods,
          config.instrumentationEnabled(LangChain4jEngineCalls.NAME), workers);
      Tracing tracing = startTracing(config, metrics);
      WorkerRuntime served = methods.isEmpty() ? null : workers;
      if (tracing != null) {
        ActiveSpan.source(RequestContext::active);
      }
      if (served != null) {
        served.traced(tracing, RequestContext.CALLS); // the request context, with or without spans
      }
      TargetErrors errors = new TargetErrors(metrics);
      Dispatch.failures(errors);
      SystemPort systemPort = config.systemServerEnabled()
          ? new SystemPort(config.systemHost,
              new SystemRoutes(config.healthPath, config.livePath, health, metrics),
              config.healthPath + ", " + config.livePath + ", /metrics")
          : null;
      ServedRoutes routes = new ServedRoutes(new HttpRoutes(config.inferencePaths), health, frontend,
          methods.isEmpty());
      AgentServices services = new AgentServices(config, metrics, health, frontend, routes, served, tracing,
          new LogCapture(config.logFilter, config.loggingJsonl, config.logUseLocalTz), errors, systemPort);

      List<InstrumentationModule> enabled = new ArrayList<>();
      List<String> names = new ArrayList<>();
      List<InstrumentationModule> all = new ArrayList<>(Instrumentations.all());
      if (!methods.isEmpty()) {
        all.add(methods.module());
      }
      for (InstrumentationModule m : all) {
        // the application's OpenTelemetry API is bridged only to spans: without them it is left alone, and
        // Byte Buddy is not loaded for it
        boolean wanted = tracing != null || !m.name().equals(OpenTelemetryApiInstrumentation.NAME);
        if (wanted && config.instrumentationEnabled(m.name())) {
          enabled.add(m);
          names.add(m.name());
          // each target's handler is in place before anything is woven
          Handler handler = m.handler(services);
          if (handler != null) {
            early.install(m.name(), Instrumentations.number(m.name()), InjectedFailure.around(m.name(), handler));
          }
        }
      }
      early.reportWoven(metrics::typeInstrumented);
      methods.installedWith(inst, metrics);
      // the system status server starts once the JDK's classes are woven: an application that binds its port then
      // finds it given up (targets/systemport), and before Byte Buddy, which may take a while
      InstrumentationInstaller.install(inst, enabled, metrics, methods::woven, () -> {
        String server = startServer(config, systemPort);
        LOG.info("dynamo-obs " + Version.get() + " started: " + server + "; " + exportSummary(config)
            + "; instrumentations: " + (names.isEmpty() ? "none" : String.join(", ", names)));
      });
      double secs = (System.nanoTime() - startNanos) / 1e9;
      health.instrumentationActive();
      services.instrumentationActive();
      if (config.systemServerEnabled() || config.exportEnabled) { // a service meant to be observed
        HttpStacks.checkLater(inst, routes, methods.isEmpty(), startNanos);
      }
      metrics.instrumentationActive(secs);
      if (config.resourceMonitor) {
        ResourceMonitor.start(metrics.registry()); // after the agent is up: its thread uses JMX
      }
      LOG.debug("instrumentation active after " + Math.round(secs * 1000) + " ms");
    } catch (Throwable t) {
      LOG.error("dynamo-obs could not finish starting; the application runs on without it: " + t);
    }
  }

  /**
   * Spans exist when they are exported or when JSONL log lines carry their ids; the OTLP pipeline
   * only with export on (its exporters are built on its own threads at the first batch).
   */
  private static Tracing startTracing(Config config, AgentMetrics metrics) {
    if (!config.exportEnabled && !config.loggingJsonl) {
      return null;
    }
    Resource resource = Tracing.resource(config);
    OtlpPipeline pipeline = null;
    if (config.exportEnabled) {
      pipeline = OtlpPipeline.start(config, resource);
      metrics.exportQueues(pipeline.queues());
      TraceExemplars.enable();
    }
    boolean spanRecords = config.loggingSpanEvents && config.loggingJsonl;
    SdkTracerProvider provider = Tracing.provider(config, resource, pipeline == null ? null : pipeline.spanProcessor());
    // the application's OpenTelemetry API makes spans of this provider (once its classes appear)
    OpenTelemetryBridge.install(new ApplicationApiBridge(provider, config.propagators.contains(Config.BAGGAGE)));
    return Tracing.of(provider, config, spanRecords ? AgentEvents::spanFirstEntry : null,
        // the agent's spans are never idle: each covers work under way from start to end
        spanRecords ? s -> AgentEvents.spanClosed(s, (s.endEpochNanos() - s.startEpochNanos()) / 1_000, 0) : null);
  }

  private static String startServer(Config config, SystemPort systemPort) {
    if (systemPort == null) {
      return "system status server disabled: set DYN_SYSTEM_PORT (0 for a random port)";
    }
    try {
      SystemStatusServer server = systemPort.start(config.systemPort);
      return "system status server on " + config.systemHost + ":" + server.port() + " (" + config.healthPath
          + ", " + config.livePath + ", /metrics)";
    } catch (Throwable e) {
      LOG.error("system status server could not bind " + config.systemHost + ":" + config.systemPort + " ("
          + e.getClass().getSimpleName() + ": " + e.getMessage() + "); the application runs on without it:"
          + " choose a free port with DYN_SYSTEM_PORT or a local address with DYN_SYSTEM_HOST");
      return "system status server not running (bind failed)";
    }
  }

  private static String exportSummary(Config config) {
    if (!config.exportEnabled) {
      return "export disabled: set OTEL_EXPORT_ENABLED=true";
    }
    String s = "export on: traces " + config.traces.endpoint() + " (" + config.traces.protocol() + ")";
    if (config.exportLogsEnabled) {
      s += ", logs " + config.logs.endpoint() + " (" + config.logs.protocol() + ")";
    } else {
      s += ", logs off (OTEL_EXPORT_LOGS_ENABLED)";
    }
    return s;
  }

  /**
   * Lower-case hex, stable for the life of the process (Dynamo's worker_id form): 63 random bits from the kernel's
   * {@code /dev/urandom}, as {@code SecureRandom}'s default reads them, without setting up the JDK's security
   * providers for it (~15 ms of start-up CPU); {@code SecureRandom} where there is no such device.
   */
  private static String workerId() {
    long bits;
    try (DataInputStream in = new DataInputStream(new FileInputStream("/dev/urandom"))) {
      bits = in.readLong(); // a short read throws
    } catch (IOException | SecurityException e) {
      bits = new SecureRandom().nextLong();
    }
    return Long.toHexString(bits & Long.MAX_VALUE);
  }
}
