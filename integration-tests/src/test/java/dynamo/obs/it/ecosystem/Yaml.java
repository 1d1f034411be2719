package dynamo.obs.it.ecosystem;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The YAML files of the repository (Compose, Kubernetes, Prometheus, Grafana provisioning) read with SnakeYAML as
 * Kubernetes and Compose read them — YAML 1.1 scalars ({@code yes}/{@code on} are booleans), duplicate keys refused —
 * with integers as {@link Long} and mappings in document order, plus the navigation the file checks use.
 */
final class Yaml {
  private Yaml() {
  }

  private static org.yaml.snakeyaml.Yaml reader() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    return new org.yaml.snakeyaml.Yaml(new SafeConstructor(options));
  }

  /** All documents of the text ({@code ---} separated); empty documents are skipped. */
  static List<Object> parseAll(String text, String source) {
    List<Object> docs = new ArrayList<>();
    try {
      for (Object doc : reader().loadAll(text)) {
        if (doc != null) {
          docs.add(normalized(doc));
        }
      }
    } catch (YAMLException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
    return docs;
  }

  /** The one document of the text. */
  static Object parse(String text, String source) {
    List<Object> docs = parseAll(text, source);
    if (docs.size() != 1) {
      throw new IllegalArgumentException(source + ": " + docs.size() + " documents, one expected");
    }
    return docs.get(0);
  }

  /** Integers as Long (SnakeYAML makes small ones Integer), mappings with their order, recursively. */
  private static Object normalized(Object o) {
    return Json.tree(o, v -> v instanceof Integer i ? i.longValue() : v);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o, String what) {
    if (!(o instanceof Map)) {
      throw new AssertionError(what + " is not a mapping: " + o);
    }
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o, String what) {
    if (!(o instanceof List)) {
      throw new AssertionError(what + " is not a sequence: " + o);
    }
    return (List<Object>) o;
  }

  /** The value at a path of keys ("a", "b") or null when any step is missing. */
  static Object at(Object root, String... path) {
    Object o = root;
    for (String p : path) {
      if (!(o instanceof Map)) {
        return null;
      }
      o = ((Map<?, ?>) o).get(p);
    }
    return o;
  }
}
