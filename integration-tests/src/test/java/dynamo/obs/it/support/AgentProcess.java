package dynamo.obs.it.support;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real application JVM, started from {@code ${app.java.home}} with (or without) the built agent
 * jar. Its stdout and stderr are captured line by line into buffers that tests wait on with a
 * timeout. {@link #close()} always ends the process; a shutdown hook ends whatever a crashed test
 * left behind, so no application JVM outlives the test run.
 */
public final class AgentProcess implements AutoCloseable {
  /** Generous: the machine may be a loaded 2-core box. Waits return as soon as the condition holds. */
  public static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
  private static final Set<Path> SNAPSHOTS = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (Process p : LIVE) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
      for (Path dir : SNAPSHOTS) {
        deleteTree(dir);
      }
    }, "agent-process-reaper"));
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException ignored) {
      // best effort: it lives under target/
    }
  }

  private final Process process;
  private final String description;
  private final Output stdout;
  private final Output stderr;

  private AgentProcess(Process process, String description) {
    this.process = process;
    this.description = description;
    this.stdout = new Output(process.getInputStream(), "stdout", description);
    this.stderr = new Output(process.getErrorStream(), "stderr", description);
  }

  // ---------------------------------------------------------------- locations

  private static Path snapshot;

  /**
   * The built agent jar ({@code agent.jar} system property set by failsafe), as a private copy
   * taken on first use: every test of this run uses the very same bytes even if the agent module
   * is rebuilt meanwhile. A jar caught half-written is retried.
   */
  public static synchronized Path agentJar() {
    if (snapshot != null) {
      return snapshot;
    }
    String p = System.getProperty("agent.jar");
    if (p == null) {
      throw new IllegalStateException("system property agent.jar is not set (run through mvn verify)");
    }
    Path jar = Paths.get(p).toAbsolutePath().normalize();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        Path dir = Files.createTempDirectory(testClasses().getParent(), "agent-jar-");
        Path copy = dir.resolve("dynamo-obs.jar");
        SNAPSHOTS.add(dir);
        Files.copy(jar, copy);
        try (JarFile jf = new JarFile(copy.toFile())) {
          if (jf.getManifest() == null || jf.getManifest().getMainAttributes().getValue("Premain-Class") == null) {
            throw new IOException("no Premain-Class in the manifest of " + jar);
          }
          jf.stream().forEach(e -> {
          }); // the central directory is complete
        }
        snapshot = copy;
        System.out.println("[it] agent jar " + jar + " copied to " + copy);
        return copy;
      } catch (IOException e) {
        if (last == null) {
          System.out.println("[it] agent jar " + jar + " not readable yet (" + e + "); retrying: is it being built?");
        }
        last = e;
        try {
          Thread.sleep(500);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    throw new IllegalStateException("agent jar " + jar + " is missing or unreadable: build it with"
        + " mvn -pl agent -am install -DskipTests", last);
  }

  /** The JDK application JVMs are forked with ({@code app.java.home}, else this JVM's). */
  public static Path appJavaHome() {
    return Paths.get(System.getProperty("app.java.home", System.getProperty("java.home")));
  }

  public static Path javaExecutable() {
    return appJavaHome().resolve("bin").resolve("java");
  }

  /** Folder of the old-version libraries an application may bundle ({@code app.libs}). */
  public static Path appLibs() {
    String p = System.getProperty("app.libs");
    if (p == null) {
      throw new IllegalStateException("system property app.libs is not set (run through mvn verify)");
    }
    return Paths.get(p);
  }

  /** {@code target/test-classes}: where the test applications are. */
  public static Path testClasses() {
    try {
      return Paths.get(AgentProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path classesSnapshot;

  /**
   * A private copy of {@code target/test-classes} for the application JVMs' classpath, taken on
   * first use (and again if a main class is missing from it): a concurrent build recompiling the
   * test classes must not make an application JVM fail to find its main class half-way through.
   */
  static synchronized Path appClasses(String mainClass) {
    String mainFile = mainClass.replace('.', '/') + ".class";
    if (classesSnapshot != null && Files.isRegularFile(classesSnapshot.resolve(mainFile))) {
      return classesSnapshot;
    }
    Path src = testClasses();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        Path dir = Files.createTempDirectory(src.getParent(), "it-classes-");
        SNAPSHOTS.add(dir);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(src)) {
          files = walk.filter(Files::isRegularFile).collect(Collectors.toList());
        }
        for (Path f : files) {
          Path to = dir.resolve(src.relativize(f).toString());
          Files.createDirectories(to.getParent());
          Files.copy(f, to);
          if (f.toString().endsWith(".class")) {
            byte[] head = new byte[4];
            try (InputStream in = Files.newInputStream(to)) {
              if (in.readNBytes(head, 0, 4) != 4 || (head[0] & 0xff) != 0xCA || (head[1] & 0xff) != 0xFE
                  || (head[2] & 0xff) != 0xBA || (head[3] & 0xff) != 0xBE) {
                throw new IOException("incomplete class file " + f);
              }
            }
          }
        }
        if (!Files.isRegularFile(dir.resolve(mainFile))) {
          throw new IOException(mainFile + " is not in " + src);
        }
        classesSnapshot = dir;
        return dir;
      } catch (IOException | UncheckedIOException e) {
        if (last == null) {
          System.out.println("[it] could not copy " + src + " (" + e + "); retrying: is it being compiled?");
        }
        last = e;
        try {
          Thread.sleep(500);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    throw new IllegalStateException("could not take a copy of " + src + " holding " + mainFile, last);
  }

  /** Whether the application JVM is the one this test JVM runs on (the default-JDK execution). */
  public static boolean appJdkIsTestJdk() {
    try {
      return appJavaHome().toRealPath().equals(Paths.get(System.getProperty("java.home")).toRealPath());
    } catch (IOException e) {
      return false;
    }
  }

  // ---------------------------------------------------------------- builder

  public static Builder app(Class<?> mainClass) {
    return new Builder().mainClass(mainClass.getName());
  }

  /**
   * An application outside the test classes: {@code mainClass} on exactly the class path given with
   * {@link Builder#classpath} (e.g. a test-apps application's jar and libraries).
   */
  public static Builder appOnClasspath(String mainClass) {
    Builder b = new Builder().mainClass(mainClass);
    b.testClasses = false;
    return b;
  }

  /** {@code java -jar dynamo-obs.jar args…} (the agent's command line). */
  public static Builder agentCli(String... args) {
    Builder b = new Builder();
    b.cliArgs = Arrays.asList(args);
    b.agent = false;
    return b;
  }

  public static final class Builder {
    private String mainClass;
    private List<String> args = new ArrayList<>();
    private List<String> cliArgs;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Map<String, String> props = new LinkedHashMap<>();
    private final List<String> jvmArgs = new ArrayList<>();
    private final List<Path> classpath = new ArrayList<>();
    private boolean agent = true;
    private int agentCount = 1;
    private boolean fastJit = true;
    private boolean testClasses = true;
    private Path javaHome;

    private Builder() {
    }

    /** The JDK to run on, instead of {@code app.java.home}. */
    public Builder javaHome(Path home) {
      this.javaHome = home;
      return this;
    }

    Builder mainClass(String name) {
      this.mainClass = name;
      return this;
    }

    public Builder args(String... a) {
      args.addAll(Arrays.asList(a));
      return this;
    }

    public Builder env(String name, String value) {
      env.put(name, value);
      return this;
    }

    public Builder env(Map<String, String> vars) {
      env.putAll(vars);
      return this;
    }

    /** {@code -Dname=value}. */
    public Builder sysProp(String name, String value) {
      props.put(name, value);
      return this;
    }

    public Builder jvmArg(String arg) {
      jvmArgs.add(arg);
      return this;
    }

    /** Added after {@code target/test-classes}; a folder ending in {@code /*} means its jars. */
    public Builder classpath(Path entry) {
      classpath.add(entry);
      return this;
    }

    public Builder withAgent(boolean on) {
      this.agent = on;
      return this;
    }

    /** {@code -javaagent:jar} given {@code n} times. */
    public Builder agentTimes(int n) {
      this.agentCount = n;
      return this;
    }

    /**
     * By default the JIT stops at C1 and the serial GC is used: both only make JVM start cheaper
     * on a small machine; nothing the tests check depends on them.
     */
    public Builder realisticJvm() {
      this.fastJit = false;
      return this;
    }

    public AgentProcess start() {
      List<String> cmd = new ArrayList<>();
      cmd.add((javaHome == null ? javaExecutable() : javaHome.resolve("bin").resolve("java")).toString());
      if (fastJit) {
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:+UseSerialGC");
      }
      cmd.add("-Xmx256m");
      if (agent) {
        for (int i = 0; i < agentCount; i++) {
          cmd.add("-javaagent:" + agentJar());
        }
      }
      cmd.addAll(jvmArgs);
      // JDK 17's HttpServer leaves Nagle's algorithm on: a response's body then waits for the client's delayed
      // ACK of its head, ~40 ms per request on a kept-alive connection, minutes over the tests that send
      // hundreds (later JDKs write head and body together). The apps' servers send at once, as real ones do.
      props.putIfAbsent("sun.net.httpserver.nodelay", "true");
      props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
      String what;
      if (cliArgs != null) {
        cmd.add("-jar");
        cmd.add(agentJar().toString());
        cmd.addAll(cliArgs);
        what = "java -jar dynamo-obs.jar " + String.join(" ", cliArgs);
      } else {
        List<String> cp = new ArrayList<>();
        if (testClasses) {
          cp.add(appClasses(mainClass).toString());
        }
        for (Path p : classpath) {
          cp.add(p.toString());
        }
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, cp));
        cmd.add(mainClass);
        cmd.addAll(args);
        what = mainClass.substring(mainClass.lastIndexOf('.') + 1) + (agent ? " +agent" : " (no agent)");
      }
      ProcessBuilder pb = new ProcessBuilder(cmd);
      Map<String, String> e = pb.environment();
      // The tests decide every setting: nothing inherited from the shell may leak in.
      e.keySet().removeIf(k -> k.startsWith("DYN_") || k.startsWith("OTEL_") || k.equals("JAVA_TOOL_OPTIONS")
          || k.equals("JDK_JAVA_OPTIONS") || k.equals("_JAVA_OPTIONS") || k.equals("TZ"));
      e.putAll(env);
      try {
        Process p = pb.start();
        LIVE.add(p);
        String description = what + " pid " + p.pid() + (env.isEmpty() ? "" : " " + env);
        System.out.println("[it] started " + description + "\n[it]   " + String.join(" ", cmd));
        return new AgentProcess(p, description);
      } catch (IOException ex) {
        throw new UncheckedIOException("could not start " + cmd, ex);
      }
    }
  }

  // ---------------------------------------------------------------- output

  public String stdout() {
    return stdout.text();
  }

  public String stderr() {
    return stderr.text();
  }

  public List<String> stdoutLines() {
    return stdout.lines();
  }

  public List<String> stderrLines() {
    return stderr.lines();
  }

  /** Waits until a stdout line matches; returns its matcher. Fails with both outputs on timeout. */
  public Matcher awaitStdout(Pattern p) {
    return stdout.await(p, TIMEOUT, this);
  }

  public Matcher awaitStdout(Pattern p, Duration timeout) {
    return stdout.await(p, timeout, this);
  }

  public Matcher awaitStderr(Pattern p) {
    return stderr.await(p, TIMEOUT, this);
  }

  public Matcher awaitStderr(Pattern p, Duration timeout) {
    return stderr.await(p, timeout, this);
  }

  /**
   * The agent's WARN and ERROR lines on stderr: its complaints. A failed request's lifecycle line (ERROR under
   * {@code dynamo_obs.request}, as upstream writes it) reports the request, not the agent, and is not one.
   */
  public List<String> agentComplaints() {
    return stderr.lines().stream()
        .filter(l -> (l.contains(" WARN dynamo_obs") || l.contains(" ERROR dynamo_obs"))
            && !l.contains(" dynamo_obs.request: request completed "))
        .collect(Collectors.toList());
  }

  /** Lines of stderr that contain {@code needle}. */
  public List<String> stderrLinesContaining(String needle) {
    return stderr.lines().stream().filter(l -> l.contains(needle)).collect(Collectors.toList());
  }

  // ---------------------------------------------------------------- process

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Writes one line to the application's stdin (the test apps read commands from it). */
  public void send(String line) {
    try {
      OutputStream in = process.getOutputStream();
      in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("could not write to " + description + "\n" + outputs(), e);
    }
  }

  /** Waits for the process to end by itself and returns its exit code (both outputs fully read). */
  public int awaitExit() {
    return awaitExit(TIMEOUT);
  }

  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(description + " did not exit within " + timeout + "\n" + outputs());
      }
      stdout.awaitEnd(timeout);
      stderr.awaitEnd(timeout);
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Fails when the process has died (with its output, so the reason is visible). */
  public void assertAlive() {
    if (!process.isAlive()) {
      throw new AssertionError(description + " exited with " + process.exitValue() + "\n" + outputs());
    }
  }

  /** Both outputs, for failure messages. */
  public String outputs() {
    return "---- " + description + " stdout ----\n" + stdout.text() + "---- stderr ----\n" + stderr.text()
        + "---- end ----";
  }

  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      LIVE.remove(process);
      try {
        process.getOutputStream().close();
      } catch (IOException ignored) {
        // already gone
      }
    }
  }

  // ---------------------------------------------------------------- capture

  /** One output stream read into lines on its own daemon thread. */
  private static final class Output {
    private final List<String> lines = new ArrayList<>();
    private final StringBuilder text = new StringBuilder();
    private boolean ended;

    Output(InputStream in, String name, String description) {
      Thread t = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            System.out.println("[app " + name + "] " + line);
            synchronized (this) {
              lines.add(line);
              text.append(line).append('\n');
              notifyAll();
            }
          }
        } catch (IOException e) {
          // process destroyed
        } finally {
          synchronized (this) {
            ended = true;
            notifyAll();
          }
        }
      }, "capture-" + name + "-" + description.split(" ")[0]);
      t.setDaemon(true);
      t.start();
    }

    synchronized String text() {
      return text.toString();
    }

    synchronized List<String> lines() {
      return new ArrayList<>(lines);
    }

    synchronized Matcher await(Pattern p, Duration timeout, AgentProcess owner) {
      long deadline = System.nanoTime() + timeout.toNanos();
      int checked = 0;
      while (true) {
        for (; checked < lines.size(); checked++) {
          Matcher m = p.matcher(lines.get(checked));
          if (m.find()) {
            return m;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || ended) {
          // lines() and text() are taken under this lock; build the message without the other lock held
          String mine = text.toString();
          throw new AssertionError("no line matching /" + p + "/ " + (ended
              ? "before the stream ended"
              : "within "
                  + timeout)
              + " (process " + (owner.isAlive() ? "alive" : "exited") + ")\n" + mine
              + "\n(other stream follows)\n" + (this == owner.stdout ? owner.stderr.text() : owner.stdout.text()));
        }
        try {
          wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted", e);
        }
      }
    }

    synchronized void awaitEnd(Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!ended) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
  }

  @Override
  public String toString() {
    return description;
  }
}
