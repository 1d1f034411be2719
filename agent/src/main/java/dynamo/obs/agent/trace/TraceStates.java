package dynamo.obs.agent.trace;

import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.TraceStateBuilder;
import java.util.HashSet;
import java.util.Set;

/**
 * The W3C {@code tracestate} header as it may be exported: its list members in order, each kept only
 * when its key and value are what W3C Trace Context allows, at most 32 of them, the first of a
 * repeated key; a header with none left is null. As an OpenTelemetry {@link TraceState}: those members.
 */
final class TraceStates {
  private static final int MAX_MEMBERS = 32;
  private static final int MAX_KEY = 256;
  private static final int MAX_VALUE = 256;

  private TraceStates() {
  }

  /** The header's valid members as a TraceState (the empty one when none). */
  static TraceState of(String header) {
    String valid = valid(header);
    if (valid == null) {
      return TraceState.getDefault();
    }
    String[] members = valid.split(",");
    TraceStateBuilder b = TraceState.builder();
    // the builder puts each new member first: the last member goes in first, as W3C's order is kept
    for (int i = members.length - 1; i >= 0; i--) {
      int eq = members[i].indexOf('=');
      b.put(members[i].substring(0, eq), members[i].substring(eq + 1));
    }
    return b.build();
  }

  static String valid(String header) {
    if (header == null || header.isEmpty()) {
      return null;
    }
    StringBuilder out = new StringBuilder(header.length());
    Set<String> keys = new HashSet<>();
    for (String m : header.split(",")) {
      String member = m.trim();
      int eq = member.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String key = member.substring(0, eq).trim();
      String value = member.substring(eq + 1).trim();
      if (!validKey(key) || !validValue(value) || !keys.add(key)) {
        continue;
      }
      if (keys.size() > MAX_MEMBERS) {
        break;
      }
      if (out.length() > 0) {
        out.append(',');
      }
      out.append(key).append('=').append(value);
    }
    return out.length() == 0 ? null : out.toString();
  }

  /** {@code lcalpha 0*255(lcalpha / DIGIT / "_" / "-" / "*" / "/")}, or {@code tenant@system} of those. */
  static boolean validKey(String key) {
    int n = key.length();
    if (n == 0 || n > MAX_KEY || !lowerOrDigit(key.charAt(0))) {
      return false;
    }
    int at = -1;
    for (int i = 1; i < n; i++) {
      char c = key.charAt(i);
      if (c == '@') {
        if (at >= 0) {
          return false;
        }
        at = i;
      } else if (!lowerOrDigit(c) && c != '_' && c != '-' && c != '*' && c != '/') {
        return false;
      }
    }
    // tenant@system: a tenant of at most 241 characters, a system id of 1 to 14
    return at < 0 || (at <= 241 && n - at - 1 >= 1 && n - at - 1 <= 14);
  }

  private static boolean lowerOrDigit(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }

  /** Printable ASCII without {@code ,} and {@code =}, at most 256 characters, not ending in a space. */
  static boolean validValue(String value) {
    int n = value.length();
    if (n == 0 || n > MAX_VALUE || value.charAt(n - 1) == ' ') {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e || c == ',' || c == '=') {
        return false;
      }
    }
    return true;
  }
}
