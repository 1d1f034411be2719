package dynamo.obs.it.ecosystem;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * The stand-in {@code nvidia-smi} of {@code src/test/resources/nvidia-smi/}, installed into a folder of
 * its own (resources lose their executable bit on the way to target/test-classes), and PATH values
 * with and without it.
 */
final class StandInNvidiaSmi {
  static final String GPU0_UUID = "GPU-6b0b3b2e-5c2a-8f1d-4e9a-0c7d1f2e3a4b";
  static final long FOREIGN_PID = 2287416;
  private static Path bin;

  private StandInNvidiaSmi() {
  }

  static synchronized Path install() {
    if (bin != null) {
      return bin;
    }
    Path dir = Repo.scratch("nvidia-smi-bin");
    for (String name : List.of("nvidia-smi", "query-gpu.csv", "query-compute-apps.csv")) {
      try (InputStream in = StandInNvidiaSmi.class.getResourceAsStream("/nvidia-smi/" + name)) {
        if (in == null) {
          throw new IllegalStateException("test resource nvidia-smi/" + name + " is missing");
        }
        Files.copy(in, dir.resolve(name));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (!dir.resolve("nvidia-smi").toFile().setExecutable(true)) {
      throw new IllegalStateException("cannot make " + dir.resolve("nvidia-smi") + " executable");
    }
    bin = dir;
    return dir;
  }

  /** The stand-in first, then this JVM's PATH without any folder holding a real nvidia-smi. */
  static String pathWithStandIn() {
    return install() + File.pathSeparator + pathWithoutNvidiaSmi();
  }

  /** This JVM's PATH minus folders that hold an nvidia-smi (a GPU machine's real one included). */
  static String pathWithoutNvidiaSmi() {
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    for (String d : (path == null ? "/usr/bin:/bin" : path).split(File.pathSeparator)) {
      if (!d.isEmpty() && !Files.exists(Paths.get(d, "nvidia-smi"))) {
        dirs.add(d);
      }
    }
    return String.join(File.pathSeparator, dirs);
  }
}
