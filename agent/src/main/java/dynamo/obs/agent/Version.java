package dynamo.obs.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** The agent's version, from the jar manifest. */
public final class Version {
  private Version() {
  }

  public static String get() {
    String v = Version.class.getPackage() == null ? null : Version.class.getPackage().getImplementationVersion();
    return v != null ? v : VersionHolder.VALUE;
  }

  private static final class VersionHolder {
    static final String VALUE = readFromJar();

    private static String readFromJar() {
      try (InputStream in = Version.class.getResourceAsStream("/dynamo-obs-version.txt")) {
        return in == null ? "dev" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      } catch (IOException e) {
        return "dev";
      }
    }
  }
}
