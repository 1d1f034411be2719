package dynamo.obs.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenAI-compatible applications of {@code test-apps/}, one per HTTP stack, each started as a user starts it:
 * {@code java -cp target/app.jar:target/lib/* MAIN [port]}, on the JDK chosen (by default {@code app.java.home}),
 * with or without the agent, with the environment given. They all answer as the JDK-server and servlet test
 * services do ({@code x-scenario} picks the answer: {@code dynamo.obs.testapps.Answer}) on
 * {@code /v1/chat/completions} and {@code /v1/completions}, plus {@code GET /v1/models}.
 *
 * <pre>{@code
 * try (StackApp.Running app = StackApp.VERTX_5.start(StackApp.VERTX_5.process().withAgent(false))) {
 *   Http.post(app.port(), "/v1/chat/completions", body);
 * }
 * }</pre>
 */
public enum StackApp {
  NETTY_41("netty41", "dynamo.obs.testapps.netty.NettyOpenAiApp", 17, false, Failure.CLOSED), NETTY_42("netty42",
      "dynamo.obs.testapps.netty.NettyOpenAiApp", 17, false, Failure.CLOSED), VERTX_4("vertx4",
          "dynamo.obs.testapps.vertx.VertxOpenAiApp", 17, false, Failure.STATUS_500), VERTX_5("vertx5",
              "dynamo.obs.testapps.vertx.VertxOpenAiApp", 17, false, Failure.STATUS_500), UNDERTOW("undertow",
                  "dynamo.obs.testapps.undertow.UndertowOpenAiApp", 17, false,
                  Failure.STATUS_500), UNDERTOW_24("undertow24", "dynamo.obs.testapps.undertow.UndertowOpenAiApp", 17,
                      false, Failure.STATUS_500), WEBFLUX("webflux", "dynamo.obs.testapps.webflux.WebFluxOpenAiApp", 17,
                          true, Failure.STATUS_500), MICRONAUT("micronaut",
                              "dynamo.obs.testapps.micronaut.MicronautOpenAiApp", 17, true,
                              Failure.STATUS_500), HELIDON("helidon", "dynamo.obs.testapps.helidon.HelidonOpenAiApp",
                                  21, false, Failure.STATUS_500), SPRING_MVC("springmvc",
                                      "dynamo.obs.testapps.springmvc.SpringMvcOpenAiApp", 17, true,
                                      Failure.STATUS_500), JAVALIN("javalin",
                                          "dynamo.obs.testapps.javalin.JavalinOpenAiApp", 17, false,
                                          Failure.STATUS_500);

  /** What a client of a handler that throws gets. */
  public enum Failure {
    /** The connection is closed without an answer (as on the JDK server). */
    CLOSED,
    /** The framework answers 500 with a body of its own. */
    STATUS_500
  }

  private static final Pattern READY = Pattern.compile("READY (\\d+)");

  private final String module;
  private final String mainClass;
  private final int minimumJava;
  private final boolean framesEvents;
  private final Failure failure;

  StackApp(String module, String mainClass, int minimumJava, boolean framesEvents, Failure failure) {
    this.module = module;
    this.mainClass = mainClass;
    this.minimumJava = minimumJava;
    this.framesEvents = framesEvents;
    this.failure = failure;
  }

  /** The stack whose {@code test-apps/} module is {@code name} (e.g. {@code vertx5}), or whose constant it is. */
  public static StackApp named(String name) {
    for (StackApp s : values()) {
      if (s.module.equalsIgnoreCase(name) || s.name().equalsIgnoreCase(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("no test application " + name + "; known: " + Arrays.toString(values()));
  }

  public String module() {
    return module;
  }

  public String mainClass() {
    return mainClass;
  }

  public int minimumJava() {
    return minimumJava;
  }

  /**
   * Whether the framework writes the server-sent-event framing itself (so a stream carries the events of the JDK
   * service, not its exact bytes: Spring writes {@code data:} without the space).
   */
  public boolean framesEvents() {
    return framesEvents;
  }

  public Failure failure() {
    return failure;
  }

  /** {@code test-apps/} ({@code test.apps}, set by failsafe; else beside {@code integration-tests/}). */
  public static Path testApps() {
    String p = System.getProperty("test.apps");
    return p != null
        ? Paths.get(p)
        : AgentProcess.testClasses().getParent().getParent().getParent().resolve("test-apps");
  }

  public Path jar() {
    return testApps().resolve(module).resolve("target").resolve("app.jar");
  }

  public Path libs() {
    return testApps().resolve(module).resolve("target").resolve("lib");
  }

  /** Whether the build made this application (Helidon is built only where a JDK 21+ is). */
  public boolean isBuilt() {
    return Files.isRegularFile(jar()) && Files.isDirectory(libs());
  }

  /** Whether the application runs on that JDK (Helidon 4 needs Java 21). */
  public boolean runsOn(Path javaHome) {
    return featureVersion(javaHome) >= minimumJava;
  }

  /** The feature version of a JDK, from its {@code release} file. */
  public static int featureVersion(Path javaHome) {
    try {
      for (String line : Files.readAllLines(javaHome.resolve("release"), StandardCharsets.UTF_8)) {
        Matcher m = Pattern.compile("^JAVA_VERSION=\"(1\\.)?(\\d+)").matcher(line);
        if (m.find()) {
          return Integer.parseInt(m.group(2));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the release file of " + javaHome, e);
    }
    throw new IllegalStateException("no JAVA_VERSION in " + javaHome.resolve("release"));
  }

  /**
   * The application's JVM, ready to be adjusted ({@code withAgent}, {@code env}, {@code javaHome}, {@code args}
   * — its one argument is the port to bind, any free one without it) and started with {@link #start}.
   */
  public AgentProcess.Builder process() {
    if (!isBuilt()) {
      throw new IllegalStateException(jar() + " or " + libs() + " is missing: build it with mvn -B package -pl "
          + "test-apps/" + module + " -am");
    }
    return AgentProcess.appOnClasspath(mainClass).classpath(jar()).classpath(libs().resolve("*"));
  }

  /** Starts the process and waits for its {@code READY <port>} line. */
  public Running start(AgentProcess.Builder builder) {
    AgentProcess p = builder.start();
    try {
      int port = Integer.parseInt(p.awaitStdout(READY).group(1));
      return new Running(this, p, port);
    } catch (RuntimeException | AssertionError e) {
      p.close();
      throw e;
    }
  }

  /** Starts it without the agent on {@code app.java.home}. */
  public Running startWithoutAgent() {
    return start(process().withAgent(false));
  }

  /** A started application: its process (outputs, liveness) and the port it serves on. */
  public record Running(StackApp stack, AgentProcess process, int port) implements AutoCloseable {
    public String stdout() {
      return process.stdout();
    }

    public String stderr() {
      return process.stderr();
    }

    public void assertAlive() {
      process.assertAlive();
    }

    @Override
    public void close() {
      process.close();
    }

    @Override
    public String toString() {
      return stack.module + " on port " + port + " (" + process + ")";
    }
  }

  @Override
  public String toString() {
    return module.toLowerCase(Locale.ROOT);
  }
}
