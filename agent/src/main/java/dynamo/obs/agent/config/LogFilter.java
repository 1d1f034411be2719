package dynamo.obs.agent.config;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Dynamo's log filter (reference §4.5): a default level plus {@code target=level} directives where
 * the longest matching target prefix wins. Targets are logger names here ({@code com.acme.router}).
 * Precedence as Dynamo: the TOML file's per-target filters are added after {@code DYN_LOG} and win
 * for the very same target.
 */
public final class LogFilter {

  /** Dynamo's levels; {@code OFF} disables a target. */
  public enum Level {
    OFF, ERROR, WARN, INFO, DEBUG, TRACE;

    /** Whether a filter at this level lets an event at {@code event} through. */
    public boolean admits(Level event) {
      return event != OFF && this != OFF && event.ordinal() <= ordinal();
    }

    static Level parse(String s) {
      try {
        return Level.valueOf(s.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
  }

  public static final LogFilter DEFAULT = new LogFilter(Level.INFO, Map.of(), Map.of());

  /**
   * Logger names seen so far and their level: each log event asks, and an application has a few
   * hundred loggers at most. Bounded so that generated logger names cannot grow it without end;
   * past the bound a name is resolved on every call.
   */
  static final int CACHED_TARGETS = 4096;

  private final Level defaultLevel;
  /** From DYN_LOG. */
  private final Map<String, Level> directives;
  /** From the TOML file's [log_filters]; wins over DYN_LOG for the same target. */
  private final Map<String, Level> fileFilters;
  private final ConcurrentHashMap<String, Level> resolved = new ConcurrentHashMap<>();

  private LogFilter(Level defaultLevel, Map<String, Level> directives, Map<String, Level> fileFilters) {
    this.defaultLevel = defaultLevel;
    this.directives = directives;
    this.fileFilters = fileFilters;
  }

  public Level defaultLevel() {
    return defaultLevel;
  }

  /** The level in force for a logger name: longest matching prefix (on a dot boundary), else the default. */
  public Level levelFor(String target) {
    Level level = resolved.get(target);
    if (level == null) {
      level = resolve(target);
      if (resolved.size() < CACHED_TARGETS) {
        resolved.put(target, level);
      }
    }
    return level;
  }

  /** Number of logger names whose level is remembered. */
  int cachedTargets() {
    return resolved.size();
  }

  private Level resolve(String target) {
    Level best = defaultLevel;
    int bestLen = -1;
    for (Map<String, Level> m : List.of(directives, fileFilters)) {
      for (Map.Entry<String, Level> e : m.entrySet()) {
        String t = e.getKey();
        if (t.length() >= bestLen && matches(target, t)) {
          best = e.getValue();
          bestLen = t.length();
        }
      }
    }
    return best;
  }

  public boolean enabled(String target, Level level) {
    return levelFor(target).admits(level);
  }

  private static boolean matches(String target, String prefix) {
    return target.startsWith(prefix)
        && (target.length() == prefix.length()
            || target.charAt(prefix.length()) == '.'
            || target.charAt(prefix.length()) == ':'
            || target.charAt(prefix.length()) == '$');
  }

  /** Applies {@code DYN_LOG} directives; invalid ones are reported and skipped. */
  public LogFilter withDirectives(String raw, Consumer<String> invalid) {
    Level def = defaultLevel;
    Map<String, Level> d = new TreeMap<>(directives);
    for (String part : raw.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      if (eq < 0) {
        Level l = Level.parse(p);
        if (l == null) {
          invalid.accept(p);
        } else {
          def = l;
        }
        continue;
      }
      String target = p.substring(0, eq).trim();
      Level l = Level.parse(p.substring(eq + 1));
      if (target.isEmpty() || l == null || target.chars().anyMatch(Character::isWhitespace)) {
        invalid.accept(p);
      } else {
        d.put(target, l);
      }
    }
    return new LogFilter(def, Collections.unmodifiableMap(d), fileFilters);
  }

  /**
   * The subset of TOML Dynamo's logging file uses: {@code log_level = "info"} and a
   * {@code [log_filters]} table of {@code "target" = "level"}. Anything else is reported.
   */
  public static LogFilter fromToml(String text, Consumer<String> problem) {
    Level def = Level.INFO;
    Map<String, Level> filters = new TreeMap<>();
    String table = "";
    int lineNo = 0;
    for (String rawLine : text.split("\r?\n")) {
      lineNo++;
      String line = stripComment(rawLine).trim();
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("[") && line.endsWith("]")) {
        table = line.substring(1, line.length() - 1).trim();
        if (!table.equals("log_filters")) {
          problem.accept("line " + lineNo + ": unknown table [" + table + "] ignored");
        }
        continue;
      }
      int eq = line.indexOf('=');
      if (eq < 0) {
        problem.accept("line " + lineNo + ": expected key = \"value\"; ignored");
        continue;
      }
      String key = unquote(line.substring(0, eq).trim());
      String value = unquote(line.substring(eq + 1).trim());
      Level level = Level.parse(value);
      if (table.isEmpty() && key.equals("log_level")) {
        if (level == null) {
          problem.accept("line " + lineNo + ": log_level \"" + value + "\" is not a level; using info");
        } else {
          def = level;
        }
      } else if (table.equals("log_filters")) {
        if (level == null || key.isEmpty()) {
          problem.accept("line " + lineNo + ": filter " + key + " = \"" + value + "\" is invalid; ignored");
        } else {
          filters.put(key, level);
        }
      } else if (!table.isEmpty()) {
        continue; // reported once with its table
      } else {
        problem.accept("line " + lineNo + ": unknown key " + key + " ignored");
      }
    }
    return new LogFilter(def, Map.of(), Collections.unmodifiableMap(filters));
  }

  private static String stripComment(String line) {
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == '#' && !quoted) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  private static String unquote(String s) {
    if (s.length() >= 2 && ((s.startsWith("\"") && s.endsWith("\"")) || (s.startsWith("'") && s.endsWith("'")))) {
      return s.substring(1, s.length() - 1);
    }
    return s;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(defaultLevel.name().toLowerCase(Locale.ROOT));
    Map<String, Level> all = new TreeMap<>(directives);
    all.putAll(fileFilters);
    all.forEach((k, v) -> sb.append(',').append(k).append('=').append(v.name().toLowerCase(Locale.ROOT)));
    return sb.toString();
  }
}
