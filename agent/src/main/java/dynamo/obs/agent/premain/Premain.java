package dynamo.obs.agent.premain;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.net.URI;
import java.net.URL;
import java.util.jar.JarFile;

/**
 * Entry point loaded by the system class loader. It does as little as possible: opens the
 * isolated agent class loader over the jar's {@code inst/} entries and hands over. Any failure is printed and swallowed: the
 * application always starts.
 */
public final class Premain {
  private static final String STARTER = "dynamo.obs.agent.AgentStarter";
  private static final String CLI = "dynamo.obs.agent.cli.Cli";
  private static volatile boolean started;

  private Premain() {
  }

  public static void premain(String args, Instrumentation inst) {
    start(args, inst);
  }

  public static void agentmain(String args, Instrumentation inst) {
    start(args, inst);
  }

  /** {@code java -jar dynamo-obs.jar [version|doctor]}. */
  public static void main(String[] args) throws Exception {
    File jar = agentJar();
    ClassLoader loader = new AgentClassLoader(new JarFile(jar, false), jar, true);
    Class<?> cli = loader.loadClass(CLI);
    cli.getMethod("main", String[].class, File.class).invoke(null, args, jar);
  }

  private static synchronized void start(String args, Instrumentation inst) {
    long startNanos = System.nanoTime();
    if (started) {
      return; // the agent was given twice: the first one wins
    }
    started = true;
    try {
      if (isJdkTool()) {
        return;
      }
      File jar = agentJar();
      JarFile jarFile = new JarFile(jar, false); // no signature verification: slow before the JIT
      if (jarFile.getManifest() == null
          || jarFile.getManifest().getMainAttributes().getValue("Premain-Class") == null) {
        // Guard against this class being repackaged into an application jar.
        System.err.println("dynamo-obs: " + jar + " is not the dynamo-obs agent jar; not starting");
        return;
      }
      ClassLoader loader = new AgentClassLoader(jarFile, jar);
      Class<?> starter = loader.loadClass(STARTER);
      starter.getMethod("start", Instrumentation.class, JarFile.class, String.class, long.class)
          .invoke(null, inst, jarFile, args, startNanos);
    } catch (Throwable t) {
      System.err.println("dynamo-obs: failed to start; the application runs without the agent: " + t);
    }
  }

  /**
   * JDK tools (jcmd, jps, jar, javac …) inherit {@code JAVA_TOOL_OPTIONS}; the agent must not bind
   * the system port or weave code in them.
   */
  private static boolean isJdkTool() {
    String command = System.getProperty("sun.java.command", "");
    return command.startsWith("sun.tools.")
        || command.startsWith("com.sun.tools.")
        || command.startsWith("jdk.internal.jshell")
        || command.startsWith("jdk.jfr.internal.tool")
        || command.startsWith("sun.security.tools.");
  }

  /** The agent jar, found from this class's resource URL (no ProtectionDomain look-up). */
  static File agentJar() throws Exception {
    URL url = Premain.class.getResource("Premain.class");
    if (url == null || !"jar".equals(url.getProtocol())) {
      throw new IllegalStateException("dynamo-obs must run from its jar, not from " + url);
    }
    String spec = url.getFile(); // file:/path/dynamo-obs.jar!/dynamo/obs/...
    int bang = spec.indexOf("!/");
    return new File(new URI(spec.substring(0, bang)));
  }
}
