package dynamo.obs.agent.config;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every variable the configuration reads, set to values it cannot use: reading never throws, and what is wrong
 * is said in one warning naming the variable (a list's, one per bad entry).
 */
class ConfigGarbageTest {
  private static final List<String> KNOWN = List.of("jdk-httpserver", "servlet");
  private static final String[] GARBAGE = {" ", "abc", "-1", "0", "99999999999999999999", "1e309", "NaN", "=,=,",
      "\u0000", "%zz", "true,false", "http://[::1", "/no/such/file.toml", "{", "é中😀", "a".repeat(10_000)};

  /** The names of the variables a read asks for, each as the environment spells it. */
  private static TreeSet<String> namesRead() {
    TreeSet<String> names = new TreeSet<>();
    Map<String, String> env = new HashMap<>() {
      @Override
      public String get(Object key) {
        names.add((String) key);
        return super.get(key);
      }

      @Override
      public boolean containsKey(Object key) {
        names.add((String) key);
        return super.containsKey(key);
      }
    };
    Config.read(new ConfigSource(env, new Properties()), KNOWN);
    return names;
  }

  @Test
  void unusableValuesGiveOneWarningNamingTheVariable() {
    TreeSet<String> names = namesRead();
    assertTrue(names.size() > 40, "the variables read: " + names);
    StringBuilder problems = new StringBuilder();
    for (String name : names) {
      for (String value : GARBAGE) {
        Config c;
        try {
          c = Config.read(new ConfigSource(Map.of(name, value), new Properties()), KNOWN);
        } catch (RuntimeException e) {
          problems.append(name).append('=').append(shown(value)).append(" threw ").append(e).append('\n');
          continue;
        }
        List<String> w = c.warnings();
        // a list (DYN_LOG, OTEL_RESOURCE_ATTRIBUTES …) warns once per bad entry, and keeps the good ones
        int entries = value.split(",", -1).length;
        if (w.size() > entries) {
          problems.append(name).append('=').append(shown(value)).append(": ").append(w.size())
              .append(" warnings ").append(w).append('\n');
        }
        for (String warning : w) {
          if (!warning.contains(name) && !warning.contains(ConfigSource.propertyName(name))) {
            problems.append(name).append('=').append(shown(value)).append(": a warning that does not name it: ")
                .append(warning).append('\n');
          }
        }
      }
    }
    if (problems.length() > 0) {
      fail(problems.toString());
    }
  }

  /**
   * The same with files: every variable given the path of a file, and {@code @path}, whose contents cannot be
   * used (a TOML logging configuration, a JSON payload, or anything else read from a file).
   */
  @Test
  void unusableFilesGiveOneWarningNamingTheVariable(@TempDir Path dir) throws IOException {
    String[] contents = {"", "[", "[log]\nlevel = ", "level = \"loud\"", "[log.filters]\n\"a\" = 7", "{\"a\":",
        "\u0000\u0001", "x = \"unterminated", "[[[", "{\"ok\":true} trailing", "\uFEFF{}"};
    TreeSet<String> names = namesRead();
    StringBuilder problems = new StringBuilder();
    for (int i = 0; i < contents.length; i++) {
      Path file = Files.writeString(dir.resolve("bad-" + i), contents[i], StandardCharsets.UTF_8);
      for (String name : names) {
        for (String value : new String[]{file.toString(), "@" + file, dir.resolve("absent").toString()}) {
          try {
            List<String> w = Config.read(new ConfigSource(Map.of(name, value), new Properties()), KNOWN).warnings();
            if (w.size() > 1) {
              problems.append(name).append(" with ").append(shown(contents[i])).append(": ").append(w).append('\n');
            }
            for (String warning : w) {
              if (!warning.contains(name)) {
                problems.append(name).append(" with ").append(shown(contents[i]))
                    .append(": a warning that does not name it: ").append(warning).append('\n');
              }
            }
          } catch (RuntimeException e) {
            problems.append(name).append(" with ").append(shown(contents[i])).append(" threw ").append(e).append('\n');
          }
        }
      }
    }
    if (problems.length() > 0) {
      fail(problems.toString());
    }
  }

  private static String shown(String value) {
    return value.length() > 20 ? value.substring(0, 20) + "…" : value;
  }
}
