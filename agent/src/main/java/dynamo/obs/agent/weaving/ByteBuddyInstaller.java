package dynamo.obs.agent.weaving;

import static net.bytebuddy.matcher.ElementMatchers.nameContains;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;

import dynamo.obs.agent.coexist.OtherAgentsTypePool;
import dynamo.obs.agent.console.AgentLog;
import dynamo.obs.agent.metrics.AgentMetrics;
import dynamo.obs.bootstrap.Dispatch;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.implementation.bytecode.StackManipulation;
import net.bytebuddy.implementation.bytecode.constant.IntegerConstant;
import net.bytebuddy.implementation.bytecode.member.MethodInvocation;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.loading.ClassInjector;
import net.bytebuddy.dynamic.scaffold.MethodGraph;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.utility.JavaModule;

/**
 * Builds the one Byte Buddy transformer for the instrumentations that match types by hierarchy or
 * outside the JDK, and installs it. A class of its own, so that Byte Buddy is not even linked until
 * one of them is needed.
 */
final class ByteBuddyInstaller {
  private static final AgentLog LOG = AgentLog.forTarget("dynamo_obs.instrumentation");
  /** Where advice's exceptions go: {@code Dispatch.failed(Throwable, int target)}, the throwable already stacked. */
  private static final MethodDescription.InDefinedShape DISPATCH_FAILED = failedMethod();

  private static MethodDescription.InDefinedShape failedMethod() {
    try {
      return new MethodDescription.ForLoadedMethod(Dispatch.class.getMethod("failed", Throwable.class, int.class));
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(e);
    }
  }

  private ByteBuddyInstaller() {
  }

  static LoadedCandidates install(Instrumentation inst, List<InstrumentationModule> modules,
      AgentMetrics metrics, Consumer<Object> onWoven) {
    // Byte Buddy's Unsafe-based class injection is never used here (the bootstrap API is defined by
    // BootstrapInjector); switching it off keeps JDK 24+ from printing sun.misc.Unsafe warnings. The
    // property name is relocated with Byte Buddy, so this touches no other copy of Byte Buddy.
    if (System.getProperty(ClassInjector.UsingUnsafe.SAFE_PROPERTY) == null) {
      System.setProperty(ClassInjector.UsingUnsafe.SAFE_PROPERTY, "true");
    }
    ClassLoader agentLoader = InstrumentationInstaller.class.getClassLoader();
    LoadedCandidates candidates = new LoadedCandidates(modules);
    SuperTypeIndex superTypes = new SuperTypeIndex();
    // advice goes on declared methods only: the graph of every inherited method that Byte Buddy would otherwise
    // compile for each woven type (resolving every signature of its hierarchy) is never needed
    AgentBuilder builder = new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED)
        .with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE))
        .disableClassFormatChanges()
        .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
        .with(candidates)
        .with(AgentBuilder.TypeStrategy.Default.DECORATE)
        .with(AgentBuilder.DescriptionStrategy.Default.HYBRID)
        .with(superTypes.recordingClassFiles(OtherAgentsTypePool.STRATEGY))
        .with(new Listener(metrics, onWoven, superTypes))
        // The default would skip every class of the bootstrap and platform loaders, where
        // the JDK's HTTP server and clients live; skip only what must never be woven. By name
        // only: a matcher on anything else makes Byte Buddy parse every class the JVM loads.
        .ignore(nameStartsWith("dynamo.obs.agent.")
            .or(nameStartsWith("dynamo.obs.bootstrap."))
            .or(nameStartsWith("dynamo.obs.shaded."))
            .or(nameStartsWith("net.bytebuddy."))
            .or(nameStartsWith("jdk.internal.reflect."))
            .or(nameStartsWith("java.lang.invoke."))
            .or(nameStartsWith("jdk.proxy"))
            .or(nameStartsWith("com.sun.proxy."))
            .or(nameContains("$$Lambda"))
            .or(nameContains("$ByteBuddy")))
        .assureReadEdgeTo(inst, Dispatch.class);
    for (InstrumentationModule module : modules) {
      int target = Instrumentations.number(module.name());
      // every advice of the module gets the target's number, and its exceptions go to the one error policy
      Advice.WithCustomMapping numbered = Advice.withCustomMapping().bind(TargetId.class, target);
      Advice.ExceptionHandler failed = new Advice.ExceptionHandler.Simple(new StackManipulation.Compound(
          IntegerConstant.forValue(target), MethodInvocation.invoke(DISPATCH_FAILED)));
      for (InstrumentationModule.TypeAdvice type : module.typeAdvice()) {
        AgentBuilder.Transformer.ForAdvice advice = new AgentBuilder.Transformer.ForAdvice(numbered)
            .include(agentLoader).withExceptionHandler(failed);
        for (InstrumentationModule.AdviceBinding binding : type.advice()) {
          advice = binding.exitClass() == null
              ? advice.advice(binding.methods(), binding.adviceClass())
              : advice.advice(binding.methods(), binding.adviceClass(), binding.exitClass());
        }
        // a hierarchy is matched through the index (each class file read once per loader), names by Byte Buddy
        builder = type.types() instanceof InstrumentationModule.TypeAdvice.SubtypeOf subtypes && !superTypes.full()
            ? builder
                .type(superTypes.subtypesOf(subtypes.names(), OtherAgentsTypePool.NOT_THEIR_HELPERS, type.loaders()))
                .transform(advice)
            : builder.type(OtherAgentsTypePool.NOT_THEIR_HELPERS.and(type.types()), type.loaders()).transform(advice);
      }
    }
    builder.installOn(inst);
    InstrumentationInstaller.afterInstall(inst, modules);
    return candidates;
  }

  /**
   * After a deferred installation: a class whose loading had passed the transformers before Byte
   * Buddy's was registered, and was not yet defined when the loaded classes were looked at, is
   * caught here.
   */
  static void sweepLater(Instrumentation inst, LoadedCandidates candidates) {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Iterable<Class<?>> batch : candidates.resolve(inst)) {
      List<Class<?>> classes = new ArrayList<>();
      batch.forEach(classes::add);
      InstrumentationInstaller.retransform(inst, classes);
    }
  }

  /**
   * The already-loaded classes to retransform: only those the modules' plain-class pre-selection
   * accepts. Describing every loaded class to Byte Buddy instead costs tens of megabytes of
   * allocation and most of the start-up CPU. Classes loaded from now on meet the transformer,
   * which is registered before this runs — except those the JVM loads while it retransforms (the
   * verifier of a redefined class loads the types it checks, and Byte Buddy does not transform
   * inside its own transformation): so after each batch the loaded classes are looked at again,
   * and the new candidates form the next batch, until there are none.
   */
  private static final class LoadedCandidates implements AgentBuilder.RedefinitionStrategy.DiscoveryStrategy {
    private final List<Predicate<Class<?>>> filters = new ArrayList<>();
    /** Every class judged so far, by this and later resolutions: each class is judged once. */
    private final Set<Class<?>> seen = Collections
        .synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    LoadedCandidates(List<InstrumentationModule> modules) {
      for (InstrumentationModule m : modules) {
        for (InstrumentationModule.TypeAdvice t : m.typeAdvice()) {
          filters.add(t.loaded());
        }
      }
    }

    @Override
    public Iterable<Iterable<Class<?>>> resolve(Instrumentation inst) {
      return () -> new Iterator<>() {
        private List<Class<?>> next = batch();

        private List<Class<?>> batch() {
          List<Class<?>> found = new ArrayList<>();
          for (Class<?> c : inst.getAllLoadedClasses()) {
            if (seen.add(c) && wanted(c)) { // each class is judged once
              found.add(c);
            }
          }
          return found;
        }

        @Override
        public boolean hasNext() {
          if (next == null) {
            next = batch();
          }
          return !next.isEmpty();
        }

        @Override
        public Iterable<Class<?>> next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          List<Class<?>> b = next;
          next = null;
          return b;
        }
      };
    }

    private boolean wanted(Class<?> c) {
      try {
        for (Predicate<Class<?>> f : filters) {
          if (f.test(c)) {
            return true;
          }
        }
      } catch (LinkageError e) {
        // a class whose hierarchy cannot be resolved is not ours to weave
      }
      return false;
    }
  }

  /** Counts woven types; reports failures once per type. */
  private static final class Listener extends AgentBuilder.Listener.Adapter {
    private final AgentMetrics metrics;
    private final Consumer<Object> onWoven;
    private final SuperTypeIndex superTypes;

    Listener(AgentMetrics metrics, Consumer<Object> onWoven, SuperTypeIndex superTypes) {
      this.metrics = metrics;
      this.onWoven = onWoven;
      this.superTypes = superTypes;
    }

    @Override
    public void onComplete(String typeName, ClassLoader loader, JavaModule module, boolean loaded) {
      superTypes.transformationDone();
    }

    @Override
    public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded,
        DynamicType dynamicType) {
      metrics.typeInstrumented(type.getName(), loader);
      LOG.debug("instrumented " + type.getName());
      try {
        onWoven.accept(type);
      } catch (RuntimeException e) {
        LOG.once(AgentLog.Level.WARN, "woven:" + type.getName(), "after instrumenting " + type.getName() + ": " + e);
      }
    }

    @Override
    public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable error) {
      LOG.once(AgentLog.Level.WARN, "transform:" + typeName,
          "could not instrument " + typeName + " (it runs unchanged): " + error);
    }
  }
}
