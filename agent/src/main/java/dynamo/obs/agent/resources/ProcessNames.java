package dynamo.obs.agent.resources;

import java.util.Optional;

/**
 * The {@code process_name} label: short and recognisable, as Dynamo's resource monitor names
 * processes (an executable or script base name cut to 25 characters, {@code pid:<n>} when it cannot
 * be read).
 */
final class ProcessNames {
  static final int MAX = 25;

  private ProcessNames() {
  }

  /**
   * This JVM: the simple name of its main class, or the file name of {@code -jar}'s jar, from
   * {@code sun.java.command}; {@code java} when unknown.
   */
  static String ofThisJvm(String javaCommand) {
    if (javaCommand == null || javaCommand.isBlank()) {
      return "java";
    }
    String first = javaCommand.trim().split("\\s+", 2)[0];
    String name;
    if (first.endsWith(".jar")) {
      name = baseName(first);
    } else {
      int dot = first.lastIndexOf('.');
      name = dot >= 0 ? first.substring(dot + 1) : first;
    }
    return name.isEmpty() ? "java" : cut(name);
  }

  /** Another process: the base name of its executable, or {@code pid:<n>}. */
  static String ofProcess(long pid, Optional<String> command) {
    String name = command.map(ProcessNames::baseName).orElse("");
    return name.isEmpty() ? "pid:" + pid : cut(name);
  }

  static String baseName(String path) {
    int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
    return path.substring(slash + 1);
  }

  private static String cut(String name) {
    return name.length() <= MAX ? name : name.substring(0, MAX);
  }
}
