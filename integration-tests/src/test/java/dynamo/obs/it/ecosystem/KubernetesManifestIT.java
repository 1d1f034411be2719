package dynamo.obs.it.ecosystem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.it.support.AgentProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The example manifests of dev/kubernetes/ against the agent itself: every variable they set is one
 * the agent reads, {@code java -jar dynamo-obs.jar doctor} accepts each container's environment
 * without a warning, the probes reach the system port and paths the agent serves, and the agent jar
 * the initContainer copies is the one JAVA_TOOL_OPTIONS loads.
 */
class KubernetesManifestIT {
  static final String MANIFEST = "dev/kubernetes/java-llm-services.yaml";
  static final Pattern JAVAAGENT = Pattern.compile("-javaagent:(\\S+\\.jar)");

  record Container(String deployment, Map<String, Object> pod, Map<String, Object> container) {
    String name() {
      return deployment + "/" + container.get("name");
    }

    /** name → value (null for valueFrom entries). */
    Map<String, Object> env() {
      Map<String, Object> env = new LinkedHashMap<>();
      for (Object o : Yaml.list(container.get("env"), name() + " env")) {
        Map<String, Object> e = Yaml.map(o, name() + " env entry");
        String n = (String) e.get("name");
        assertFalse(env.containsKey(n), name() + ": " + n + " set twice");
        env.put(n, e.containsKey("valueFrom") ? null : e.get("value"));
      }
      return env;
    }

    int port(Object nameOrNumber) {
      if (nameOrNumber instanceof Long) {
        return ((Long) nameOrNumber).intValue();
      }
      for (Object o : Yaml.list(container.get("ports"), name() + " ports")) {
        Map<String, Object> p = Yaml.map(o, "port");
        if (nameOrNumber.equals(p.get("name"))) {
          return ((Long) p.get("containerPort")).intValue();
        }
      }
      throw new AssertionError(name() + ": no container port named " + nameOrNumber);
    }
  }

  static List<Object> documents(String file) {
    return Yaml.parseAll(Repo.read(file), file);
  }

  /** The containers that run with the agent (their env has JAVA_TOOL_OPTIONS), with their pods. */
  static List<Container> agentContainers() {
    List<Container> out = new ArrayList<>();
    for (Object doc : documents(MANIFEST)) {
      if (!"Deployment".equals(Yaml.at(doc, "kind"))) {
        continue;
      }
      Map<String, Object> pod = Yaml.map(Yaml.at(doc, "spec", "template", "spec"), "pod spec");
      for (Object c : Yaml.list(pod.get("containers"), "containers")) {
        Map<String, Object> container = Yaml.map(c, "container");
        Container k = new Container((String) Yaml.at(doc, "metadata", "name"), pod, container);
        if (container.get("env") != null && k.env().containsKey("JAVA_TOOL_OPTIONS")) {
          out.add(k);
        }
      }
    }
    assertEquals(2, out.size(), "the frontend and the worker run with the agent");
    return out;
  }

  static final String SETTINGS = "dynamo.obs.agent.config.Settings";

  /**
   * Settings' constants (field → variable name), read from the very agent jar the tests run: the class
   * is defined from its bytes in the jar (stored under inst/ as .classdata) in a loader of its own.
   */
  static Map<String, String> settings() {
    String path = SETTINGS.replace('.', '/');
    byte[] bytes = null;
    try (JarFile jar = new JarFile(AgentProcess.agentJar().toFile())) {
      for (String name : List.of("inst/" + path + ".classdata", path + ".class")) {
        JarEntry e = jar.getJarEntry(name);
        if (e != null) {
          try (InputStream in = jar.getInputStream(e)) {
            bytes = in.readAllBytes();
          }
          break;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertNotNull(bytes, SETTINGS + " is in the agent jar");
    byte[] classBytes = bytes;
    Class<?> c = new ClassLoader(null) {
      Class<?> define() {
        return defineClass(SETTINGS, classBytes, 0, classBytes.length);
      }
    }.define();
    Map<String, String> out = new LinkedHashMap<>();
    for (Field f : c.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
        try {
          out.put(f.getName(), (String) f.get(null));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return out;
  }

  /** Whether the agent reads {@code name}: one of Settings' names, or of its prefix families. */
  static boolean isAgentVariable(String name, Map<String, String> settings) {
    String histogram = settings.get("HISTOGRAM_PREFIX");
    String instrumentation = settings.get("INSTRUMENTATION_PREFIX");
    String enabled = settings.get("ENABLED_SUFFIX");
    if (settings.containsValue(name) && !name.equals(histogram) && !name.equals(instrumentation)
        && !name.equals(enabled)) {
      return true;
    }
    return name.matches(
        Pattern.quote(histogram) + "(TTFT|ITL|REQUEST_DURATION|INPUT_SEQUENCE|OUTPUT_SEQUENCE)_(MIN|MAX|COUNT)")
        || name.matches(Pattern.quote(instrumentation) + "[A-Z0-9_]+" + Pattern.quote(enabled));
  }

  @Test
  void everyVariableIsOneTheAgentReadsAndEveryValueIsAString() {
    Map<String, String> known = settings();
    assertTrue(known.containsValue("DYN_SYSTEM_PORT") && known.containsValue("OTEL_EXPORT_ENABLED"),
        "Settings read: " + known);
    for (Container c : agentContainers()) {
      Map<String, Object> env = c.env();
      String all = String.valueOf(env.values());
      for (Map.Entry<String, Object> e : env.entrySet()) {
        String name = e.getKey();
        if (e.getValue() == null) {
          // a helper filled from the downward API, only there to be referenced as $(NAME)
          assertTrue(all.contains("$(" + name + ")"),
              c.name() + ": " + name + " (valueFrom) is referenced by no value");
          continue;
        }
        assertTrue(e.getValue() instanceof String, c.name() + ": " + name + "=" + e.getValue()
            + " must be a quoted string (Kubernetes rejects YAML booleans and numbers in env values)");
        assertTrue(name.equals("JAVA_TOOL_OPTIONS") || isAgentVariable(name, known),
            c.name() + ": " + name + " is no variable the agent reads (" + SETTINGS + ")");
      }
    }
  }

  @Test
  void theInitContainerCopiesTheJarThatJavaToolOptionsLoads() {
    String dockerfile = Repo.read("dev/kubernetes/Dockerfile.agent");
    Matcher copy = Pattern.compile("(?m)^COPY agent/target/dynamo-obs.jar (\\S+)$").matcher(dockerfile);
    assertTrue(copy.find(), "Dockerfile.agent copies the built agent jar");
    String inImage = copy.group(1);
    for (Container c : agentContainers()) {
      Matcher m = JAVAAGENT.matcher((String) c.env().get("JAVA_TOOL_OPTIONS"));
      assertTrue(m.find(), c.name() + ": JAVA_TOOL_OPTIONS has -javaagent:<jar>");
      String jar = m.group(1);
      String volume = mountedVolume(c.container(), jar, c.name());
      Object source = Yaml.at(c.pod(), "volumes");
      boolean emptyDir = Yaml.list(source, "volumes").stream().map(v -> Yaml.map(v, "volume"))
          .anyMatch(v -> volume.equals(v.get("name")) && v.containsKey("emptyDir"));
      assertTrue(emptyDir, c.name() + ": volume " + volume + " is an emptyDir of the pod");
      boolean copied = false;
      for (Object i : Yaml.list(c.pod().get("initContainers"), "initContainers")) {
        Map<String, Object> init = Yaml.map(i, "initContainer");
        List<Object> command = Yaml.list(init.get("command"), "initContainer command");
        if (command.size() == 3 && command.get(0).equals("cp") && command.get(1).equals(inImage)
            && command.get(2).equals(jar)) {
          assertEquals(volume, mountedVolume(init, jar, c.name() + " initContainer"), "the same volume");
          copied = true;
        }
      }
      assertTrue(copied, c.name() + ": an initContainer runs cp " + inImage + " " + jar);
    }
  }

  /** The volume mounted at a folder holding {@code path}. */
  static String mountedVolume(Map<String, Object> container, String path, String what) {
    for (Object o : Yaml.list(container.get("volumeMounts"), what + " volumeMounts")) {
      Map<String, Object> mount = Yaml.map(o, "volumeMount");
      if (path.startsWith(mount.get("mountPath") + "/")) {
        return (String) mount.get("name");
      }
    }
    throw new AssertionError(what + ": nothing is mounted where " + path + " is");
  }

  @Test
  void doctorAcceptsEachEnvironmentAndTheProbesUseItsPortAndPaths() {
    for (Container c : agentContainers()) {
      Map<String, String> env = new LinkedHashMap<>();
      for (Map.Entry<String, Object> e : c.env().entrySet()) {
        if (!e.getKey().equals("JAVA_TOOL_OPTIONS")) {
          String v = e.getValue() == null ? "from-the-downward-api" : (String) e.getValue();
          env.put(e.getKey(), v.replaceAll("\\$\\([A-Z_]+\\)", "llm-0"));
        }
      }
      AgentProcess doctor = AgentProcess.agentCli("doctor").env(env).start();
      int exit = doctor.awaitExit();
      String out = doctor.stdout();
      assertEquals(0, exit, c.name() + ": doctor exits 0 (no configuration warning)\n" + doctor.outputs());
      assertTrue(out.contains("No configuration warnings."), out);
      Matcher address = Pattern.compile("(?m)^  address\\s+(\\S+):(\\d+)").matcher(out);
      assertTrue(address.find(), "doctor prints the system server address\n" + out);
      Matcher paths = Pattern.compile("(?m)^  health / live\\s+(\\S+) / (\\S+)$").matcher(out);
      assertTrue(paths.find(), out);
      int systemPort = Integer.parseInt(address.group(2));
      assertEquals("0.0.0.0", address.group(1), c.name() + ": the kubelet probes the pod IP, not loopback");
      assertEquals(systemPort, c.port("system"), c.name() + ": container port \"system\" is DYN_SYSTEM_PORT");
      Map<String, String> expectedPath = Map.of("startupProbe", paths.group(2), "livenessProbe", paths.group(2),
          "readinessProbe", paths.group(1));
      for (Map.Entry<String, String> probe : expectedPath.entrySet()) {
        Object get = Yaml.at(c.container(), probe.getKey(), "httpGet");
        assertNotNull(get, c.name() + ": " + probe.getKey() + " is an httpGet");
        assertEquals(probe.getValue(), Yaml.at(get, "path"), c.name() + " " + probe.getKey() + " path");
        assertEquals(systemPort, c.port(Yaml.at(get, "port")), c.name() + " " + probe.getKey() + " port");
      }
      long startupBudget = (Long) Yaml.at(c.container(), "startupProbe", "periodSeconds")
          * (Long) Yaml.at(c.container(), "startupProbe", "failureThreshold");
      assertTrue(startupBudget >= 60, c.name() + ": the startup probe allows at least a minute (the agent holds"
          + " /live at 503 until its instrumentation is active; a worker until its endpoint is served)");
    }
  }

  @Test
  void servicesAndThePodMonitorReachTheSystemPort() {
    Map<String, Map<String, Object>> podLabels = new LinkedHashMap<>();
    List<Map<String, Object>> services = new ArrayList<>();
    for (Object doc : documents(MANIFEST)) {
      assertNotNull(Yaml.at(doc, "apiVersion"));
      assertNotNull(Yaml.at(doc, "metadata", "name"));
      if ("Deployment".equals(Yaml.at(doc, "kind"))) {
        Map<String, Object> labels = Yaml.map(Yaml.at(doc, "spec", "template", "metadata", "labels"), "pod labels");
        Map<String, Object> selector = Yaml.map(Yaml.at(doc, "spec", "selector", "matchLabels"), "selector");
        assertTrue(labels.entrySet().containsAll(selector.entrySet()), "the Deployment selects its own pods");
        podLabels.put((String) Yaml.at(doc, "metadata", "name"), labels);
      } else if ("Service".equals(Yaml.at(doc, "kind"))) {
        services.add(Yaml.map(doc, "service"));
      }
    }
    assertEquals(podLabels.size(), services.size(), "a Service per Deployment");
    for (Map<String, Object> s : services) {
      Map<String, Object> selector = Yaml.map(Yaml.at(s, "spec", "selector"), "service selector");
      assertTrue(podLabels.values().stream().anyMatch(l -> l.entrySet().containsAll(selector.entrySet())),
          Yaml.at(s, "metadata", "name") + " selects pods of a Deployment");
      assertTrue(Yaml.list(Yaml.at(s, "spec", "ports"), "ports").stream()
          .anyMatch(p -> "system".equals(Yaml.map(p, "port").get("targetPort"))), "the system port is exposed");
    }
    Object monitor = documents("dev/kubernetes/podmonitor.yaml").get(0);
    assertEquals("PodMonitor", Yaml.at(monitor, "kind"));
    Map<String, Object> match = Yaml.map(Yaml.at(monitor, "spec", "selector", "matchLabels"), "matchLabels");
    for (Map.Entry<String, Map<String, Object>> d : podLabels.entrySet()) {
      assertTrue(d.getValue().entrySet().containsAll(match.entrySet()), "the PodMonitor selects " + d.getKey());
    }
    Map<String, Object> endpoint = Yaml.map(Yaml.list(Yaml.at(monitor, "spec", "podMetricsEndpoints"), "endpoints")
        .get(0), "endpoint");
    assertEquals("system", endpoint.get("port"));
    assertEquals("/metrics", endpoint.get("path"));
  }

  @Test
  void theKubernetesDocumentCoversTheManifest() {
    String doc = Repo.read("docs/kubernetes.md");
    for (String needle : List.of(MANIFEST, "dev/kubernetes/podmonitor.yaml", "dev/kubernetes/Dockerfile.agent",
        "JAVA_TOOL_OPTIONS", "initContainer", "startupProbe", "livenessProbe", "readinessProbe", "/live", "/health",
        "DYN_SYSTEM_PORT")) {
      assertTrue(doc.contains(needle), "docs/kubernetes.md mentions " + needle);
    }
  }
}
