package dynamo.obs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dynamo.obs.it.support.AgentProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Gates on the jar file itself (no JVM is forked): what the application's class loader could see,
 * the manifest, the size. Run once, in the default-JDK execution.
 */
class JarContentsIT {
  /**
   * The budget: 9.20 MiB since spans and logs are the OpenTelemetry SDK's and its OTLP exporters' (+0.84 MiB
   * over the 8.36 MiB of the agent's own encoder and transport), and some room above it.
   */
  static final long MAX_BYTES = 10L * 1024 * 1024;
  static final long GOAL_BYTES = 8L * 1024 * 1024;

  @BeforeEach
  void onlyOnce() {
    assumeTrue(AgentProcess.appJdkIsTestJdk(), "jar gates run in the default-JDK execution only");
  }

  private static List<String> entries() throws IOException {
    List<String> names = new ArrayList<>();
    try (JarFile jar = new JarFile(AgentProcess.agentJar().toFile())) {
      jar.stream().map(JarEntry::getName).forEach(names::add);
    }
    return names;
  }

  @Test
  void everyEntryIsPremainManifestLegalOrUnderInst() throws IOException {
    List<String> bad = new ArrayList<>();
    for (String name : entries()) {
      boolean ok = name.equals("META-INF/MANIFEST.MF")
          || name.endsWith("/")
          || (name.startsWith("dynamo/obs/agent/premain/") && name.endsWith(".class")
              && name.indexOf('/', "dynamo/obs/agent/premain/".length()) < 0)
          || name.equals("NOTICE") || name.equals("LICENSE")
          || name.startsWith("inst/");
      if (!ok) {
        bad.add(name);
      }
    }
    assertTrue(bad.isEmpty(), "entries an application class loader could see: " + bad);
  }

  @Test
  void classDataIsOnlyAgentOrRelocatedCode() throws IOException {
    List<String> bad = new ArrayList<>();
    int count = 0;
    for (String name : entries()) {
      if (name.endsWith(".classdata")) {
        count++;
        if (!name.startsWith("inst/dynamo/obs/")) {
          bad.add(name);
        }
      }
    }
    assertTrue(count > 0, "no .classdata at all");
    assertTrue(bad.isEmpty(), "unrelocated classes: " + bad);
  }

  /** The agent's start defines the bootstrap API from the build's list of it: the list names each of its classes. */
  @Test
  void bootstrapListNamesEveryBootstrapClass() throws IOException {
    List<String> inJar = new ArrayList<>();
    for (String name : entries()) {
      if (name.startsWith("inst/dynamo/obs/bootstrap/") && name.endsWith(".classdata")) {
        inJar.add(name.substring("inst/".length(), name.length() - ".classdata".length()) + ".class");
      }
    }
    List<String> listed = new ArrayList<>();
    try (JarFile jar = new JarFile(AgentProcess.agentJar().toFile())) {
      JarEntry list = jar.getJarEntry("inst/dynamo/obs/bootstrap/classes.list");
      assertNotNull(list, "the bootstrap class list");
      for (String line : new String(jar.getInputStream(list).readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank()) {
          listed.add(line.trim());
        }
      }
    }
    inJar.sort(null);
    listed.sort(null);
    assertTrue(inJar.contains("dynamo/obs/bootstrap/Dispatch.class"), inJar.toString());
    assertEquals(inJar, listed);
  }

  @Test
  void noClassFilesOutsideThePremainPackage() throws IOException {
    List<String> bad = new ArrayList<>();
    List<String> premain = new ArrayList<>();
    for (String name : entries()) {
      if (name.endsWith(".class")) {
        if (name.startsWith("dynamo/obs/agent/premain/")) {
          premain.add(name);
        } else {
          bad.add(name);
        }
      }
    }
    assertTrue(bad.isEmpty(), ".class files visible to the system class loader: " + bad);
    assertTrue(premain.contains("dynamo/obs/agent/premain/Premain.class"), premain.toString());
  }

  @Test
  void manifestDeclaresTheAgent() throws IOException {
    try (JarFile jar = new JarFile(AgentProcess.agentJar().toFile())) {
      assertNotNull(jar.getManifest(), "manifest");
      Attributes a = jar.getManifest().getMainAttributes();
      assertEquals("dynamo.obs.agent.premain.Premain", a.getValue("Premain-Class"));
      assertEquals("dynamo.obs.agent.premain.Premain", a.getValue("Agent-Class"));
      assertEquals("true", a.getValue("Can-Retransform-Classes"));
    }
  }

  @Test
  void jarIsWithinItsBudget() throws IOException {
    Path jar = AgentProcess.agentJar();
    long size = Files.size(jar);
    String mib = String.format("%.2f MiB", size / 1024.0 / 1024.0);
    System.out.println("[it] dynamo-obs.jar is " + size + " bytes (" + mib + "); goal ≤ 8 MiB"
        + (size > GOAL_BYTES ? " — ABOVE the goal" : " — within the goal"));
    assertTrue(size <= MAX_BYTES, "dynamo-obs.jar is " + mib + ", more than its budget of 10 MiB");
  }
}
