package dynamo.obs.it.ecosystem;

import dynamo.obs.it.support.AgentProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Files of the repository the tests check (dev/, docs/), found from the test classes' location. */
final class Repo {
  private static Path root;

  private Repo() {
  }

  static synchronized Path root() {
    if (root == null) {
      for (Path p = AgentProcess.testClasses().toAbsolutePath(); p != null; p = p.getParent()) {
        if (Files.isRegularFile(p.resolve("dev/docker-observability.yml"))
            && Files.isRegularFile(p.resolve("pom.xml"))) {
          root = p;
          return root;
        }
      }
      Path cwd = Paths.get("").toAbsolutePath();
      for (Path p = cwd; p != null; p = p.getParent()) {
        if (Files.isRegularFile(p.resolve("dev/docker-observability.yml"))) {
          root = p;
          return root;
        }
      }
      throw new IllegalStateException("no dev/docker-observability.yml above " + AgentProcess.testClasses());
    }
    return root;
  }

  static Path file(String relative) {
    Path p = root().resolve(relative);
    if (!Files.exists(p)) {
      throw new AssertionError(relative + " does not exist in " + root());
    }
    return p;
  }

  static String read(String relative) {
    try {
      return Files.readString(file(relative), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Object yaml(String relative) {
    return Yaml.parse(read(relative), relative);
  }

  /** A scratch folder under integration-tests/target. */
  static Path scratch(String name) {
    try {
      Path dir = AgentProcess.testClasses().getParent().resolve("ecosystem");
      Files.createDirectories(dir);
      return Files.createTempDirectory(dir, name + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
