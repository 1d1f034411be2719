package dynamo.obs.agent.config;

/**
 * Every configuration variable the agent reads, in one place. Defaults live in {@link Config}
 * beside the parsing of each value. Each may also be given as a system property
 * ({@link ConfigSource#propertyName}).
 */
public final class Settings {
  private Settings() {
  }

  // system status server and health
  public static final String SYSTEM_PORT = "DYN_SYSTEM_PORT";
  public static final String SYSTEM_HOST = "DYN_SYSTEM_HOST";
  public static final String SYSTEM_ENABLED = "DYN_SYSTEM_ENABLED";
  public static final String STARTING_HEALTH_STATUS = "DYN_SYSTEM_STARTING_HEALTH_STATUS";
  public static final String HEALTH_PATH = "DYN_SYSTEM_HEALTH_PATH";
  public static final String LIVE_PATH = "DYN_SYSTEM_LIVE_PATH";
  public static final String USE_ENDPOINT_HEALTH_STATUS = "DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS";
  public static final String HEALTH_CHECK_ENABLED = "DYN_HEALTH_CHECK_ENABLED";
  public static final String CANARY_WAIT_TIME = "DYN_CANARY_WAIT_TIME";
  public static final String HEALTH_CHECK_REQUEST_TIMEOUT = "DYN_HEALTH_CHECK_REQUEST_TIMEOUT";
  public static final String HEALTH_CHECK_PAYLOAD = "DYN_HEALTH_CHECK_PAYLOAD";
  /** Whether a frontend's own HTTP port answers /metrics, health and live where the application does not. */
  public static final String FRONTEND_PORT_ROUTES = "DYN_OBS_FRONTEND_PORT_ROUTES";

  // labels and metric names
  public static final String NAMESPACE = "DYN_NAMESPACE";
  public static final String COMPONENT = "DYN_COMPONENT";
  public static final String ENDPOINT = "DYN_ENDPOINT";
  public static final String METRICS_PREFIX = "DYN_METRICS_PREFIX";
  public static final String HISTOGRAM_PREFIX = "DYN_HISTOGRAM_";
  public static final String MAX_MODELS = "DYN_OBS_MAX_MODELS";
  public static final String MODEL = "DYN_OBS_MODEL";

  // inference routes
  public static final String CHAT_PATH = "DYN_HTTP_SVC_CHAT_PATH";
  public static final String CMP_PATH = "DYN_HTTP_SVC_CMP_PATH";
  public static final String EMB_PATH = "DYN_HTTP_SVC_EMB_PATH";
  public static final String RESPONSES_PATH = "DYN_HTTP_SVC_RESPONSES_PATH";
  public static final String MODELS_PATH = "DYN_HTTP_SVC_MODELS_PATH";
  public static final String ANTHROPIC_PATH = "DYN_HTTP_SVC_ANTHROPIC_PATH";

  // method lists and switches
  public static final String ROUTER_METHODS = "DYN_OBS_ROUTER_METHODS";
  public static final String WORKER_METHODS = "DYN_OBS_WORKER_METHODS";
  public static final String INSTRUMENTATION_PREFIX = "DYN_OBS_INSTRUMENTATION_";
  public static final String ENABLED_SUFFIX = "_ENABLED";
  public static final String RESOURCE_MONITOR = "DYN_OBS_RESOURCE_MONITOR";

  // logging
  public static final String LOG = "DYN_LOG";
  public static final String LOGGING_CONFIG_PATH = "DYN_LOGGING_CONFIG_PATH";
  public static final String LOGGING_JSONL = "DYN_LOGGING_JSONL";
  public static final String LOG_USE_LOCAL_TZ = "DYN_LOG_USE_LOCAL_TZ";
  public static final String LOGGING_SPAN_EVENTS = "DYN_LOGGING_SPAN_EVENTS";

  // OpenTelemetry export
  public static final String EXPORT_ENABLED = "OTEL_EXPORT_ENABLED";
  public static final String EXPORT_LOGS_ENABLED = "OTEL_EXPORT_LOGS_ENABLED";
  public static final String OTLP_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT";
  public static final String OTLP_TRACES_ENDPOINT = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
  public static final String OTLP_LOGS_ENDPOINT = "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT";
  public static final String OTLP_PROTOCOL = "OTEL_EXPORTER_OTLP_PROTOCOL";
  public static final String OTLP_TRACES_PROTOCOL = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL";
  public static final String OTLP_LOGS_PROTOCOL = "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL";
  public static final String OTLP_HEADERS = "OTEL_EXPORTER_OTLP_HEADERS";
  public static final String OTLP_TRACES_HEADERS = "OTEL_EXPORTER_OTLP_TRACES_HEADERS";
  public static final String OTLP_LOGS_HEADERS = "OTEL_EXPORTER_OTLP_LOGS_HEADERS";
  public static final String OTLP_COMPRESSION = "OTEL_EXPORTER_OTLP_COMPRESSION";
  public static final String OTLP_TRACES_COMPRESSION = "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION";
  public static final String OTLP_LOGS_COMPRESSION = "OTEL_EXPORTER_OTLP_LOGS_COMPRESSION";
  public static final String OTLP_TIMEOUT = "OTEL_EXPORTER_OTLP_TIMEOUT";
  public static final String OTLP_TRACES_TIMEOUT = "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT";
  public static final String OTLP_LOGS_TIMEOUT = "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT";
  /** PEM file of the certificates that sign the collector's (TLS). */
  public static final String OTLP_CERTIFICATE = "OTEL_EXPORTER_OTLP_CERTIFICATE";
  public static final String OTLP_TRACES_CERTIFICATE = "OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE";
  public static final String OTLP_LOGS_CERTIFICATE = "OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE";
  /** PEM file of the agent's own private key (PKCS#8) for mTLS, with the certificate below. */
  public static final String OTLP_CLIENT_KEY = "OTEL_EXPORTER_OTLP_CLIENT_KEY";
  public static final String OTLP_TRACES_CLIENT_KEY = "OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY";
  public static final String OTLP_LOGS_CLIENT_KEY = "OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY";
  public static final String OTLP_CLIENT_CERTIFICATE = "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE";
  public static final String OTLP_TRACES_CLIENT_CERTIFICATE = "OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE";
  public static final String OTLP_LOGS_CLIENT_CERTIFICATE = "OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE";
  public static final String PROPAGATORS = "OTEL_PROPAGATORS";
  public static final String TRACES_SAMPLER = "OTEL_TRACES_SAMPLER";
  public static final String TRACES_SAMPLER_ARG = "OTEL_TRACES_SAMPLER_ARG";
  // limits (OTel SDK environment variables)
  public static final String ATTRIBUTE_VALUE_LENGTH_LIMIT = "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT";
  public static final String ATTRIBUTE_COUNT_LIMIT = "OTEL_ATTRIBUTE_COUNT_LIMIT";
  public static final String SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT = "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT";
  public static final String SPAN_ATTRIBUTE_COUNT_LIMIT = "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT";
  public static final String SPAN_EVENT_COUNT_LIMIT = "OTEL_SPAN_EVENT_COUNT_LIMIT";
  public static final String SPAN_LINK_COUNT_LIMIT = "OTEL_SPAN_LINK_COUNT_LIMIT";
  public static final String EVENT_ATTRIBUTE_COUNT_LIMIT = "OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT";
  public static final String LINK_ATTRIBUTE_COUNT_LIMIT = "OTEL_LINK_ATTRIBUTE_COUNT_LIMIT";
  public static final String LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT = "OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT";
  public static final String LOGRECORD_ATTRIBUTE_COUNT_LIMIT = "OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT";
  public static final String RESOURCE_ATTRIBUTES = "OTEL_RESOURCE_ATTRIBUTES";
  public static final String TRACES_SAMPLE_RATIO = "OTEL_TRACES_SAMPLE_RATIO";
  public static final String SERVICE_NAME = "OTEL_SERVICE_NAME";
  /** Spans kept while the collector cannot take them (OTel's batch span processor queue variable). */
  public static final String SPAN_BUFFER = "OTEL_BSP_MAX_QUEUE_SIZE";
  /** Log records kept while the collector cannot take them. */
  public static final String LOG_BUFFER = "OTEL_BLRP_MAX_QUEUE_SIZE";
}
