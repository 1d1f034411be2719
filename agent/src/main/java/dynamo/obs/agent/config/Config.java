package dynamo.obs.agent.config;

import static dynamo.obs.agent.config.Settings.*;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The agent's configuration, read once at start (SPEC §2). Reading never fails: every invalid
 * value adds exactly one warning naming the variable, the value and what is used instead.
 */
public final class Config {

  public enum HealthStatus {
    READY, NOTREADY;

    public String json() {
      return this == READY ? "ready" : "notready";
    }
  }

  /** One log-bucket histogram: {@code DYN_HISTOGRAM_<NAME>_MIN|MAX|COUNT}. */
  public record Buckets(double min, double max, int count) {
  }

  /**
   * One OTLP signal's destination and how to reach it: headers, {@code gzip} or {@code none}, the timeout of
   * one export, and TLS material as PEM bytes (null when not set: the JVM's trust store, no client certificate).
   */
  public record OtlpTarget(String endpoint, String protocol, Map<String, String> headers, String compression,
      int timeoutMillis, Pem certificate, Pem clientKey, Pem clientCertificate) {
    /** Whether the agent presents a client certificate (mTLS). */
    public boolean mutualTls() {
      return clientKey != null && clientCertificate != null;
    }
  }

  /** A PEM file as read at start: where it came from and its bytes. */
  public record Pem(String path, byte[] bytes) {
    @Override
    public String toString() {
      return path;
    }
  }

  /** OTEL_TRACES_SAMPLER and its ratio (OTEL_TRACES_SAMPLER_ARG, else OTEL_TRACES_SAMPLE_RATIO). */
  public record Sampling(String sampler, double ratio) {
    @Override
    public String toString() {
      return sampler.endsWith("traceidratio") ? sampler + " (ratio " + ratio + ")" : sampler;
    }
  }

  /** The OTel SDK's span limits (OTEL_SPAN_*_LIMIT, OTEL_ATTRIBUTE_*_LIMIT …). */
  public record SpanLimitValues(int attributeCount, int attributeValueLength, int eventCount, int linkCount,
      int eventAttributeCount, int linkAttributeCount) {
  }

  public static final String GRPC = "grpc";
  public static final String HTTP_PROTOBUF = "http/protobuf";
  public static final String GZIP = "gzip";
  public static final String NONE = "none";
  public static final int DEFAULT_TIMEOUT_MILLIS = 10_000;
  public static final String TRACECONTEXT = "tracecontext";
  public static final String BAGGAGE = "baggage";
  /** The samplers of the OTel specification the agent has (not the remote ones: jaeger_remote, xray). */
  public static final List<String> SAMPLERS = List.of("always_on", "always_off", "traceidratio",
      "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio");
  /** Values of limits left unset: as the OTel SDK's defaults. */
  public static final int DEFAULT_COUNT_LIMIT = 128;
  public static final int UNLIMITED = Integer.MAX_VALUE;

  /** Default log buckets (Dynamo's frontend histograms), by the name used in the variables. */
  public static final Map<String, Buckets> DEFAULT_BUCKETS;

  static {
    Map<String, Buckets> m = new LinkedHashMap<>();
    m.put("REQUEST_DURATION", new Buckets(1, 512, 10));
    m.put("TTFT", new Buckets(0.001, 480, 18));
    m.put("ITL", new Buckets(0.001, 2, 13));
    m.put("INPUT_SEQUENCE", new Buckets(50, 128000, 12));
    m.put("OUTPUT_SEQUENCE", new Buckets(50, 32000, 10));
    m.put("EMBEDDING_LATENCY", new Buckets(0.001, 10, 14));
    DEFAULT_BUCKETS = Collections.unmodifiableMap(m);
  }

  /** Instrumentations that can be switched off with {@code DYN_OBS_INSTRUMENTATION_<NAME>_ENABLED}. */
  private final List<String> knownInstrumentations;

  // system status server and health
  public final int systemPort;
  public final String systemHost;
  public final HealthStatus startingHealthStatus;
  public final String healthPath;
  public final String livePath;
  public final List<String> useEndpointHealthStatus;
  public final boolean healthCheckEnabled;
  public final int canaryWaitSeconds;
  public final int healthCheckTimeoutSeconds;
  public final String healthCheckPayload;
  /** A frontend's own HTTP port answers /metrics, health and live too, where the application serves none of them. */
  public final boolean frontendPortRoutes;

  // labels
  public final String namespace;
  /** Null means "by role" (frontend, router, backend). */
  public final String component;
  public final String endpoint;
  public final String metricsPrefix;
  public final Map<String, Buckets> buckets;
  public final int maxModels;
  public final String model;

  // inference routes: endpoint label → path
  public final Map<String, String> inferencePaths;
  public final String modelsPath;

  public final MethodList routerMethods;
  public final MethodList workerMethods;
  /** Instrumentation name (kebab-case) → enabled; only names that were set. */
  public final Map<String, Boolean> instrumentationSwitches;
  public final boolean resourceMonitor;

  // logging
  public final LogFilter logFilter;
  public final boolean loggingJsonl;
  public final boolean logUseLocalTz;
  public final boolean loggingSpanEvents;

  // export
  public final boolean exportEnabled;
  public final boolean exportLogsEnabled;
  public final OtlpTarget traces;
  public final OtlpTarget logs;
  public final Map<String, String> otlpHeaders;
  public final Map<String, String> resourceAttributes;
  public final double tracesSampleRatio;
  public final Sampling sampling;
  /** {@code tracecontext}, {@code baggage}, in the order given (empty: {@code none}). */
  public final List<String> propagators;
  public final SpanLimitValues spanLimits;
  public final int logAttributeCount;
  public final int logAttributeValueLength;
  public final String serviceName;
  public final int spanBuffer;
  public final int logBuffer;

  private final List<String> warnings;

  public static final int DEFAULT_SPAN_BUFFER = 32_768;
  public static final int DEFAULT_LOG_BUFFER = 65_536;

  private Config(ConfigSource src, List<String> knownInstrumentations) {
    this.knownInstrumentations = knownInstrumentations;
    Reader r = new Reader(src);

    systemPort = r.integer(SYSTEM_PORT, -1, Integer.MIN_VALUE, 65535,
        "an integer port from 0 to 65535, or -1 to disable", "-1 (system status server disabled)");
    systemHost = r.host(SYSTEM_HOST, "0.0.0.0");
    if (src.present(SYSTEM_ENABLED)) {
      String raw = src.get(SYSTEM_ENABLED);
      r.warn(SYSTEM_ENABLED + " is deprecated and ignored" + (raw == null ? "" : " (value " + quote(raw) + ")")
          + ": the system status server is controlled solely by " + SYSTEM_PORT + " (currently "
          + describePort(systemPort) + ")");
    }
    startingHealthStatus = r.healthStatus(STARTING_HEALTH_STATUS);
    healthPath = r.path(HEALTH_PATH, "/health");
    livePath = r.path(LIVE_PATH, "/live");
    useEndpointHealthStatus = r.nameList(USE_ENDPOINT_HEALTH_STATUS);
    healthCheckEnabled = r.bool(HEALTH_CHECK_ENABLED, false);
    canaryWaitSeconds = r.integer(CANARY_WAIT_TIME, 10, 1, 86_400,
        "a whole number of seconds from 1 to 86400", "10");
    healthCheckTimeoutSeconds = r.integer(HEALTH_CHECK_REQUEST_TIMEOUT, 3, 1, 3_600,
        "a whole number of seconds from 1 to 3600", "3");
    healthCheckPayload = r.payload(HEALTH_CHECK_PAYLOAD);
    frontendPortRoutes = r.bool(FRONTEND_PORT_ROUTES, true);

    namespace = r.labelValue(NAMESPACE, "dynamo");
    String comp = src.get(COMPONENT);
    component = comp == null ? null : r.labelValue(COMPONENT, null);
    endpoint = r.labelValue(ENDPOINT, "generate");
    metricsPrefix = r.metricPrefix(METRICS_PREFIX, "dynamo_frontend");
    Map<String, Buckets> b = new LinkedHashMap<>();
    for (Map.Entry<String, Buckets> e : DEFAULT_BUCKETS.entrySet()) {
      b.put(e.getKey(), r.buckets(e.getKey(), e.getValue()));
    }
    buckets = Collections.unmodifiableMap(b);
    r.unknownHistogramVariables();
    maxModels = r.integer(MAX_MODELS, 100, 1, 100_000, "an integer from 1 to 100000", "100");
    model = src.get(MODEL);

    Map<String, String> paths = new LinkedHashMap<>();
    paths.put("chat_completions", r.path(CHAT_PATH, "/v1/chat/completions"));
    paths.put("completions", r.path(CMP_PATH, "/v1/completions"));
    paths.put("embeddings", r.path(EMB_PATH, "/v1/embeddings"));
    paths.put("responses", r.path(RESPONSES_PATH, "/v1/responses"));
    paths.put("anthropic_messages", r.path(ANTHROPIC_PATH, "/v1/messages"));
    inferencePaths = Collections.unmodifiableMap(paths);
    modelsPath = r.path(MODELS_PATH, "/v1/models");

    routerMethods = r.methods(ROUTER_METHODS);
    workerMethods = r.methods(WORKER_METHODS);
    instrumentationSwitches = r.instrumentationSwitches();
    resourceMonitor = r.bool(RESOURCE_MONITOR, false);

    loggingJsonl = r.bool(LOGGING_JSONL, false);
    logUseLocalTz = r.bool(LOG_USE_LOCAL_TZ, false);
    loggingSpanEvents = r.bool(LOGGING_SPAN_EVENTS, false);
    logFilter = r.logFilter();

    exportEnabled = r.bool(EXPORT_ENABLED, false);
    exportLogsEnabled = r.bool(EXPORT_LOGS_ENABLED, true);
    String generic = r.endpoint(OTLP_ENDPOINT, null);
    String genericProtocol = r.protocol(OTLP_PROTOCOL, GRPC);
    String tracesProtocol = r.protocol(OTLP_TRACES_PROTOCOL, genericProtocol);
    String logsProtocol = r.protocol(OTLP_LOGS_PROTOCOL, genericProtocol);
    String tracesEndpoint = r.endpoint(OTLP_TRACES_ENDPOINT, null);
    String logsEndpoint = r.endpoint(OTLP_LOGS_ENDPOINT, null);
    otlpHeaders = r.keyValues(OTLP_HEADERS);
    String genericCompression = r.compression(OTLP_COMPRESSION, NONE);
    int genericTimeout = r.integer(OTLP_TIMEOUT, DEFAULT_TIMEOUT_MILLIS, 1, 600_000,
        "a whole number of milliseconds from 1 to 600000", Integer.toString(DEFAULT_TIMEOUT_MILLIS));
    Pem genericCa = r.pem(OTLP_CERTIFICATE, false);
    Pem genericKey = r.pem(OTLP_CLIENT_KEY, true);
    Pem genericCert = r.pem(OTLP_CLIENT_CERTIFICATE, false);
    traces = r.target(resolveEndpoint(tracesEndpoint, generic, null, tracesProtocol, "/v1/traces"), tracesProtocol,
        "TRACES", genericCompression, genericTimeout, genericCa, genericKey, genericCert);
    logs = r.target(resolveEndpoint(logsEndpoint, generic, tracesEndpoint, logsProtocol, "/v1/logs"), logsProtocol,
        "LOGS", genericCompression, genericTimeout, genericCa, genericKey, genericCert);
    r.grpcLooksLikeHttp(tracesEndpoint != null ? OTLP_TRACES_ENDPOINT : OTLP_ENDPOINT, traces);
    if (exportLogsEnabled && !traces.endpoint().equals(logs.endpoint())) {
      r.grpcLooksLikeHttp(logsEndpoint != null ? OTLP_LOGS_ENDPOINT : OTLP_ENDPOINT, logs);
    }
    r.unusedTls(exportLogsEnabled ? List.of(traces, logs) : List.of(traces));
    resourceAttributes = r.keyValues(RESOURCE_ATTRIBUTES);
    tracesSampleRatio = r.ratio(TRACES_SAMPLE_RATIO, "1.0 (every trace)", 1.0);
    sampling = r.sampling(tracesSampleRatio);
    propagators = r.propagators();
    int attributeCount = r.limit(ATTRIBUTE_COUNT_LIMIT, DEFAULT_COUNT_LIMIT);
    int valueLength = r.limit(ATTRIBUTE_VALUE_LENGTH_LIMIT, UNLIMITED);
    spanLimits = new SpanLimitValues(r.limit(SPAN_ATTRIBUTE_COUNT_LIMIT, attributeCount),
        r.limit(SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT, valueLength), r.limit(SPAN_EVENT_COUNT_LIMIT, DEFAULT_COUNT_LIMIT),
        r.limit(SPAN_LINK_COUNT_LIMIT, DEFAULT_COUNT_LIMIT), r.limit(EVENT_ATTRIBUTE_COUNT_LIMIT, DEFAULT_COUNT_LIMIT),
        r.limit(LINK_ATTRIBUTE_COUNT_LIMIT, DEFAULT_COUNT_LIMIT));
    logAttributeCount = r.limit(LOGRECORD_ATTRIBUTE_COUNT_LIMIT, attributeCount);
    logAttributeValueLength = r.limit(LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT, valueLength);
    // OTEL_SERVICE_NAME wins over a service.name in OTEL_RESOURCE_ATTRIBUTES, which wins over the default
    serviceName = r.string(SERVICE_NAME, resourceAttributes.getOrDefault("service.name", "dynamo"));
    // 60 s of 200 requests/s with two spans and three log records a request fit (SPEC §7)
    spanBuffer = r.integer(SPAN_BUFFER, DEFAULT_SPAN_BUFFER, 64, 10_000_000,
        "a whole number of spans from 64 to 10000000", Integer.toString(DEFAULT_SPAN_BUFFER));
    logBuffer = r.integer(LOG_BUFFER, DEFAULT_LOG_BUFFER, 64, 10_000_000,
        "a whole number of log records from 64 to 10000000", Integer.toString(DEFAULT_LOG_BUFFER));

    warnings = Collections.unmodifiableList(r.warnings);
  }

  /** Reads the configuration; never throws. */
  public static Config read(ConfigSource src, List<String> knownInstrumentations) {
    return new Config(src, knownInstrumentations);
  }

  /** One line per invalid value, in the order read. */
  public List<String> warnings() {
    return warnings;
  }

  public boolean systemServerEnabled() {
    return systemPort >= 0;
  }

  /** Whether the instrumentation named {@code name} (kebab-case) is on. */
  public boolean instrumentationEnabled(String name) {
    return instrumentationSwitches.getOrDefault(name, Boolean.TRUE);
  }

  public Buckets buckets(String name) {
    return buckets.get(name);
  }

  static String describePort(int port) {
    return port < 0 ? "disabled" : Integer.toString(port);
  }

  /**
   * Endpoint precedence of SPEC §2: the signal's own variable, then the generic endpoint (with
   * {@code /v1/<signal>} appended for http/protobuf), then (logs only) the traces endpoint, then
   * the protocol's default.
   */
  private static String resolveEndpoint(
      String own, String generic, String fallback, String protocol, String signalPath) {
    if (own != null) {
      return own;
    }
    if (generic != null) {
      if (HTTP_PROTOBUF.equals(protocol)) {
        String base = generic.endsWith("/") ? generic.substring(0, generic.length() - 1) : generic;
        return base + signalPath;
      }
      return generic;
    }
    if (fallback != null) {
      return fallback;
    }
    return HTTP_PROTOBUF.equals(protocol) ? "http://localhost:4318" + signalPath : "http://localhost:4317";
  }

  /** Parses each value and collects the warnings. */
  private final class Reader {
    private final ConfigSource src;
    private final List<String> warnings = new ArrayList<>();

    Reader(ConfigSource src) {
      this.src = src;
    }

    void warn(String message) {
      warnings.add(message);
    }

    void invalid(String name, String raw, String expected, String using) {
      warnings.add(name + "=" + quote(raw) + " is invalid (expected " + expected + "); using " + using);
    }

    String string(String name, String def) {
      String raw = src.get(name);
      return raw == null ? def : raw.trim().isEmpty() ? def : raw.trim();
    }

    int integer(String name, int def, int min, int max, String expected, String using) {
      String raw = src.get(name);
      if (raw == null) {
        return def;
      }
      try {
        long v = Long.parseLong(raw.trim());
        if (v < min || v > max) {
          invalid(name, raw, expected, using);
          return def;
        }
        return (int) v;
      } catch (NumberFormatException e) {
        invalid(name, raw, expected, using);
        return def;
      }
    }

    boolean bool(String name, boolean def) {
      String raw = src.get(name);
      if (raw == null) {
        return def;
      }
      Boolean v = parseBool(raw);
      if (v == null) {
        invalid(name, raw, "one of 1, true, on, yes, 0, false, off, no", Boolean.toString(def));
        return def;
      }
      return v;
    }

    String host(String name, String def) {
      String raw = src.get(name);
      if (raw == null) {
        return def;
      }
      String h = raw.trim();
      if (h.isEmpty() || h.chars().anyMatch(c -> Character.isWhitespace(c) || c == '/' || c == '?' || c == '#')) {
        invalid(name, raw, "a host name or IP address", def);
        return def;
      }
      if (h.startsWith("[") && h.endsWith("]")) {
        h = h.substring(1, h.length() - 1);
      }
      return h;
    }

    HealthStatus healthStatus(String name) {
      String raw = src.get(name);
      if (raw == null) {
        return HealthStatus.NOTREADY;
      }
      String v = raw.trim().toLowerCase(Locale.ROOT);
      if (v.equals("ready")) {
        return HealthStatus.READY;
      }
      if (v.equals("notready")) {
        return HealthStatus.NOTREADY;
      }
      invalid(name, raw, "ready or notready", "notready");
      return HealthStatus.NOTREADY;
    }

    String path(String name, String def) {
      String raw = src.get(name);
      if (raw == null) {
        return def;
      }
      String p = raw.trim();
      if (!p.startsWith("/") || p.chars().anyMatch(c -> c <= ' ' || c == '?' || c == '#' || c == 0x7f)) {
        invalid(name, raw, "a path starting with / without spaces, ? or #", def);
        return def;
      }
      return p;
    }

    /** {@code ["generate","clear_kv_blocks"]}, {@code [generate]} or {@code generate,clear}. */
    List<String> nameList(String name) {
      String raw = src.get(name);
      if (raw == null) {
        return List.of();
      }
      String s = raw.trim();
      boolean open = s.startsWith("[");
      boolean close = s.endsWith("]");
      if (open != close) {
        invalid(name, raw, "a list such as [\"generate\"]", "[] (no endpoint list)");
        return List.of();
      }
      if (open) {
        s = s.substring(1, s.length() - 1).trim();
      }
      if (s.isEmpty()) {
        return List.of();
      }
      List<String> names = new ArrayList<>();
      for (String part : s.split(",", -1)) {
        String n = part.trim();
        if (n.length() >= 2 && (n.startsWith("\"") && n.endsWith("\"") || n.startsWith("'") && n.endsWith("'"))) {
          n = n.substring(1, n.length() - 1).trim();
        }
        if (n.isEmpty() || !n.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.')) {
          invalid(name, raw, "a list of endpoint names such as [\"generate\"]", "[] (no endpoint list)");
          return List.of();
        }
        names.add(n);
      }
      return Collections.unmodifiableList(names);
    }

    /** A JSON object, or {@code @file} holding one. */
    String payload(String name) {
      String raw = src.get(name);
      if (raw == null) {
        return null;
      }
      String text = raw.trim();
      if (text.startsWith("@")) {
        Path file = Path.of(text.substring(1));
        try {
          text = Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (Exception e) {
          invalid(name, raw, "a JSON object or @file naming a readable file (" + e.getClass().getSimpleName()
              + ": " + e.getMessage() + ")", "the built-in canary payload");
          return null;
        }
      }
      String error = JsonCheck.objectError(text);
      if (error != null) {
        invalid(name, raw, "a JSON object (" + error + ")", "the built-in canary payload");
        return null;
      }
      return text;
    }

    /** Dynamo sanitises label values; we do the same and say so. */
    String labelValue(String name, String def) {
      String raw = src.get(name);
      if (raw == null) {
        return def;
      }
      String v = raw.trim();
      String clean = Names.labelValue(v);
      if (clean == null) {
        invalid(name, raw, "letters, digits and _", def == null ? "the role's default" : quote(def));
        return def;
      }
      if (!clean.equals(v)) {
        warn(name + "=" + quote(raw) + " has characters Dynamo does not allow in label values; using "
            + quote(clean));
      }
      return clean;
    }

    String metricPrefix(String name, String def) {
      String raw = src.get(name);
      if (raw == null) {
        return def;
      }
      String clean = Names.metricName(raw.trim());
      if (clean == null) {
        invalid(name, raw, "a Prometheus metric name prefix", quote(def));
        return def;
      }
      if (!clean.equals(raw.trim())) {
        warn(name + "=" + quote(raw) + " is not a valid metric name prefix; using " + quote(clean));
      }
      return clean;
    }

    Buckets buckets(String histogram, Buckets def) {
      String base = HISTOGRAM_PREFIX + histogram;
      String rawMin = src.get(base + "_MIN");
      String rawMax = src.get(base + "_MAX");
      String rawCount = src.get(base + "_COUNT");
      if (rawMin == null && rawMax == null && rawCount == null) {
        return def;
      }
      double min = def.min();
      double max = def.max();
      int count = def.count();
      String using = "the default buckets (" + fmt(def.min()) + ", " + fmt(def.max()) + ", " + def.count() + ")";
      try {
        if (rawMin != null) {
          min = Double.parseDouble(rawMin.trim());
        }
      } catch (NumberFormatException e) {
        invalid(base + "_MIN", rawMin, "a finite number greater than 0", using);
        return def;
      }
      try {
        if (rawMax != null) {
          max = Double.parseDouble(rawMax.trim());
        }
      } catch (NumberFormatException e) {
        invalid(base + "_MAX", rawMax, "a finite number greater than the minimum", using);
        return def;
      }
      try {
        if (rawCount != null) {
          count = Integer.parseInt(rawCount.trim());
        }
      } catch (NumberFormatException e) {
        invalid(base + "_COUNT", rawCount, "an integer from 1 to 512", using);
        return def;
      }
      if (!(Double.isFinite(min) && min > 0)) {
        invalid(base + "_MIN", String.valueOf(rawMin), "a finite number greater than 0", using);
        return def;
      }
      if (!(Double.isFinite(max) && max > min)) {
        if (rawMax == null) {
          // only the minimum was set, above the default maximum: it is the one to blame
          invalid(base + "_MIN", rawMin, "a finite number greater than 0 and below the maximum " + fmt(max), using);
        } else {
          invalid(base + "_MAX", rawMax, "a finite number greater than the minimum " + fmt(min), using);
        }
        return def;
      }
      if (count < 1 || count > 512) {
        invalid(base + "_COUNT", rawCount, "an integer from 1 to 512", using);
        return def;
      }
      return new Buckets(min, max, count);
    }

    void unknownHistogramVariables() {
      for (Map.Entry<String, String> e : src.matching(HISTOGRAM_PREFIX, "").entrySet()) {
        String var = e.getKey();
        String rest = var.substring(HISTOGRAM_PREFIX.length());
        int cut = rest.lastIndexOf('_');
        String hist = cut < 0 ? rest : rest.substring(0, cut);
        String part = cut < 0 ? "" : rest.substring(cut + 1);
        if (!DEFAULT_BUCKETS.containsKey(hist) || !(part.equals("MIN") || part.equals("MAX") || part.equals("COUNT"))) {
          warn(var + " is not a known histogram setting (expected " + HISTOGRAM_PREFIX
              + "<" + String.join("|", DEFAULT_BUCKETS.keySet()) + ">_<MIN|MAX|COUNT>); ignoring its value "
              + quote(e.getValue()));
        }
      }
    }

    MethodList methods(String name) {
      String raw = src.get(name);
      if (raw == null) {
        return MethodList.EMPTY;
      }
      MethodList list = MethodList.parse(raw);
      for (String bad : list.rejected()) {
        warn(name + " segment " + quote(bad) + " is invalid (expected pkg.Class[method1,method2] or pkg.Class[*]);"
            + " ignoring that segment" + (list.isEmpty() ? "" : ", using the others"));
      }
      return list;
    }

    Map<String, Boolean> instrumentationSwitches() {
      Map<String, Boolean> switches = new TreeMap<>();
      for (Map.Entry<String, String> e : src.matching(INSTRUMENTATION_PREFIX, ENABLED_SUFFIX).entrySet()) {
        String var = e.getKey();
        String upper = var.substring(INSTRUMENTATION_PREFIX.length(), var.length() - ENABLED_SUFFIX.length());
        String kebab = upper.toLowerCase(Locale.ROOT).replace('_', '-');
        if (!knownInstrumentations.contains(kebab)) {
          warn(var + " names no instrumentation (known: " + knownNames() + "); ignoring its value "
              + quote(e.getValue()));
          continue;
        }
        Boolean v = parseBool(src.get(var));
        if (v == null) {
          invalid(var, e.getValue(), "one of 1, true, on, yes, 0, false, off, no", "true");
          continue;
        }
        switches.put(kebab, v);
      }
      return Collections.unmodifiableMap(switches);
    }

    private String knownNames() {
      List<String> names = new ArrayList<>();
      for (String k : knownInstrumentations) {
        names.add(k.toUpperCase(Locale.ROOT).replace('-', '_'));
      }
      return String.join(", ", names);
    }

    LogFilter logFilter() {
      LogFilter filter = LogFilter.DEFAULT;
      String path = src.get(LOGGING_CONFIG_PATH);
      if (path != null) {
        try {
          String text = Files.readString(Path.of(path.trim()), StandardCharsets.UTF_8);
          filter = LogFilter.fromToml(text, w -> warn(LOGGING_CONFIG_PATH + "=" + quote(path) + ": " + w));
        } catch (Exception e) {
          invalid(LOGGING_CONFIG_PATH, path, "a readable TOML file (" + e.getClass().getSimpleName() + ": "
              + e.getMessage() + ")", "the built-in log levels");
        }
      }
      String raw = src.get(LOG);
      if (raw != null) {
        filter = filter.withDirectives(raw,
            bad -> warn(LOG + " directive " + quote(bad) + " is invalid (expected a level such as info, or"
                + " target=level with level one of off, error, warn, info, debug, trace); ignoring that directive"));
      }
      return filter;
    }

    String endpoint(String name, String def) {
      String raw = src.get(name);
      if (raw == null) {
        return def;
      }
      String v = raw.trim();
      try {
        URI uri = new URI(v);
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
            || uri.getHost() == null) {
          invalid(name, raw, "a URL such as http://collector:4317", def == null ? "the next fallback" : def);
          return def;
        }
        return v;
      } catch (Exception e) {
        invalid(name, raw, "a URL such as http://collector:4317", def == null ? "the next fallback" : def);
        return def;
      }
    }

    String protocol(String name, String def) {
      String raw = src.get(name);
      if (raw == null) {
        return def;
      }
      String v = raw.trim().toLowerCase(Locale.ROOT);
      if (v.equals(GRPC) || v.equals(HTTP_PROTOBUF)) {
        return v;
      }
      invalid(name, raw, "grpc or http/protobuf", def);
      return def;
    }

    /** The most common reason Tempo and Loki stay empty: an OTLP/HTTP address used for gRPC. */
    void grpcLooksLikeHttp(String name, OtlpTarget target) {
      if (!GRPC.equals(target.protocol()) || src.get(name) == null) {
        return;
      }
      try {
        URI uri = new URI(target.endpoint());
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (uri.getPort() == 4318 || path.startsWith("/v1/")) {
          warn(name + "=" + quote(target.endpoint()) + " looks like an OTLP/HTTP address (port 4318 or a /v1/"
              + " path) but the protocol is grpc: use the collector's gRPC port (usually 4317) without a"
              + " path, or set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf");
        }
      } catch (Exception ignored) {
        // already reported as invalid
      }
    }

    /** {@code key1=value1,key2=value2} with percent-encoded values (OTel spec). */
    Map<String, String> keyValues(String name) {
      String raw = src.get(name);
      if (raw == null) {
        return Map.of();
      }
      Map<String, String> out = new LinkedHashMap<>();
      for (String pair : raw.split(",")) {
        if (pair.trim().isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String key = eq < 0 ? "" : pair.substring(0, eq).trim();
        if (eq < 0 || key.isEmpty()) {
          warn(name + " entry " + quote(pair.trim()) + " is invalid (expected key=value); ignoring that entry");
          continue;
        }
        try {
          out.put(key, URLDecoder.decode(pair.substring(eq + 1).trim(), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          warn(name + " entry " + quote(pair.trim()) + " has a malformed percent-encoding; ignoring that entry");
        }
      }
      return Collections.unmodifiableMap(out);
    }

    double ratio(String name, String using, double def) {
      String raw = src.get(name);
      if (raw == null) {
        return def;
      }
      try {
        double v = Double.parseDouble(raw.trim());
        if (v >= 0 && v <= 1) {
          return v;
        }
      } catch (NumberFormatException e) {
        // fall through
      }
      invalid(name, raw, "a number from 0 to 1", using);
      return def;
    }

    String compression(String name, String def) {
      String raw = src.get(name);
      if (raw == null) {
        return def;
      }
      String v = raw.trim().toLowerCase(Locale.ROOT);
      if (v.equals(GZIP) || v.equals(NONE)) {
        return v;
      }
      invalid(name, raw, "gzip or none", def);
      return def;
    }

    /** A PEM file: certificates, or with {@code key} a PKCS#8 private key; null when unset or unusable. */
    Pem pem(String name, boolean key) {
      String raw = src.get(name);
      if (raw == null) {
        return null;
      }
      try {
        byte[] bytes = PemFiles.read(raw);
        if (key) {
          PemFiles.checkPrivateKey(bytes);
        } else {
          PemFiles.checkCertificates(bytes);
        }
        return new Pem(raw.trim(), bytes);
      } catch (Exception e) {
        invalid(name, raw, key
            ? "a readable PEM file with a PKCS#8 private key"
            : "a readable PEM file of"
                + " X.509 certificates",
            (key ? "no client key" : "the JVM's trusted certificates") + " ("
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
        return null;
      }
    }

    /**
     * One signal's target: each setting from its own variable ({@code OTEL_EXPORTER_OTLP_<SIGNAL>_…}), else
     * the generic one, as the OTel SDK's autoconfiguration reads them (a signal's headers replace the generic
     * headers). A client key without a certificate, or the other way round, is no mTLS, and said once.
     */
    OtlpTarget target(String endpoint, String protocol, String signal, String genericCompression, int genericTimeout,
        Pem genericCa, Pem genericKey, Pem genericCert) {
      String prefix = "OTEL_EXPORTER_OTLP_" + signal + "_";
      Map<String, String> headers = src.get(prefix + "HEADERS") != null ? keyValues(prefix + "HEADERS") : otlpHeaders;
      String compression = compression(prefix + "COMPRESSION", genericCompression);
      int timeout = integer(prefix + "TIMEOUT", genericTimeout, 1, 600_000,
          "a whole number of milliseconds from 1 to 600000", Integer.toString(genericTimeout));
      Pem ca = src.get(prefix + "CERTIFICATE") != null ? pem(prefix + "CERTIFICATE", false) : genericCa;
      String keyVar = src.get(prefix + "CLIENT_KEY") != null ? prefix + "CLIENT_KEY" : OTLP_CLIENT_KEY;
      String certVar = src.get(prefix + "CLIENT_CERTIFICATE") != null
          ? prefix + "CLIENT_CERTIFICATE"
          : OTLP_CLIENT_CERTIFICATE;
      Pem key = keyVar.equals(OTLP_CLIENT_KEY) ? genericKey : pem(keyVar, true);
      Pem cert = certVar.equals(OTLP_CLIENT_CERTIFICATE) ? genericCert : pem(certVar, false);
      if ((key == null) != (cert == null)) {
        String set = key != null ? keyVar : certVar;
        String missing = key != null ? certVar : keyVar;
        if (reported.add(set)) {
          warn(set + "=" + quote((key != null ? key : cert).path()) + " is set without a usable " + missing
              + "; using no client certificate (mTLS needs both)");
        }
        key = null;
        cert = null;
      }
      return new OtlpTarget(endpoint, protocol, headers, compression, timeout, ca, key, cert);
    }

    /** Variables already warned about (a generic one serves both signals: one warning). */
    private final Set<String> reported = new HashSet<>();

    /** TLS material for an endpoint that is not https: it would silently go unused. */
    void unusedTls(List<OtlpTarget> targets) {
      for (OtlpTarget t : targets) {
        if (t.endpoint().regionMatches(true, 0, "https:", 0, 6)) {
          continue;
        }
        for (Pem pem : new Pem[]{t.certificate(), t.clientCertificate()}) {
          String var = pem == null ? null : variableOf(pem);
          if (var != null && reported.add(var)) {
            warn(var + "=" + quote(pem.path()) + " is set but the endpoint " + t.endpoint() + " is not https:"
                + " the certificate is not used; use an https:// endpoint for TLS");
          }
        }
      }
    }

    /** The variable a PEM setting came from (the most specific that names its file). */
    private String variableOf(Pem pem) {
      for (String signal : new String[]{"TRACES_", "LOGS_", ""}) {
        for (String kind : new String[]{"CERTIFICATE", "CLIENT_CERTIFICATE"}) {
          String var = "OTEL_EXPORTER_OTLP_" + signal + kind;
          String raw = src.get(var);
          if (raw != null && raw.trim().equals(pem.path())) {
            return var;
          }
        }
      }
      return null;
    }

    /**
     * OTEL_TRACES_SAMPLER: one of {@link #SAMPLERS}; the ratio of the traceidratio ones from
     * OTEL_TRACES_SAMPLER_ARG, else Dynamo's OTEL_TRACES_SAMPLE_RATIO. Unset: parent-based ratio.
     */
    Sampling sampling(double dynamoRatio) {
      String raw = src.get(TRACES_SAMPLER);
      String sampler = "parentbased_traceidratio";
      if (raw != null) {
        String v = raw.trim().toLowerCase(Locale.ROOT);
        if (SAMPLERS.contains(v)) {
          sampler = v;
        } else {
          invalid(TRACES_SAMPLER, raw, "one of " + String.join(", ", SAMPLERS), sampler
              + " (ratio " + dynamoRatio + ")");
        }
      }
      double ratio = dynamoRatio;
      if (src.get(TRACES_SAMPLER_ARG) != null) {
        if (sampler.endsWith("traceidratio")) {
          ratio = ratio(TRACES_SAMPLER_ARG, Double.toString(dynamoRatio), dynamoRatio);
        } else {
          warn(TRACES_SAMPLER_ARG + "=" + quote(src.get(TRACES_SAMPLER_ARG)) + " is ignored: the sampler " + sampler
              + " takes no argument");
        }
      }
      return new Sampling(sampler, ratio);
    }

    /** OTEL_PROPAGATORS: tracecontext and baggage (any order), or none. */
    List<String> propagators() {
      String raw = src.get(PROPAGATORS);
      if (raw == null) {
        return List.of(TRACECONTEXT, BAGGAGE);
      }
      List<String> out = new ArrayList<>();
      for (String part : raw.split(",")) {
        String p = part.trim().toLowerCase(Locale.ROOT);
        if (p.isEmpty() || out.contains(p)) {
          continue;
        }
        if (p.equals(TRACECONTEXT) || p.equals(BAGGAGE)) {
          out.add(p);
        } else if (!p.equals(NONE)) {
          warn(PROPAGATORS + " entry " + quote(part.trim()) + " is not supported (dynamo-obs propagates"
              + " tracecontext and baggage); ignoring that entry");
        }
      }
      return Collections.unmodifiableList(out);
    }

    /** A count or length limit: a whole number from 0 up. */
    int limit(String name, int def) {
      return integer(name, def, 0, Integer.MAX_VALUE, "a whole number from 0",
          def == UNLIMITED ? "no limit" : Integer.toString(def));
    }
  }

  /** Truthy {@code 1,true,on,yes}, falsey {@code 0,false,off,no}, any case; else null. */
  public static Boolean parseBool(String raw) {
    if (raw == null) {
      return null;
    }
    switch (raw.trim().toLowerCase(Locale.ROOT)) {
      case "1" :
      case "true" :
      case "on" :
      case "yes" :
        return Boolean.TRUE;
      case "0" :
      case "false" :
      case "off" :
      case "no" :
        return Boolean.FALSE;
      default :
        return null;
    }
  }

  static String quote(String raw) {
    StringBuilder sb = new StringBuilder(raw.length() + 2).append('"');
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }

  static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }
}
