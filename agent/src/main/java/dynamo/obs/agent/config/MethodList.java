package dynamo.obs.agent.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A method selection in OpenTelemetry's {@code methods.include} syntax plus {@code [*]}:
 * {@code pkg.Class[m1,m2];pkg.Iface[*]}. Nested classes use {@code $}. A malformed segment is
 * rejected on its own; the good segments still apply.
 */
public final class MethodList {

  /** One class (or interface / base class) and the methods selected in it. */
  public record Target(String className, Set<String> methods) {
    /** {@code [*]}: every public method but Object's, getters, setters and synthetic ones. */
    public boolean allMethods() {
      return methods.isEmpty();
    }
  }

  public static final MethodList EMPTY = new MethodList(List.of(), List.of());

  private final List<Target> targets;
  private final List<String> rejected;

  private MethodList(List<Target> targets, List<String> rejected) {
    this.targets = targets;
    this.rejected = rejected;
  }

  public static MethodList parse(String raw) {
    List<Target> targets = new ArrayList<>();
    List<String> rejected = new ArrayList<>();
    for (String segment : raw.split(";")) {
      String s = segment.trim();
      if (s.isEmpty()) {
        continue;
      }
      Target t = parseSegment(s);
      if (t == null) {
        rejected.add(s);
      } else {
        targets.add(t);
      }
    }
    return new MethodList(Collections.unmodifiableList(targets), Collections.unmodifiableList(rejected));
  }

  private static Target parseSegment(String s) {
    int open = s.indexOf('[');
    if (open <= 0 || !s.endsWith("]") || s.indexOf('[', open + 1) >= 0) {
      return null;
    }
    String cls = s.substring(0, open).trim();
    if (!isClassName(cls)) {
      return null;
    }
    String inside = s.substring(open + 1, s.length() - 1).trim();
    if (inside.equals("*")) {
      return new Target(cls, Set.of());
    }
    Set<String> methods = new LinkedHashSet<>();
    for (String m : inside.split(",", -1)) {
      String name = m.trim();
      if (!Character.isJavaIdentifierStart(name.isEmpty() ? '0' : name.charAt(0))
          || !name.chars().allMatch(Character::isJavaIdentifierPart)) {
        return null;
      }
      methods.add(name);
    }
    return new Target(cls, Collections.unmodifiableSet(methods));
  }

  private static boolean isClassName(String cls) {
    if (cls.isEmpty() || cls.startsWith(".") || cls.endsWith(".") || cls.contains("..")) {
      return false;
    }
    for (String part : cls.split("\\.")) {
      if (part.isEmpty() || !Character.isJavaIdentifierStart(part.charAt(0))
          || !part.chars().allMatch(Character::isJavaIdentifierPart)) {
        return false;
      }
    }
    return true;
  }

  public List<Target> targets() {
    return targets;
  }

  public List<String> rejected() {
    return rejected;
  }

  public boolean isEmpty() {
    return targets.isEmpty();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (Target t : targets) {
      if (sb.length() > 0) {
        sb.append(';');
      }
      sb.append(t.className()).append('[').append(t.allMethods() ? "*" : String.join(",", t.methods())).append(']');
    }
    return sb.toString();
  }
}
