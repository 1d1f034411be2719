package dynamo.obs.it.ecosystem;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The machine's {@code prometheus} and {@code promtool} (Debian package {@code prometheus}). */
final class Tools {
  static final String PACKAGE_HINT = "needs the Debian package 'prometheus' (apt-get install prometheus),"
      + " which provides /usr/bin/prometheus and /usr/bin/promtool";

  private Tools() {
  }

  /**
   * Why an ecosystem test does not run here (printed once), or null: it runs once, on the default JDK, and
   * needs prometheus and promtool.
   */
  static String whyNotRunnable(Class<?> test) {
    if (!dynamo.obs.it.support.AgentProcess.appJdkIsTestJdk()) {
      return "runs once, with the default JDK: the ecosystem check does not depend on the application's JDK";
    }
    if (onPath("prometheus").isEmpty() || onPath("promtool").isEmpty()) {
      String why = "skipped: " + PACKAGE_HINT;
      System.out.println("[it] " + test.getSimpleName() + " " + why);
      return why;
    }
    return null;
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Paths.get(dir, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** Exit code and output (stdout, stderr) of a finished command. */
  record Result(int exitCode, String stdout, String stderr) {
    String all() {
      return stdout + stderr;
    }
  }

  /** Runs a command to completion (killed after {@code timeoutSeconds}), feeding it {@code stdin}. */
  static Result run(List<String> command, String stdin, long timeoutSeconds) {
    try {
      Process p = new ProcessBuilder(command).start();
      CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p, false));
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p, true));
      try (var in = p.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
      }
      return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } catch (Exception e) {
      throw new AssertionError("could not read the output of " + command, e);
    }
  }

  static Result run(String... command) {
    return run(new ArrayList<>(Arrays.asList(command)), null, 60);
  }

  private static String readAll(Process p, boolean err) {
    try {
      return new String((err ? p.getErrorStream() : p.getInputStream()).readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
