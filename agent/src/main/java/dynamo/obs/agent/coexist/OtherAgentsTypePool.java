package dynamo.obs.agent.coexist;

import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.matcher.ElementMatchers;
import net.bytebuddy.pool.TypePool;

/**
 * Byte Buddy's type pool (lazy, fast reading, as {@code PoolStrategy.Default.FAST}) that also describes
 * types another agent generated and defined in the bootstrap class loader without a class file: the
 * OpenTelemetry Java agent adds such interfaces ({@code io.opentelemetry.javaagent.bootstrap.field.
 * VirtualFieldAccessor$…}) to the classes it weaves, so when it runs before this agent, a class it has
 * woven names a super type no class file locator finds, and matching its hierarchy failed ("Cannot resolve
 * type description"): the class went unwoven — Tomcat's threads and Spring's executors among them, which
 * is how TTFT, ITL and token counts read 0 next to it. Such a type is taken from the loaded class, and
 * only from the bootstrap loader: loading an application's class here, in the middle of another's
 * transformation, would let it escape being woven.
 */
public final class OtherAgentsTypePool extends TypePool.Default.WithLazyResolution {
  /**
   * Types that are not another agent's own helper classes (the OpenTelemetry agent defines its helpers in
   * the application's class loaders, where their super types cannot be read either): put before a type
   * matcher that reads the hierarchy, so that it is not asked about them.
   */
  public static final ElementMatcher.Junction<TypeDescription> NOT_THEIR_HELPERS = ElementMatchers
      .not(ElementMatchers.nameStartsWith(OpenTelemetryAgent.PACKAGE));

  /** The pool strategy for the agent builder. */
  public static final AgentBuilder.PoolStrategy STRATEGY = new AgentBuilder.PoolStrategy() {
    @Override
    public TypePool typePool(ClassFileLocator locator, ClassLoader loader) {
      return new OtherAgentsTypePool(locator);
    }

    @Override
    public TypePool typePool(ClassFileLocator locator, ClassLoader loader, String name) {
      return typePool(locator, loader);
    }
  };

  private OtherAgentsTypePool(ClassFileLocator locator) {
    super(new BootstrapFallback(), locator, TypePool.Default.ReaderMode.FAST);
  }

  /**
   * The pool's cache, which is where every type it looked for is registered (a lazy pool resolves a type
   * once, when it is first needed): a type not found as a class file is registered as the bootstrap
   * loader's class of that name when there is one.
   */
  private static final class BootstrapFallback implements TypePool.CacheProvider {
    private final TypePool.CacheProvider.Simple cache = new TypePool.CacheProvider.Simple();

    @Override
    public Resolution find(String name) {
      return cache.find(name);
    }

    @Override
    public Resolution register(String name, Resolution resolution) {
      if (!resolution.isResolved()) {
        try {
          resolution = new Resolution.Simple(TypeDescription.ForLoadedType.of(Class.forName(name, false, null)));
        } catch (ClassNotFoundException | LinkageError notThere) {
          // unresolved it stays
        }
      }
      return cache.register(name, resolution);
    }

    @Override
    public void clear() {
      cache.clear();
    }
  }
}
