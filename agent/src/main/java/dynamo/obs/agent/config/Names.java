package dynamo.obs.agent.config;

/** Dynamo's sanitising rules for label values and metric names (reference §3.1). */
public final class Names {
  private Names() {
  }

  /**
   * {@code [^a-zA-Z0-9_]} → {@code _}, a leading non-letter gets a {@code _} prefix, a leading
   * {@code __} is stripped (reserved by Prometheus). Null when nothing usable remains.
   */
  public static String labelValue(String raw) {
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    StringBuilder sb = new StringBuilder(raw.length() + 1);
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      sb.append(isAsciiLetterOrDigit(c) || c == '_' ? c : '_');
    }
    if (!isAsciiLetter(sb.charAt(0)) && sb.charAt(0) != '_') {
      sb.insert(0, '_');
    }
    while (sb.length() >= 2 && sb.charAt(0) == '_' && sb.charAt(1) == '_') {
      sb.delete(0, 2);
    }
    String s = sb.toString();
    return s.isEmpty() || s.chars().allMatch(c -> c == '_') ? null : s;
  }

  /**
   * {@code [^a-zA-Z0-9_:]} → {@code _}, an invalid first character gets a {@code _} prefix; an
   * all-underscore result is invalid (null).
   */
  public static String metricName(String raw) {
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    StringBuilder sb = new StringBuilder(raw.length() + 1);
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      sb.append(isAsciiLetterOrDigit(c) || c == '_' || c == ':' ? c : '_');
    }
    char first = sb.charAt(0);
    if (!(isAsciiLetter(first) || first == '_' || first == ':')) {
      sb.insert(0, '_');
    }
    String s = sb.toString();
    return s.chars().allMatch(c -> c == '_') ? null : s;
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isAsciiLetterOrDigit(char c) {
    return isAsciiLetter(c) || (c >= '0' && c <= '9');
  }
}
