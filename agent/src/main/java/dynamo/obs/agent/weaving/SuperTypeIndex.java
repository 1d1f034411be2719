package dynamo.obs.agent.weaving;

import java.util.Set;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;

/**
 * Byte Buddy's matchers of the modules' super-type sets ({@link InstrumentationModule.TypeAdvice#subtypesOf}),
 * answered by a {@link TypeHierarchy}. A hierarchy matcher is asked about every class of a loader that sees the API —
 * ten thousand on Spring Boot. Byte Buddy's own, with a fresh type pool per class, parsed the class and the class
 * files of all its super types again for every class and every set: most of the agent's start-up CPU, and more for
 * the JIT. Here each class file is read at most once per loader, from the class files Byte Buddy located for the
 * transformation under way.
 */
final class SuperTypeIndex {
  private final TypeHierarchy hierarchy = new TypeHierarchy();
  /** The class files of the transformation under way on this thread (its class's, then its loader's). */
  private final ThreadLocal<ClassFileLocator> current = new ThreadLocal<>();

  /** Whether this index can take one more set. */
  boolean full() {
    return hierarchy.full();
  }

  /**
   * The matcher of the classes (not interfaces) that extend or implement one of {@code names}, in loaders that
   * {@code loaders} accepts, of the types {@code first} accepts (asked before the hierarchy is read).
   */
  AgentBuilder.RawMatcher subtypesOf(Set<String> names, ElementMatcher<? super TypeDescription> first,
      ElementMatcher<? super ClassLoader> loaders) {
    long bit = hierarchy.add(names);
    return (type, loader, module, classBeingRedefined, protectionDomain) -> {
      if (loader == null || !loaders.matches(loader) || !first.matches(type)) {
        return false;
      }
      ClassFileLocator located = current.get();
      ClassFileLocator files = located != null ? located : ClassFileLocator.ForClassLoader.of(loader);
      long bits = hierarchy.bits(type.getName(), n -> {
        ClassFileLocator.Resolution r = files.locate(n);
        return r.isResolved() ? r.resolve() : null;
      }, loader);
      return (bits & TypeHierarchy.INTERFACE) == 0 && (bits & bit) != 0;
    };
  }

  /** Byte Buddy's pool strategy, which also keeps each transformation's class files for the matchers. */
  AgentBuilder.PoolStrategy recordingClassFiles(AgentBuilder.PoolStrategy pools) {
    return new AgentBuilder.PoolStrategy() {
      @Override
      public TypePool typePool(ClassFileLocator locator, ClassLoader loader) {
        current.set(locator);
        return pools.typePool(locator, loader);
      }

      @Override
      public TypePool typePool(ClassFileLocator locator, ClassLoader loader, String name) {
        current.set(locator);
        return pools.typePool(locator, loader, name);
      }
    };
  }

  /** The transformation on this thread is over: its class files (and loader) are not kept. */
  void transformationDone() {
    current.remove();
  }
}
