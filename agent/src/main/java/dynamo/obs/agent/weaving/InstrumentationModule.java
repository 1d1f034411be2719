package dynamo.obs.agent.weaving;

import dynamo.obs.bootstrap.Handler;
import java.lang.instrument.Instrumentation;
import java.lang.ref.WeakReference;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.WeakHashMap;
import java.util.function.Predicate;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.matcher.ElementMatchers;

/**
 * One instrumented target: which types it weaves, which advice goes on which methods, the {@link Handler} that its
 * woven code's events reach, and what to do once it is installed. Its kebab-case {@link #name()} is its on/off
 * switch ({@code DYN_OBS_INSTRUMENTATION_<NAME>_ENABLED} with {@code -} → {@code _}), its label on
 * {@code dynamo_obs_instrumentation_errors_total}, and, by its place in {@link Instrumentations#names()}, its number
 * in {@code Dispatch}. Modules of the same name (the methods named by the user and the token handlers they take)
 * share that number and the first one's handler.
 */
public interface InstrumentationModule {

  /**
   * Advice class (by name, so it is never loaded just to be referenced) for a set of methods. With
   * an {@code exitClass}, {@code adviceClass} holds only the enter advice and {@code exitClass} the
   * exit advice: one enter shared by methods whose exits differ.
   */
  record AdviceBinding(ElementMatcher<? super MethodDescription> methods, String adviceClass, String exitClass) {
    public AdviceBinding(ElementMatcher<? super MethodDescription> methods, String adviceClass) {
      this(methods, adviceClass, null);
    }
  }

  /**
   * The advice woven into the types one matcher selects. {@code loaded} pre-selects, from plain
   * {@code Class} objects, the already-loaded classes worth retransforming, so that start-up does
   * not describe every class of the JVM to Byte Buddy.
   */
  record TypeAdvice(ElementMatcher<? super TypeDescription> types, ElementMatcher<ClassLoader> loaders,
      Predicate<Class<?>> loaded, List<AdviceBinding> advice) {

    /** Exactly the named class. */
    public static TypeAdvice named(String name, List<AdviceBinding> advice) {
      return new TypeAdvice(ElementMatchers.named(name), ElementMatchers.any(), c -> c.getName().equals(name), advice);
    }

    /**
     * Every class (not interface) that extends or implements one of the named types — looked for
     * only in class loaders that can see one of them: matching a hierarchy means reading the
     * class file, which no other loader's classes should pay for.
     */
    public static TypeAdvice subtypesOf(Set<String> names, List<AdviceBinding> advice) {
      return subtypesOf(names, names, advice);
    }

    /**
     * Every class that extends or implements one of {@code names}, looked for only in class loaders
     * that can see one of {@code seenBy} (a JDK type's subclasses that belong to a library).
     */
    public static TypeAdvice subtypesOf(Set<String> names, Set<String> seenBy, List<AdviceBinding> advice) {
      SeesAnyOf loaders = new SeesAnyOf(seenBy);
      return new TypeAdvice(new SubtypeOf(names), loaders,
          c -> !c.isInterface() && loaders.matches(c.getClassLoader()) && hasSuperType(c, names), advice);
    }

    /**
     * Classes (not interfaces) that extend or implement one of the named types; fail-safe: a class whose hierarchy
     * names a type its loader lacks (Spring's servlet filters in a WebFlux application) is simply no match, not an
     * error to report.
     */
    static final class SubtypeOf extends ElementMatcher.Junction.AbstractBase<TypeDescription> {
      private final Set<String> names;
      private final ElementMatcher<TypeDescription> matcher;

      SubtypeOf(Set<String> names) {
        this.names = new TreeSet<>(names);
        this.matcher = ElementMatchers.failSafe(
            ElementMatchers.hasSuperType(ElementMatchers.namedOneOf(names.toArray(new String[0]))));
      }

      @Override
      public boolean matches(TypeDescription type) {
        return !type.isInterface() && matcher.matches(type);
      }

      /** The super types' names. */
      Set<String> names() {
        return names;
      }

      @Override
      public String toString() {
        return "subtypes of " + String.join(", ", names);
      }
    }

    /** Class loaders that can load one of the named classes (cached per loader, weakly). */
    static final class SeesAnyOf extends ElementMatcher.Junction.AbstractBase<ClassLoader> {
      private final Set<String> resources = new HashSet<>();
      private final Map<ClassLoader, Boolean> seen = Collections.synchronizedMap(new WeakHashMap<>());

      SeesAnyOf(Set<String> names) {
        for (String n : names) {
          resources.add(n.replace('.', '/') + ".class");
        }
      }

      /**
       * The last loader asked about (weakly: it may be dropped) and its answer: classes come loader after loader, and
       * each is asked about for every type advice.
       */
      private volatile Last last;

      private record Last(WeakReference<ClassLoader> loader, boolean sees) {
      }

      @Override
      public boolean matches(ClassLoader loader) {
        if (loader == null) {
          return false; // the bootstrap loader holds the JDK only
        }
        Last l = last;
        if (l != null && l.loader.get() == loader) {
          return l.sees;
        }
        Boolean known = seen.get(loader);
        if (known == null) {
          known = Boolean.FALSE;
          for (String r : resources) {
            if (loader.getResource(r) != null) {
              known = Boolean.TRUE;
              break;
            }
          }
          seen.put(loader, known);
        }
        last = new Last(new WeakReference<>(loader), known);
        return known;
      }
    }

    /** Whether a loaded class has one of the named super types (asked after the cheap loader check). */
    static boolean hasSuperType(Class<?> c, Set<String> names) {
      for (Class<?> t = c; t != null; t = t.getSuperclass()) {
        if (names.contains(t.getName())) {
          return true;
        }
        for (Class<?> i : t.getInterfaces()) {
          if (hasSuperType(i, names)) {
            return true;
          }
        }
      }
      return false;
    }
  }

  /**
   * A stack (server, framework or library) a module supports, in a range of versions: listed in
   * {@code docs/instrumentations.md}, and checked against what the application loads ({@code http/HttpStacks}).
   *
   * @param stack its name ({@code Vert.x}); several modules may name the same stack, a version any of them supports
   *     is supported
   * @param versions the range as the docs say it ({@code 4.1–4.2})
   * @param marker a class every supported version has, by which the stack is recognised and its jar found
   * @param from the first version supported ({@code 4.1}); null: no version is checked (the JDK's own)
   * @param before the first version no longer supported ({@code 4.3}); null: none
   */
  record Supported(String stack, String versions, String marker, String from, String before) {
  }

  String name();

  /** The stacks and versions this module supports (none for modules that are no server or framework's). */
  default List<Supported> supports() {
    return List.of();
  }

  /**
   * The handler of this target's events, made once the agent's services are ready and installed before anything is
   * woven; null for a module whose name's first module has made it already.
   */
  Handler handler(AgentServices services);

  /** One sentence for the generated list of instrumentations in docs/. */
  String description();

  /** What Byte Buddy weaves (types matched by hierarchy or outside the JDK); none for JDK-only modules. */
  default List<TypeAdvice> typeAdvice() {
    return List.of();
  }

  /** What the agent's own weaver puts into JDK classes known by name, without Byte Buddy. */
  default List<JdkWeave> jdkWeaves() {
    return List.of();
  }

  /**
   * What the agent's own weaver puts into classes of libraries known by name, once this module's handler is
   * installed (classes loaded before are retransformed), without Byte Buddy: a library's per-request points. The
   * calls hand the library's objects to the handler, which reads them through code of its own defined in the
   * library's class loader ({@link LibraryHandlers}).
   */
  default List<JdkWeave> libraryWeaves() {
    return List.of();
  }

  /**
   * What the agent's own weaver puts into classes of libraries known by name, from the JVM's start on (registered
   * on the premain thread, so nothing the application does while it starts is missed; no Byte Buddy): for what
   * happens once, early — a route registered, a server bound. Events that arrive before this module's handler is
   * made are kept and given to it ({@link EarlyWeaving}). A module with early weaves and no {@link #triggers} has no
   * type advice: it never makes the agent load Byte Buddy.
   */
  default List<JdkWeave> earlyWeaves() {
    return List.of();
  }

  /**
   * Class-name prefixes (internal form, {@code jakarta/servlet/}) of which one class must be loaded
   * before this module's {@link #typeAdvice()} can match anything: Byte Buddy is loaded only when
   * one appears. Empty: whenever the module is enabled.
   */
  default List<String> triggers() {
    return List.of();
  }

  /**
   * Called once the transformer is installed (and already-loaded classes retransformed): catch up
   * on state the application created before the advice was in place.
   */
  default void afterInstall(Instrumentation inst) {
  }
}
