package dynamo.obs.agent.config;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Where configuration values come from: a system property (lower case, {@code _} → {@code .}) wins
 * over the environment variable of the same name; an empty value counts as unset.
 */
public final class ConfigSource {
  private final Map<String, String> env;
  private final Properties props;

  public ConfigSource(Map<String, String> env, Properties props) {
    this.env = env;
    this.props = props;
  }

  public static ConfigSource system() {
    return new ConfigSource(System.getenv(), System.getProperties());
  }

  /** {@code DYN_SYSTEM_PORT} → {@code dyn.system.port}. */
  public static String propertyName(String variable) {
    return variable.toLowerCase(Locale.ROOT).replace('_', '.');
  }

  /** The raw value, or null when unset or empty. */
  public String get(String variable) {
    String v = props.getProperty(propertyName(variable));
    if (v == null || v.isEmpty()) {
      v = env.get(variable);
    }
    return v == null || v.isEmpty() ? null : v;
  }

  /** Where {@link #get} found the value: "system property x.y" or "environment X_Y". */
  public String origin(String variable) {
    String p = props.getProperty(propertyName(variable));
    if (p != null && !p.isEmpty()) {
      return "system property " + propertyName(variable);
    }
    return "environment " + variable;
  }

  /** Whether the variable is present at all (even empty), for deprecation notices. */
  public boolean present(String variable) {
    return props.getProperty(propertyName(variable)) != null || env.containsKey(variable);
  }

  /**
   * Every variable whose name starts with {@code prefix} and ends with {@code suffix}, in either
   * form, as environment-style names, with non-empty values (property values win).
   */
  public Map<String, String> matching(String prefix, String suffix) {
    Map<String, String> found = new TreeMap<>();
    for (Map.Entry<String, String> e : env.entrySet()) {
      String k = e.getKey();
      if (k.startsWith(prefix) && k.endsWith(suffix) && !e.getValue().isEmpty()) {
        found.put(k, e.getValue());
      }
    }
    String pp = propertyName(prefix);
    String ps = propertyName(suffix);
    for (String k : props.stringPropertyNames()) {
      if (k.startsWith(pp) && k.endsWith(ps)) {
        String v = props.getProperty(k);
        if (!v.isEmpty()) {
          found.put(k.toUpperCase(Locale.ROOT).replace('.', '_'), v);
        }
      }
    }
    return found;
  }
}
