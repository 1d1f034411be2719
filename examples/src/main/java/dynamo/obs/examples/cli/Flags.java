package dynamo.obs.examples.cli;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Command-line flags of the form {@code --name=value}.
 *
 * <p>Each program's usage text is the single list of the flags it accepts: every line of it that starts with
 * indentation and {@code --name=} declares {@code name}. A flag not declared there is rejected, so a typo
 * fails loudly instead of silently falling back to a default.
 */
public final class Flags {

  private static final Pattern DECLARED_FLAG = Pattern.compile("(?m)^\\s+--([a-z0-9-]+)=");

  private final Map<String, String> values;

  private Flags(Map<String, String> values) {
    this.values = values;
  }

  /** Thrown for an undeclared, malformed or ill-typed flag. */
  public static final class FlagException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public FlagException(String message) {
      super(message);
    }
  }

  /** What a program does with its arguments; may fail with {@link FlagException}. */
  @FunctionalInterface
  public interface Program<T> {
    T run(String[] args) throws IOException, InterruptedException;
  }

  /**
   * Runs a program from {@code main}: {@code --help} prints the usage and exits 0, a flag mistake prints the
   * mistake and the usage and exits 2.
   */
  public static <T> T runOrExit(String[] args, String usage, Program<T> program)
      throws IOException, InterruptedException {
    if (Arrays.asList(args).contains("--help")) {
      System.out.print(usage);
      System.exit(0);
    }
    try {
      return program.run(args);
    } catch (FlagException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println();
      System.err.print(usage);
      System.exit(2);
      throw e; // not reached: exit does not return
    }
  }

  /** Parses {@code args} against the flags declared in {@code usage}. */
  public static Flags parse(String[] args, String usage) {
    Set<String> declared = declaredIn(usage);
    Map<String, String> values = new HashMap<>();
    for (String arg : args) {
      int equals = arg.indexOf('=');
      if (!arg.startsWith("--") || equals < 0) {
        throw new FlagException("expected --name=value, got '" + arg + "'");
      }
      String name = arg.substring(2, equals);
      if (!declared.contains(name)) {
        throw new FlagException("unknown flag --" + name);
      }
      values.put(name, arg.substring(equals + 1));
    }
    return new Flags(values);
  }

  private static Set<String> declaredIn(String usage) {
    Matcher matcher = DECLARED_FLAG.matcher(usage);
    return matcher.results().map(m -> m.group(1)).collect(Collectors.toSet());
  }

  public String string(String name, String defaultValue) {
    return values.getOrDefault(name, defaultValue);
  }

  /** An integer flag, checked to be at least {@code min}. */
  public int integer(String name, int defaultValue, int min) {
    String value = values.get(name);
    if (value == null) {
      return defaultValue;
    }
    int parsed;
    try {
      parsed = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new FlagException("--" + name + " expects an integer, got '" + value + "'");
    }
    require(parsed >= min, name, "must be at least " + min + ", got " + parsed);
    return parsed;
  }

  /** A fraction flag, checked to lie in [0, 1]. */
  public double fraction(String name, double defaultValue) {
    String value = values.get(name);
    if (value == null) {
      return defaultValue;
    }
    double parsed;
    try {
      parsed = Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new FlagException("--" + name + " expects a number, got '" + value + "'");
    }
    require(parsed >= 0 && parsed <= 1, name, "must be between 0 and 1, got " + parsed);
    return parsed;
  }

  /** A comma-separated list flag; blank entries are dropped. */
  public List<String> list(String name, String defaultValue) {
    return Arrays.stream(string(name, defaultValue).split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  /** Fails with a {@link FlagException} naming the flag when {@code condition} does not hold. */
  public void require(boolean condition, String name, String expectation) {
    if (!condition) {
      throw new FlagException("--" + name + " " + expectation);
    }
  }
}
