package dynamo.obs.agent.metrics;

import dynamo.obs.agent.console.AgentLog;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * The agent's metric registry: Dynamo's always-present series, the {@code dynamo_obs_*}
 * self-metrics, JVM and process gauges, and the exposition for {@code /metrics}.
 *
 * <p>Labelled families are created with their label names only; a series (and with it the family's
 * HELP/TYPE lines) appears on its first use, as in Dynamo (reference §3.1).
 */
public final class AgentMetrics {
  private static final AgentLog LOG = AgentLog.forTarget("dynamo_obs.metrics");

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter textWriter = PrometheusTextFormatWriter.create();
  private final OpenMetricsTextFormatWriter openMetricsWriter = OpenMetricsTextFormatWriter.create();
  private final AtomicBoolean jvmRegistered = new AtomicBoolean();
  private final AtomicInteger instrumentedTypes = new AtomicInteger();
  private final Set<String> instrumented = ConcurrentHashMap.newKeySet();
  private final Counter instrumentationErrors;
  private final Gauge instrumentationOff;
  private final Counter seriesRefused;
  private final Gauge instrumentationActive;
  private final Gauge startupSeconds;
  private final Gauge configWarnings;
  private volatile int lastSize = 16 * 1024;

  public AgentMetrics(String workerId, String version, LongSupplier uptimeNanos) {
    GaugeWithCallback.builder()
        .name("dynamo_component_uptime_seconds")
        .help("Total uptime of the DistributedRuntime in seconds")
        .labelNames("worker_id")
        .callback(cb -> cb.call(uptimeNanos.getAsLong() / 1e9, workerId))
        .register(registry);
    Gauge info = Gauge.builder()
        .name("dynamo_obs_info")
        .help("dynamo-obs agent version (always 1)")
        .labelNames("version")
        .register(registry);
    info.labelValues(version).set(1);
    GaugeWithCallback.builder()
        .name("dynamo_obs_instrumented_types")
        .help("Classes the agent has woven advice into")
        .callback(cb -> cb.call(instrumentedTypes.get()))
        .register(registry);
    instrumentationActive = Gauge.builder()
        .name("dynamo_obs_instrumentation_active")
        .help("1 once the agent's instrumentation is installed (health is held notready before)")
        .register(registry);
    startupSeconds = Gauge.builder()
        .name("dynamo_obs_instrumentation_startup_seconds")
        .help("Seconds from agent start until its instrumentation was active")
        .register(registry);
    configWarnings = Gauge.builder()
        .name("dynamo_obs_config_warnings")
        .help("Invalid configuration values found at start (each was logged as a WARN)")
        .register(registry);
    seriesRefused = Counter.builder().withoutExemplars()
        .name("dynamo_obs_series_refused_total")
        .help("Label values refused by a cardinality cap and counted under __overflow__ instead")
        .register(registry);
    instrumentationErrors = Counter.builder().withoutExemplars()
        .name("dynamo_obs_instrumentation_errors_total")
        .help("Errors caught inside a target's woven code or its handler (the application was not affected)")
        .labelNames("target")
        .register(registry);
    instrumentationOff = Gauge.builder()
        .name("dynamo_obs_instrumentation_turned_off")
        .help("1 for a target the agent turned off because it kept failing")
        .labelNames("target")
        .register(registry);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /**
   * A class was instrumented. Counted once per class and loader: a class transformed again (instrumented
   * at load and then found again by a retransforming discovery, or retransformed by another agent) is
   * still one type.
   */
  public void typeInstrumented(String className, ClassLoader loader) {
    if (instrumented.add(className + '@' + (loader == null ? 0 : System.identityHashCode(loader)))) {
      instrumentedTypes.incrementAndGet();
    }
  }

  public void instrumentationActive(double startupSecs) {
    startupSeconds.set(startupSecs);
    instrumentationActive.set(1);
  }

  public void configWarnings(int count) {
    configWarnings.set(count);
  }

  public void seriesRefused() {
    seriesRefused.inc();
  }

  /** An error inside {@code target}'s woven code or handler was caught. */
  public void instrumentationError(String target) {
    instrumentationErrors.labelValues(target).inc();
  }

  /** {@code target} kept failing and was turned off. */
  public void instrumentationTurnedOff(String target) {
    instrumentationOff.labelValues(target).set(1);
  }

  /**
   * JVM and process gauges are registered on the first scrape, not at start: they go through JMX,
   * and initialising JMX before the application's main has run breaks applications that install
   * their own MBean server or log manager, and costs start-up time nobody asked for yet.
   */
  private void ensureJvmMetrics() {
    if (jvmRegistered.compareAndSet(false, true)) {
      try {
        JvmMetrics.builder().register(registry);
      } catch (RuntimeException | LinkageError e) {
        LOG.once(AgentLog.Level.WARN, "jvm-metrics", "JVM metrics unavailable: " + e);
      }
    }
  }

  /** The exposition, in OpenMetrics 1.0 when asked, else Prometheus text 0.0.4. */
  public byte[] scrape(boolean openMetrics) throws IOException {
    ensureJvmMetrics();
    MetricSnapshots snapshots = registry.scrape();
    ByteArrayOutputStream out = new ByteArrayOutputStream(lastSize + 1024);
    if (openMetrics) {
      openMetricsWriter.write(out, snapshots, EscapingScheme.UNDERSCORE_ESCAPING);
    } else {
      textWriter.write(out, snapshots, EscapingScheme.UNDERSCORE_ESCAPING);
    }
    lastSize = out.size();
    return out.toByteArray();
  }

  public static String contentType(boolean openMetrics) {
    return openMetrics
        ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
        : "text/plain; version=0.0.4; charset=utf-8";
  }

  /** Export health per signal: waiting, delivered, dropped and failed (SPEC §7: nothing lost silently). */
  public void exportQueues(List<dynamo.obs.agent.export.ExportQueue<?, ?>> queues) {
    GaugeWithCallback.builder()
        .name("dynamo_obs_export_queue_size")
        .help("Spans or log records waiting to be exported (buffered while the collector is away)")
        .labelNames("signal")
        .callback(cb -> queues.forEach(q -> cb.call(q.size(), q.signal())))
        .register(registry);
    exportCounter("dynamo_obs_exported", "Spans or log records the collector accepted", queues,
        dynamo.obs.agent.export.ExportQueue::exported);
    exportCounter("dynamo_obs_export_dropped", "Spans or log records dropped because the export buffer was full",
        queues, dynamo.obs.agent.export.ExportQueue::dropped);
    exportCounter("dynamo_obs_export_failures", "Export attempts the collector refused or did not answer",
        queues, dynamo.obs.agent.export.ExportQueue::failures);
  }

  private void exportCounter(String name, String help, List<dynamo.obs.agent.export.ExportQueue<?, ?>> queues,
      ToLongFunction<dynamo.obs.agent.export.ExportQueue<?, ?>> value) {
    io.prometheus.metrics.core.metrics.CounterWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("signal")
        .callback(cb -> queues.forEach(q -> cb.call(value.applyAsLong(q), q.signal())))
        .register(registry);
  }
}
