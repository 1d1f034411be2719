package dynamo.obs.agent.cli;

import dynamo.obs.agent.Version;
import dynamo.obs.agent.config.Config;
import dynamo.obs.agent.config.ConfigSource;
import dynamo.obs.agent.export.OtlpProbe;
import dynamo.obs.agent.weaving.JdkWeaver;
import dynamo.obs.agent.weaving.InstrumentationModule;
import dynamo.obs.agent.weaving.JdkWeave;
import dynamo.obs.agent.weaving.Instrumentations;
import dynamo.obs.agent.http.HttpStacks;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** {@code java -jar dynamo-obs.jar [version | doctor | instrumentations]}. */
public final class Cli {
  private Cli() {
  }

  public static void main(String[] args, File jar) {
    PrintStream out = System.out;
    String command = args.length == 0 ? "" : args[0];
    switch (command) {
      case "version" :
        out.println("dynamo-obs " + Version.get());
        break;
      case "instrumentations" :
        out.print(InstrumentationList.markdown());
        break;
      case "doctor" :
        if (args.length == 3 && (args[1].equals("--class-path") || args[1].equals("-cp"))) {
          System.exit(doctor(out, args[2]));
        } else if (args.length == 1) {
          System.exit(doctor(out, null));
        } else {
          out.println("usage: java -jar " + jar.getName() + " doctor [--class-path <the application's class path>]");
          System.exit(2);
        }
        break;
      default :
        out.println("dynamo-obs " + Version.get() + " — Dynamo-compatible observability for Java services");
        out.println();
        out.println("Attach:   java -javaagent:" + jar.getPath() + " -jar your-service.jar");
        out.println("          (or JAVA_TOOL_OPTIONS=-javaagent:" + jar.getPath() + ")");
        out.println("Commands: java -jar " + jar.getName() + " version   print the version");
        out.println("          java -jar " + jar.getName() + " doctor    check this environment's configuration");
        out.println("          java -jar " + jar.getName() + " doctor --class-path <cp>   and the application's"
            + " HTTP stacks");
        out.println("          java -jar " + jar.getName() + " instrumentations   list what the agent instruments");
        out.println();
        out.println("Configure with Dynamo's variables, e.g. DYN_SYSTEM_PORT=8081 (health + /metrics),");
        out.println("OTEL_EXPORT_ENABLED=true OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://tempo:4317.");
        if (!command.isEmpty() && !command.equals("help") && !command.equals("--help")) {
          out.println();
          out.println("Unknown command: " + command);
          System.exit(2);
        }
    }
  }

  /**
   * Prints the effective configuration and every warning; exit code 1 when there are warnings. With the
   * application's class path, also its HTTP stacks against what the agent supports.
   */
  static int doctor(PrintStream out, String classPath) {
    Config c = Config.read(ConfigSource.system(), Instrumentations.names());
    out.println("dynamo-obs " + Version.get() + " doctor");
    out.println();
    out.println("System status server");
    if (c.systemServerEnabled()) {
      out.println(
          "  address            " + c.systemHost + ":" + c.systemPort + (c.systemPort == 0 ? " (random port)" : ""));
      out.println("  health / live      " + c.healthPath + " / " + c.livePath);
      out.println("  starting status    " + c.startingHealthStatus.json());
      out.println("  required endpoints " + c.useEndpointHealthStatus);
      out.println("  canary checks      " + (c.healthCheckEnabled
          ? "on (wait " + c.canaryWaitSeconds + " s, timeout " + c.healthCheckTimeoutSeconds + " s)"
          : "off"));
    } else {
      out.println("  disabled: set DYN_SYSTEM_PORT (0 for a random port)");
    }
    out.println("  frontend's port    " + (c.frontendPortRoutes
        ? "/metrics, " + c.healthPath + ", " + c.livePath
            + " also on a frontend's own HTTP port, where the application has no such route"
        : "off (DYN_OBS_FRONTEND_PORT_ROUTES)"));
    out.println();
    out.println("Labels");
    out.println("  dynamo_namespace   " + c.namespace);
    out.println("  dynamo_component   " + (c.component == null ? "(by role: frontend, router, backend)" : c.component));
    out.println("  dynamo_endpoint    " + c.endpoint);
    out.println("  metric prefix      " + c.metricsPrefix);
    out.println("  model cap          " + c.maxModels);
    out.println();
    out.println("Inference routes");
    c.inferencePaths.forEach((k, v) -> out.println("  " + pad(k, 18) + " " + v));
    out.println();
    out.println("Instrumentations");
    List<JdkWeave> weaves = new ArrayList<>();
    for (InstrumentationModule m : Instrumentations.all()) {
      out.println("  " + pad(m.name(), 18) + " " + (c.instrumentationEnabled(m.name()) ? "on " : "off") + "  "
          + m.description());
      if (c.instrumentationEnabled(m.name())) {
        weaves.addAll(m.jdkWeaves());
      }
    }
    List<String> jdkMissing = JdkWeaver.missingOnThisJdk(weaves);
    int feature = Runtime.version().feature();
    long expected = weaves.stream().filter(w -> w.expectedOn(feature)).count();
    out.println("  JDK internals      " + (jdkMissing.isEmpty()
        ? "all " + expected + " JDK methods the agent weaves here are present (JDK "
            + System.getProperty("java.vm.version") + (expected < weaves.size()
                ? "; " + (weaves.size() - expected) + " more for other JDKs)"
                : ")")
        : jdkMissing.size() + " of the " + expected
            + " JDK methods the agent weaves here are missing (see the warnings)"));
    List<String> stackWarnings = httpStacks(out, c, classPath);
    out.println("  router methods     " + (c.routerMethods.isEmpty() ? "none" : c.routerMethods));
    out.println("  worker methods     " + (c.workerMethods.isEmpty() ? "none" : c.workerMethods));
    out.println();
    out.println("Logging");
    out.println("  filter             " + c.logFilter);
    out.println("  format             " + (c.loggingJsonl ? "jsonl" : "readable")
        + (c.logUseLocalTz ? ", local time" : ", UTC"));
    out.println();
    out.println("Export");
    if (!c.exportEnabled) {
      out.println("  disabled: set OTEL_EXPORT_ENABLED=true");
    } else {
      out.println("  service.name       " + c.serviceName);
      out.println("  resource           " + (c.resourceAttributes.isEmpty()
          ? "(OTEL_RESOURCE_ATTRIBUTES unset)"
          : c.resourceAttributes));
      target(out, "traces", c.traces, OtlpProbe.check(c, false));
      if (c.exportLogsEnabled) {
        target(out, "logs", c.logs, OtlpProbe.check(c, true));
      } else {
        out.println("  logs               off (OTEL_EXPORT_LOGS_ENABLED)");
      }
      out.println("  sampler            " + c.sampling);
      out.println("  propagators        " + (c.propagators.isEmpty() ? "none" : String.join(", ", c.propagators)));
      Config.SpanLimitValues l = c.spanLimits;
      out.println(
          "  span limits        " + l.attributeCount() + " attributes (values " + limit(l.attributeValueLength())
              + "), " + l.eventCount() + " events, " + l.linkCount() + " links, " + l.eventAttributeCount() + " / "
              + l.linkAttributeCount() + " attributes per event / link");
      out.println(
          "  log record limits  " + c.logAttributeCount + " attributes (values " + limit(c.logAttributeValueLength)
              + ")");
      out.println("  buffers            " + c.spanBuffer + " spans, " + c.logBuffer + " log records");
    }
    out.println();
    List<String> warnings = new ArrayList<>(c.warnings());
    warnings.addAll(jdkMissing);
    warnings.addAll(stackWarnings);
    if (warnings.isEmpty()) {
      out.println("No configuration warnings.");
      return 0;
    }
    out.println("Warnings (" + warnings.size() + ")");
    for (String w : warnings) {
      out.println("  WARN " + w);
    }
    return 1;
  }

  /** One signal's effective exporter settings (header values are not shown: they are often credentials). */
  private static void target(PrintStream out, String signal, Config.OtlpTarget t, String probe) {
    out.println("  " + pad(signal, 18) + " " + t.endpoint() + " (" + t.protocol() + ") " + probe);
    out.println("    headers          " + (t.headers().isEmpty()
        ? "none"
        : String.join(", ", t.headers().keySet())
            + " (values not shown)"));
    out.println("    compression      " + t.compression() + ", timeout " + t.timeoutMillis() + " ms");
    out.println("    TLS              " + (!t.endpoint().regionMatches(true, 0, "https:", 0, 6)
        ? "off (http://)"
        : (t.certificate() != null ? "trusting " + t.certificate() : "trusting the JVM's certificates")
            + (t.mutualTls()
                ? "; client key " + t.clientKey() + ", certificate " + t.clientCertificate() + " (mTLS)"
                : "; no client certificate")));
  }

  private static String limit(int n) {
    return n == Config.UNLIMITED ? "unlimited" : "at most " + n + " characters";
  }

  /**
   * The application's HTTP stacks, read from its class path as it would load them (nothing is loaded or run):
   * which supported ones are there and in which version, the libraries' methods the agent weaves that their classes
   * lack, and the one warning the running agent would give.
   */
  private static List<String> httpStacks(PrintStream out, Config c, String classPath) {
    List<String> warnings = new ArrayList<>();
    if (classPath == null) {
      out.println("  HTTP stacks        not checked: run doctor --class-path <the application's class path (as for"
          + " java -cp, or its jar)>; the running agent tells the same " + HttpStacks.CHECK_AFTER_SECONDS
          + " s after start");
      return warnings;
    }
    try (URLClassLoader loader = new URLClassLoader(classPathUrls(classPath), ClassLoader.getPlatformClassLoader())) {
      List<HttpStacks.Found> found = HttpStacks.onClassPath(loader);
      out.println("  HTTP stacks        " + (found.isEmpty() ? "none found on the class path" : ""));
      for (HttpStacks.Found f : found) {
        out.println("    " + f + (f.supported() ? "" : "  not supported"));
      }
      List<JdkWeave> libraryWeaves = new ArrayList<>();
      for (InstrumentationModule m : Instrumentations.all()) {
        if (c.instrumentationEnabled(m.name())) {
          int target = Instrumentations.number(m.name());
          for (JdkWeave w : m.earlyWeaves()) {
            libraryWeaves.add(w.forTarget(target));
          }
          for (JdkWeave w : m.libraryWeaves()) {
            libraryWeaves.add(w.forTarget(target));
          }
        }
      }
      warnings.addAll(JdkWeaver.missingIn(libraryWeaves, loader));
      boolean serverThere = found.stream().anyMatch(HttpStacks.Found::supported);
      String problem = HttpStacks.problem(found, serverThere, c.routerMethods.isEmpty() && c.workerMethods.isEmpty(),
          "on this class path");
      if (problem != null) {
        warnings.add(problem.replace("has started listening on this class path", "is on this class path"));
      }
    } catch (IOException e) {
      warnings.add("the class path " + classPath + " could not be read: " + e);
    }
    return warnings;
  }

  /** The entries of a class path as {@code java -cp} takes them ({@code dir/*} is every jar of the folder). */
  private static URL[] classPathUrls(String classPath) throws IOException {
    List<URL> urls = new ArrayList<>();
    for (String entry : classPath.split(File.pathSeparator)) {
      if (entry.isEmpty()) {
        continue;
      }
      if (entry.endsWith("*")) {
        File[] jars = new File(entry.substring(0, entry.length() - 1)).listFiles((d, n) -> n.endsWith(".jar")
            || n.endsWith(".JAR"));
        if (jars != null) {
          Arrays.sort(jars);
          for (File jar : jars) {
            urls.add(jar.toURI().toURL());
          }
        }
      } else {
        urls.add(new File(entry).toURI().toURL());
      }
    }
    return urls.toArray(new URL[0]);
  }

  private static String pad(String s, int width) {
    StringBuilder sb = new StringBuilder(s);
    while (sb.length() < width) {
      sb.append(' ');
    }
    return sb.toString();
  }
}
