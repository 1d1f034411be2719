package dynamo.obs.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigTest {
  private static final List<String> KNOWN = List.of("jdk-httpserver", "servlet");

  private static Config read(Map<String, String> env) {
    return read(env, new Properties());
  }

  private static Config read(Map<String, String> env, Properties props) {
    return Config.read(new ConfigSource(env, props), KNOWN);
  }

  @Test
  void defaultsMatchTheSpec() {
    Config c = read(Map.of());
    assertEquals(-1, c.systemPort);
    assertFalse(c.systemServerEnabled());
    assertEquals("0.0.0.0", c.systemHost);
    assertEquals(Config.HealthStatus.NOTREADY, c.startingHealthStatus);
    assertEquals("/health", c.healthPath);
    assertEquals("/live", c.livePath);
    assertTrue(c.frontendPortRoutes);
    assertEquals(List.of(), c.useEndpointHealthStatus);
    assertFalse(c.healthCheckEnabled);
    assertEquals(10, c.canaryWaitSeconds);
    assertEquals(3, c.healthCheckTimeoutSeconds);
    assertEquals("dynamo", c.namespace);
    assertNull(c.component);
    assertEquals("generate", c.endpoint);
    assertEquals("dynamo_frontend", c.metricsPrefix);
    assertEquals(100, c.maxModels);
    assertEquals("/v1/chat/completions", c.inferencePaths.get("chat_completions"));
    assertEquals("/v1/messages", c.inferencePaths.get("anthropic_messages"));
    assertEquals(new Config.Buckets(0.001, 480, 18), c.buckets("TTFT"));
    assertFalse(c.exportEnabled);
    assertTrue(c.exportLogsEnabled);
    assertEquals("http://localhost:4317", c.traces.endpoint());
    assertEquals("grpc", c.traces.protocol());
    assertEquals("http://localhost:4317", c.logs.endpoint());
    assertEquals(1.0, c.tracesSampleRatio);
    assertEquals("dynamo", c.serviceName);
    assertEquals(LogFilter.Level.INFO, c.logFilter.defaultLevel());
    assertEquals(List.of(), c.warnings());
  }

  @Test
  void systemPropertyWinsOverEnvironmentAndEmptyCountsAsUnset() {
    Properties p = new Properties();
    p.setProperty("dyn.system.port", "9090");
    assertEquals(9090, read(Map.of("DYN_SYSTEM_PORT", "8081"), p).systemPort);
    Properties empty = new Properties();
    empty.setProperty("dyn.system.port", "");
    assertEquals(8081, read(Map.of("DYN_SYSTEM_PORT", "8081"), empty).systemPort);
    Config c = read(Map.of("DYN_SYSTEM_PORT", "", "DYN_NAMESPACE", ""));
    assertEquals(-1, c.systemPort);
    assertEquals("dynamo", c.namespace);
    assertEquals(List.of(), c.warnings());
  }

  @ParameterizedTest
  @CsvSource({"1,true", "TRUE,true", "On,true", "yes,true", "0,false", "False,false", "OFF,false", "no,false"})
  void booleansAcceptDynamoTruthyAndFalsey(String raw, boolean expected) {
    Config c = read(Map.of("OTEL_EXPORT_ENABLED", raw));
    assertEquals(expected, c.exportEnabled);
    assertEquals(List.of(), c.warnings());
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "DYN_SYSTEM_PORT|abc|-1 (system status server disabled)",
      "DYN_SYSTEM_PORT|70000|-1 (system status server disabled)",
      "DYN_SYSTEM_HOST|bad host|0.0.0.0",
      "DYN_SYSTEM_STARTING_HEALTH_STATUS|maybe|notready",
      "DYN_SYSTEM_HEALTH_PATH|health|/health",
      "DYN_SYSTEM_LIVE_PATH|/a b|/live",
      "DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS|[\"generate\"|[] (no endpoint list)",
      "DYN_HEALTH_CHECK_ENABLED|perhaps|false",
      "DYN_CANARY_WAIT_TIME|-5|10",
      "DYN_HEALTH_CHECK_REQUEST_TIMEOUT|soon|3",
      "DYN_HEALTH_CHECK_PAYLOAD|{not json|the built-in canary payload",
      "DYN_HEALTH_CHECK_PAYLOAD|@/no/such/file|the built-in canary payload",
      "DYN_METRICS_PREFIX|___|\"dynamo_frontend\"",
      "DYN_HISTOGRAM_TTFT_MIN|0|the default buckets (0.001, 480, 18)",
      "DYN_HISTOGRAM_ITL_COUNT|1000|the default buckets (0.001, 2, 13)",
      "DYN_HISTOGRAM_REQUEST_DURATION_MAX|0.5|the default buckets (1, 512, 10)",
      "DYN_OBS_MAX_MODELS|0|100",
      "DYN_LOGGING_CONFIG_PATH|/no/such.toml|the built-in log levels",
      "DYN_LOGGING_JSONL|2|false",
      "OTEL_EXPORT_ENABLED|yesplease|false",
      "OTEL_EXPORTER_OTLP_PROTOCOL|http/json|grpc",
      "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT|localhost:4317|the next fallback",
      "OTEL_TRACES_SAMPLE_RATIO|1.5|1.0 (every trace)",
      "DYN_OBS_INSTRUMENTATION_SERVLET_ENABLED|maybe|true",
  })
  void eachInvalidValueGivesExactlyOneWarningNamingVariableValueAndFallback(String name, String raw, String using) {
    Config c = read(Map.of(name, raw));
    assertEquals(1, c.warnings().size(), () -> "warnings: " + c.warnings());
    String w = c.warnings().get(0);
    assertTrue(w.startsWith(name + "=\"" + raw.replace("\"", "\\\"") + "\" is invalid"), w);
    assertTrue(w.endsWith("; using " + using), w);
  }

  @Test
  void labelValuesAreSanitisedAsDynamoDoesWithAWarning() {
    Config c = read(Map.of("DYN_NAMESPACE", "my-ns", "DYN_COMPONENT", "prefill"));
    assertEquals("my_ns", c.namespace);
    assertEquals("prefill", c.component);
    assertEquals(1, c.warnings().size());
    assertTrue(c.warnings().get(0).contains("DYN_NAMESPACE=\"my-ns\""));
    assertTrue(c.warnings().get(0).endsWith("using \"my_ns\""));
  }

  @Test
  void metricsPrefixIsSanitised() {
    Config c = read(Map.of("DYN_METRICS_PREFIX", "9nim-frontend"));
    assertEquals("_9nim_frontend", c.metricsPrefix);
    assertEquals(1, c.warnings().size());
  }

  @Test
  void histogramOverridesApplyAndUnknownOnesWarn() {
    Config c = read(Map.of("DYN_HISTOGRAM_TTFT_MIN", "0.01", "DYN_HISTOGRAM_TTFT_MAX", "100",
        "DYN_HISTOGRAM_TTFT_COUNT", "5", "DYN_HISTOGRAM_FOO_MIN", "1"));
    assertEquals(new Config.Buckets(0.01, 100, 5), c.buckets("TTFT"));
    assertEquals(1, c.warnings().size());
    assertTrue(c.warnings().get(0).startsWith("DYN_HISTOGRAM_FOO_MIN is not a known histogram setting"));
  }

  @Test
  void aMinimumAboveTheDefaultMaximumIsWhatTheWarningBlames() {
    Config c = read(Map.of("DYN_HISTOGRAM_TTFT_MIN", "1000"));
    assertEquals(Config.DEFAULT_BUCKETS.get("TTFT"), c.buckets("TTFT"));
    assertEquals(List.of("DYN_HISTOGRAM_TTFT_MIN=\"1000\" is invalid (expected a finite number greater than 0 and below"
        + " the maximum 480); using the default buckets (0.001, 480, 18)"), c.warnings());
  }

  @Test
  void deprecatedSystemEnabledWarnsOnceEvenWhenEmpty() {
    Map<String, String> env = new HashMap<>();
    env.put("DYN_SYSTEM_ENABLED", "");
    Config c = read(env);
    assertEquals(1, c.warnings().size());
    assertTrue(c.warnings().get(0).startsWith("DYN_SYSTEM_ENABLED is deprecated"));
  }

  @Test
  void endpointListAcceptsDynamoForms() {
    assertEquals(List.of("generate"),
        read(Map.of("DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS", "[\"generate\"]")).useEndpointHealthStatus);
    assertEquals(List.of("generate", "clear_kv_blocks"),
        read(Map.of("DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS", "[generate, 'clear_kv_blocks']")).useEndpointHealthStatus);
    assertEquals(List.of(), read(Map.of("DYN_SYSTEM_USE_ENDPOINT_HEALTH_STATUS", "[]")).useEndpointHealthStatus);
  }

  @Test
  void payloadFromFileIsRead(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("p.json");
    Files.writeString(f, "{\"prompt\":\"hi\",\"max_tokens\":1}");
    Config c = read(Map.of("DYN_HEALTH_CHECK_PAYLOAD", "@" + f));
    assertEquals("{\"prompt\":\"hi\",\"max_tokens\":1}", c.healthCheckPayload);
    assertEquals(List.of(), c.warnings());
  }

  @Test
  void endpointFallbacksFollowTheSpec() {
    Config generic = read(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"));
    assertEquals("http://collector:4317", generic.traces.endpoint());
    assertEquals("http://collector:4317", generic.logs.endpoint());

    Config tracesOnly = read(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://tempo:4317"));
    assertEquals("http://tempo:4317", tracesOnly.traces.endpoint());
    assertEquals("http://tempo:4317", tracesOnly.logs.endpoint());

    Config http = read(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/",
        "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"));
    assertEquals("http://collector:4318/v1/traces", http.traces.endpoint());
    assertEquals("http://collector:4318/v1/logs", http.logs.endpoint());
    assertEquals(List.of(), http.warnings());

    Config httpDefault = read(Map.of("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "http/protobuf"));
    assertEquals("http://localhost:4317", httpDefault.traces.endpoint());
    assertEquals("http://localhost:4318/v1/logs", httpDefault.logs.endpoint());
  }

  @Test
  void grpcEndpointThatLooksLikeOtlpHttpIsCalledOut() {
    Config c = read(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://collector:4318"));
    assertEquals(1, c.warnings().size());
    assertTrue(c.warnings().get(0).contains("looks like an OTLP/HTTP address"), c.warnings().get(0));
    Config path = read(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317/v1/traces"));
    assertEquals(1, path.warnings().size(), path.warnings().toString());
  }

  @Test
  void headersAndResourceAttributesAreParsed() {
    Config c = read(Map.of("OTEL_EXPORTER_OTLP_HEADERS", "api-key=abc%20def,x=1,broken",
        "OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=prod"));
    assertEquals(Map.of("api-key", "abc def", "x", "1"), c.otlpHeaders);
    assertEquals(Map.of("deployment.environment", "prod"), c.resourceAttributes);
    assertEquals(1, c.warnings().size());
    assertTrue(c.warnings().get(0).startsWith("OTEL_EXPORTER_OTLP_HEADERS entry \"broken\""));
  }

  @Test
  void eachSignalsExporterSettingsFallBackToTheGenericOnes() {
    Config c = read(Map.of("OTEL_EXPORTER_OTLP_HEADERS", "a=1", "OTEL_EXPORTER_OTLP_LOGS_HEADERS", "b=2",
        "OTEL_EXPORTER_OTLP_COMPRESSION", "GZIP", "OTEL_EXPORTER_OTLP_LOGS_COMPRESSION", "none",
        "OTEL_EXPORTER_OTLP_TIMEOUT", "2500", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "700"));
    assertEquals(Map.of("a", "1"), c.traces.headers());
    assertEquals(Map.of("b", "2"), c.logs.headers(), "a signal's headers replace the generic ones");
    assertEquals("gzip", c.traces.compression());
    assertEquals("none", c.logs.compression());
    assertEquals(700, c.traces.timeoutMillis());
    assertEquals(2500, c.logs.timeoutMillis());
    assertEquals(List.of(), c.warnings());
    Config bad = read(Map.of("OTEL_EXPORTER_OTLP_COMPRESSION", "zstd", "OTEL_EXPORTER_OTLP_TIMEOUT", "10s"));
    assertEquals("none", bad.traces.compression());
    assertEquals(10_000, bad.traces.timeoutMillis());
    assertEquals(List.of("OTEL_EXPORTER_OTLP_COMPRESSION=\"zstd\" is invalid (expected gzip or none); using none",
        "OTEL_EXPORTER_OTLP_TIMEOUT=\"10s\" is invalid (expected a whole number of milliseconds from 1 to 600000);"
            + " using 10000"),
        bad.warnings());
  }

  /** A key pair and its self-signed certificate as PEM files, made with the JDK's keytool. */
  private static Path[] keyAndCertificate(Path dir) throws Exception {
    Path store = dir.resolve("k.p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    for (String[] args : new String[][]{
        {"-genkeypair", "-alias", "k", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
            "-keystore", store.toString(), "-storetype", "PKCS12"},
        {"-exportcert", "-rfc", "-alias", "k", "-keystore", store.toString(), "-file",
            dir.resolve("c.pem").toString()}}) {
      List<String> cmd = new java.util.ArrayList<>(List.of(keytool));
      cmd.addAll(List.of(args));
      cmd.addAll(List.of("-storepass", "secret", "-keypass", "secret"));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      assertEquals(0, p.waitFor(), out);
    }
    java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(store)) {
      ks.load(in, "secret".toCharArray());
    }
    byte[] der = ks.getKey("k", "secret".toCharArray()).getEncoded();
    Files.writeString(dir.resolve("k.pem"), "-----BEGIN PRIVATE KEY-----\n"
        + java.util.Base64.getMimeEncoder().encodeToString(der) + "\n-----END PRIVATE KEY-----\n");
    return new Path[]{dir.resolve("k.pem"), dir.resolve("c.pem")};
  }

  @Test
  void tlsFilesAreReadAndCheckedOnceAtStart(@TempDir Path dir) throws Exception {
    Path[] kc = keyAndCertificate(dir);
    String key = kc[0].toString();
    String cert = kc[1].toString();
    Config c = read(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector:4317",
        "OTEL_EXPORTER_OTLP_CERTIFICATE", cert, "OTEL_EXPORTER_OTLP_CLIENT_KEY", key,
        "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", cert));
    assertEquals(List.of(), c.warnings());
    assertEquals(cert, c.traces.certificate().path());
    assertTrue(c.traces.mutualTls() && c.logs.mutualTls());
    assertEquals(Files.readString(kc[0]), new String(c.logs.clientKey().bytes()));

    Config keyOnly = read(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector:4317",
        "OTEL_EXPORTER_OTLP_CLIENT_KEY", key));
    assertFalse(keyOnly.traces.mutualTls());
    assertEquals(1, keyOnly.warnings().size(), keyOnly.warnings().toString());
    assertTrue(keyOnly.warnings().get(0).startsWith("OTEL_EXPORTER_OTLP_CLIENT_KEY=\"" + key
        + "\" is set without a usable OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE"), keyOnly.warnings().get(0));

    Config swapped = read(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector:4317",
        "OTEL_EXPORTER_OTLP_CERTIFICATE", key));
    assertNull(swapped.traces.certificate());
    assertEquals(1, swapped.warnings().size(), swapped.warnings().toString());
    assertTrue(swapped.warnings().get(0).contains("using the JVM's trusted certificates"), swapped.warnings().get(0));

    Config plain = read(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317",
        "OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE", cert));
    assertEquals(List.of("OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE=\"" + cert + "\" is set but the endpoint"
        + " http://collector:4317 is not https: the certificate is not used; use an https:// endpoint for TLS"),
        plain.warnings());
  }

  @Test
  void samplerPropagatorsAndLimits() {
    Config d = read(Map.of());
    assertEquals(new Config.Sampling("parentbased_traceidratio", 1.0), d.sampling);
    assertEquals(List.of("tracecontext", "baggage"), d.propagators);
    assertEquals(128, d.spanLimits.attributeCount());
    assertEquals(Config.UNLIMITED, d.spanLimits.attributeValueLength());
    Config c = read(Map.of("OTEL_TRACES_SAMPLER", "traceidratio", "OTEL_TRACES_SAMPLER_ARG", "0.25",
        "OTEL_PROPAGATORS", "baggage", "OTEL_ATTRIBUTE_COUNT_LIMIT", "10", "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "20",
        "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "100"));
    assertEquals(new Config.Sampling("traceidratio", 0.25), c.sampling);
    assertEquals(List.of("baggage"), c.propagators);
    assertEquals(20, c.spanLimits.attributeCount());
    assertEquals(10, c.logAttributeCount, "the generic limit where no signal's is set");
    assertEquals(100, c.logAttributeValueLength);
    assertEquals(List.of(), c.warnings());
    assertEquals(new Config.Sampling("parentbased_traceidratio", 0.1),
        read(Map.of("OTEL_TRACES_SAMPLE_RATIO", "0.1")).sampling, "Dynamo's ratio");
    Config bad = read(Map.of("OTEL_TRACES_SAMPLER", "jaeger_remote", "OTEL_PROPAGATORS", "tracecontext,b3"));
    assertEquals(List.of("tracecontext"), bad.propagators);
    assertEquals(2, bad.warnings().size(), bad.warnings().toString());
    assertTrue(bad.warnings().get(0).startsWith("OTEL_TRACES_SAMPLER=\"jaeger_remote\" is invalid"),
        bad.warnings().get(0));
    assertTrue(bad.warnings().get(1).startsWith("OTEL_PROPAGATORS entry \"b3\" is not supported"),
        bad.warnings().get(1));
    assertEquals(List.of(), read(Map.of("OTEL_PROPAGATORS", "none")).propagators);
  }

  @Test
  void instrumentationSwitchesUseKebabNames() {
    Config c = read(Map.of("DYN_OBS_INSTRUMENTATION_JDK_HTTPSERVER_ENABLED", "off",
        "DYN_OBS_INSTRUMENTATION_NOPE_ENABLED", "false"));
    assertFalse(c.instrumentationEnabled("jdk-httpserver"));
    assertTrue(c.instrumentationEnabled("servlet"));
    assertEquals(1, c.warnings().size());
    assertTrue(c.warnings().get(0).startsWith("DYN_OBS_INSTRUMENTATION_NOPE_ENABLED names no instrumentation"));
    Properties p = new Properties();
    p.setProperty("dyn.obs.instrumentation.servlet.enabled", "false");
    assertFalse(read(Map.of(), p).instrumentationEnabled("servlet"));
  }

  @Test
  void methodListsKeepTheGoodSegments() {
    Config c = read(Map.of("DYN_OBS_WORKER_METHODS", "com.acme.Engine[generate,stream];bad[;com.acme.Api$Inner[*]"));
    assertEquals("com.acme.Engine[generate,stream];com.acme.Api$Inner[*]", c.workerMethods.toString());
    assertEquals(1, c.warnings().size());
    assertTrue(c.warnings().get(0).contains("segment \"bad[\""));
  }

  @Test
  void logFilterPrecedence(@TempDir Path dir) throws Exception {
    Path toml = dir.resolve("logging.toml");
    Files.writeString(toml, "log_level = \"warn\" # default\n[log_filters]\n\"com.acme.router\" = \"error\"\n");
    Config c = read(Map.of("DYN_LOGGING_CONFIG_PATH", toml.toString(),
        "DYN_LOG", "debug,com.acme.router=trace,com.acme=info"));
    LogFilter f = c.logFilter;
    assertEquals(LogFilter.Level.DEBUG, f.levelFor("org.other"));
    assertEquals(LogFilter.Level.INFO, f.levelFor("com.acme.worker.Engine"));
    // the file's per-target filter wins over DYN_LOG for the very same target
    assertEquals(LogFilter.Level.ERROR, f.levelFor("com.acme.router.Picker"));
    assertEquals(LogFilter.Level.DEBUG, f.levelFor("com.acmeother"), "prefixes match on name boundaries only");
    assertEquals(List.of(), c.warnings());
  }

  @Test
  void badLogDirectivesAreSkippedWithAWarningEach() {
    Config c = read(Map.of("DYN_LOG", "info,foo=loud,bar:debug"));
    assertEquals(2, c.warnings().size(), c.warnings().toString());
    assertEquals(LogFilter.Level.INFO, c.logFilter.defaultLevel());
  }
}
