package dynamo.obs.agent.weaving;

import java.util.List;

/**
 * One call woven into the methods of a JDK class by the agent's own small weaver, without Byte Buddy: the JDK's
 * classes are known by name, so neither type matching nor advice inlining is needed, and an application that uses
 * nothing else never loads Byte Buddy. The call goes to {@code dynamo.obs.bootstrap.Dispatch} with the target's
 * number and {@code event}, which catches everything: {@code Dispatch.on} with up to four references,
 * {@code Dispatch.onData} when an {@code int} is among the values (references then fill its {@code a}, {@code data},
 * {@code b} and numbers its {@code i}, {@code j}), {@code Dispatch.replace} for the kinds that replace a value.
 *
 * @param type the class, by binary name ({@code java.util.concurrent.FutureTask})
 * @param method the method name, {@code <init>} for constructors
 * @param descriptor the start of the method descriptor ({@code "(Ljava/lang/Runnable;)"}, {@code "()"})
 * @param kind where the call goes and what its result does
 * @param event the target's event number
 * @param values what the call is given, in order: {@code this}, {@code arg0}…, {@code field:name} (a field of
 *     {@code this}: a reference, or a {@code boolean}, {@code int} … given as an int), {@code token} (what the method's {@link Kind#ENTER_TOKEN} call returned), at an exit {@code return} (the value
 *     returned: 0 or null when the method throws) and {@code thrown} (the throwable, null at a return); the value replaced
 *     ({@link Kind#ENTER_WRAP_ARG0}: {@code arg0}; {@link Kind#EXIT_RETURN}: the returned value) and the throwable
 *     of {@link Kind#EXIT_THROWN} come first, before these
 * @param sinceJdk the first JDK feature release whose class has the method (0: every one the agent runs on)
 * @param beforeJdk the first JDK feature release that no longer has it (0: none); outside these bounds the
 *     method's absence is expected, within them it is reported
 * @param target the target's number, set when the weave is registered ({@link #forTarget})
 * @param within null for the class named {@code type}; else ({@link #subtypes}) every class that extends or
 *     implements {@code type}, in class loaders that see the class of this binary name, its public instance methods
 */
public record JdkWeave(String type, String method, String descriptor, Kind kind, int event, List<String> values,
    int sinceJdk, int beforeJdk, int target, String within) {

  public enum Kind {
    /** At entry; the result is ignored. */
    ENTER,
    /** At entry; the result replaces the first argument. */
    ENTER_WRAP_ARG0,
    /** At entry; when the result is not null, the (void) method returns at once. */
    ENTER_SKIP,
    /** At entry; the result is kept for this method's exit call as {@code token}. */
    ENTER_TOKEN,
    /** Before each normal return (also of constructors). */
    EXIT,
    /** Before each normal return; the result replaces the returned value. */
    EXIT_RETURN,
    /** Before each normal return and when the method throws (the throwable goes on). */
    EXIT_ALWAYS,
    /**
     * Only when the method throws: the call gets the throwable, which goes on. It may stand beside an {@link #EXIT} or
     * {@link #EXIT_RETURN} of the same method, which reports its returns.
     */
    EXIT_THROWN
  }

  public JdkWeave(String type, String method, String descriptor, Kind kind, int event, String... values) {
    this(type, method, descriptor, kind, event, List.of(values), 0, 0, -1, null);
  }

  /** This weave, for a method that JDKs before {@code feature} do not have. */
  public JdkWeave since(int feature) {
    return new JdkWeave(type, method, descriptor, kind, event, values, feature, beforeJdk, target, within);
  }

  /** This weave, for a method that JDK {@code feature} and later ones no longer have. */
  public JdkWeave before(int feature) {
    return new JdkWeave(type, method, descriptor, kind, event, values, sinceJdk, feature, target, within);
  }

  /** {@link #sinceJdk} of a weave whose method may be absent in any version ({@link #optional}). */
  private static final int OPTIONAL = Integer.MAX_VALUE;

  /**
   * This weave, for a method that some versions of a library have and others lack (Helidon's
   * {@code send(byte[], int, int)} came in 4.2): woven where it is, its absence not said.
   */
  public JdkWeave optional() {
    return new JdkWeave(type, method, descriptor, kind, event, values, OPTIONAL, beforeJdk, target, within);
  }

  /** Whether the method's absence is expected in some versions ({@link #optional}). */
  public boolean isOptional() {
    return sinceJdk == OPTIONAL;
  }

  /** This weave, calling the target of this number. */
  public JdkWeave forTarget(int number) {
    return new JdkWeave(type, method, descriptor, kind, event, values, sinceJdk, beforeJdk, number, within);
  }

  /**
   * This weave, for every class (not interface) that extends or implements {@code type} — its public instance
   * methods that match — in the class loaders that see {@code visible} (a library's types, or a JDK type's subclasses
   * that belong to a library): a hierarchy matched from class file headers, without Byte Buddy. A subclass that does
   * not declare the method is not told of.
   */
  public JdkWeave subtypes(String visible) {
    return new JdkWeave(type, method, descriptor, kind, event, values, sinceJdk, beforeJdk, target, visible);
  }

  /** Whether this weave is for the subtypes of {@code type} ({@link #subtypes}), not the class of that name. */
  public boolean isHierarchy() {
    return within != null;
  }

  /** Whether a method of the class, by its name and descriptor, is the one this weave is for. */
  public boolean matches(String name, String methodDescriptor) {
    return method.equals(name) && methodDescriptor.startsWith(descriptor);
  }

  /** Whether the JDK of this feature release should have the method. */
  public boolean expectedOn(int feature) {
    return feature >= sinceJdk && (beforeJdk == 0 || feature < beforeJdk);
  }

  public boolean isEnter() {
    return kind.ordinal() <= Kind.ENTER_TOKEN.ordinal();
  }
}
