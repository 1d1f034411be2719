package dynamo.obs.agent.weaving;

import dynamo.obs.agent.console.AgentLog;
import dynamo.obs.agent.metrics.AgentMetrics;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Installs every enabled instrumentation: the JDK's own classes through {@link JdkWeaver}, the rest
 * through {@link ByteBuddyInstaller}, loaded only when needed.
 */
public final class InstrumentationInstaller {
  private static final AgentLog LOG = AgentLog.forTarget("dynamo_obs.instrumentation");

  private InstrumentationInstaller() {
  }

  /**
   * Weaves the JDK's own classes at once with the agent's small weaver, and installs Byte Buddy for
   * the other modules only when they can match something: at once when a module has no trigger
   * (method lists) or a trigger class is visible or loaded already, else on a thread of its own
   * when the first trigger class loads. Each instrumentation then catches up on state created
   * before. Returns normally even when parts fail (they are logged).
   */
  public static void install(Instrumentation inst, List<InstrumentationModule> modules, AgentMetrics metrics,
      Consumer<Object> onWoven) {
    install(inst, modules, metrics, onWoven, () -> {
    });
  }

  /**
   * As {@link #install(Instrumentation, List, AgentMetrics, Consumer)}; {@code afterJdkWeaves} runs once the JDK's
   * classes are woven, before Byte Buddy (the system status server starts there: the application's binds are then
   * seen before it can take their port).
   */
  public static void install(Instrumentation inst, List<InstrumentationModule> modules, AgentMetrics metrics,
      Consumer<Object> onWoven, Runnable afterJdkWeaves) {
    List<JdkWeave> weaves = new ArrayList<>();
    List<JdkWeave> libraryWeaves = new ArrayList<>();
    List<InstrumentationModule> woven = new ArrayList<>();
    List<InstrumentationModule> byteBuddy = new ArrayList<>();
    boolean now = false; // a module without triggers: Byte Buddy is needed whatever loads
    List<String> triggers = new ArrayList<>();
    for (InstrumentationModule m : modules) {
      List<JdkWeave> own = m.jdkWeaves();
      List<JdkWeave> library = m.libraryWeaves();
      if (!own.isEmpty() || !library.isEmpty()) {
        int target = Instrumentations.number(m.name());
        for (JdkWeave w : own) {
          weaves.add(w.forTarget(target));
        }
        for (JdkWeave w : library) {
          libraryWeaves.add(w.forTarget(target));
        }
        woven.add(m);
      } else if (!m.earlyWeaves().isEmpty() && m.triggers().isEmpty()) {
        continue; // woven from the premain by EarlyWeaving alone: nothing here, and no reason to load Byte Buddy
      } else { // its type advice is asked for only once Byte Buddy is loaded: it builds Byte Buddy matchers
        byteBuddy.add(m);
        now |= m.triggers().isEmpty();
        triggers.addAll(m.triggers());
      }
    }
    if (weaves.isEmpty() && libraryWeaves.isEmpty() && byteBuddy.isEmpty()) {
      afterJdkWeaves.run();
      return;
    }
    List<String> packages = new ArrayList<>(); // of the triggers, internal form: jakarta/servlet/
    for (String t : triggers) {
      packages.add(t.substring(0, t.lastIndexOf('/') + 1));
    }
    JdkWeaver weaver = new JdkWeaver(inst, weaves, metrics::typeInstrumented);
    boolean watching = !byteBuddy.isEmpty() && !now;
    CountDownLatch watchedInstall = new CountDownLatch(1);
    if (watching) {
      // watching starts before the transformer is registered and before looking for what is
      // there already, so a trigger class loaded meanwhile is not missed; the watch fires once
      weaver.watch(packages, className -> {
        Thread t = new Thread(() -> {
          LOG.debug("loading Byte Buddy: " + className.replace('/', '.') + " appeared");
          try {
            ByteBuddyInstaller.sweepLater(inst, ByteBuddyInstaller.install(inst, byteBuddy, metrics, onWoven));
          } catch (Throwable e) {
            LOG.error("instrumentation could not be installed; the application runs on without it: " + e);
          } finally {
            watchedInstall.countDown();
          }
        }, "dynamo-obs-instrument");
        t.setDaemon(true);
        t.start();
      });
    }
    if (!weaves.isEmpty() || watching) {
      inst.addTransformer(weaver, true);
    }
    JdkWeaver libraries = null;
    if (!libraryWeaves.isEmpty()) {
      libraries = JdkWeaver.forLibraries(inst, libraryWeaves, metrics::typeInstrumented, EarlyWeaving::missing);
      inst.addTransformer(libraries, true);
    }
    if (!weaves.isEmpty() || libraries != null) {
      retransformLoaded(inst, weaver, libraries);
      afterInstall(inst, woven);
    }
    afterJdkWeaves.run();
    // Byte Buddy on this thread (before health turns ready) when it is needed already: a module
    // without triggers, or a trigger class visible or loaded. If the watch fired meanwhile (the
    // application's main thread loaded a servlet class while the agent was starting), its install
    // is under way on its own thread: it is waited for here, so that the instrumentation is not
    // declared active — health ready, the first requests served — before the classes are woven.
    if (!byteBuddy.isEmpty() && (now || anyPresent(inst, triggers, packages))) {
      if (now || weaver.claimWatch()) {
        ByteBuddyInstaller.install(inst, byteBuddy, metrics, onWoven);
      } else {
        awaitWatchedInstall(watchedInstall);
      }
    }
  }

  /** How long the agent's start waits for an install the watch began before it declares itself active anyway. */
  private static final long WATCHED_INSTALL_WAIT_SECONDS = 60;

  private static void awaitWatchedInstall(CountDownLatch done) {
    try {
      if (!done.await(WATCHED_INSTALL_WAIT_SECONDS, TimeUnit.SECONDS)) {
        LOG.warn("the instrumentation of the libraries found at start was not installed within "
            + WATCHED_INSTALL_WAIT_SECONDS + " s; health turns ready without waiting longer");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether a trigger class is visible to the application class loader, or a class of its package loaded. */
  private static boolean anyPresent(Instrumentation inst, List<String> triggers, List<String> packages) {
    ClassLoader app = ClassLoader.getSystemClassLoader();
    for (String t : triggers) {
      if (app.getResource(t + ".class") != null) {
        return true;
      }
    }
    String[] dotted = new String[packages.size()];
    for (int i = 0; i < dotted.length; i++) {
      dotted[i] = packages.get(i).replace('/', '.');
    }
    for (Class<?> c : inst.getAllLoadedClasses()) {
      String n = c.getName();
      for (String pkg : dotted) {
        if (n.startsWith(pkg)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The classes already loaded that the weavers change (the JDK's by name, the libraries' by name in any loader or
   * by super type) go through them once.
   */
  private static void retransformLoaded(Instrumentation inst, JdkWeaver jdk, JdkWeaver libraries) {
    Set<String> jdkNames = jdk.typeNames();
    Set<String> libraryNames = libraries == null ? Set.of() : libraries.typeNames();
    ClassLoader platform = ClassLoader.getPlatformClassLoader();
    Class<?>[] all = inst.getAllLoadedClasses();
    List<Class<?>> loaded = new ArrayList<>();
    for (Class<?> c : all) {
      ClassLoader l = c.getClassLoader();
      if ((l == null || l == platform) && jdkNames.contains(c.getName()) || libraryNames.contains(c.getName())) {
        loaded.add(c);
      }
    }
    if (libraries != null) {
      for (Class<?> c : libraries.loadedSubtypes(all)) {
        if (!libraryNames.contains(c.getName())) {
          loaded.add(c);
        }
      }
    }
    retransform(inst, loaded);
  }

  /**
   * Retransforms loaded classes in one call: the JVM walks every loaded class once per call, so class by class
   * costs a walk each (tens of milliseconds of start-up CPU for the JDK's classes alone). When the call fails
   * (one class the JVM refuses fails them all), each class is retransformed alone, so that a failure stays with it.
   */
  static void retransform(Instrumentation inst, List<Class<?>> classes) {
    List<Class<?>> modifiable = new ArrayList<>(classes.size());
    for (Class<?> c : classes) {
      if (!c.isHidden() && inst.isModifiableClass(c)) {
        modifiable.add(c);
      }
    }
    if (modifiable.size() > 1) {
      try {
        inst.retransformClasses(modifiable.toArray(new Class<?>[0]));
        return;
      } catch (Throwable t) {
        // one by one below
      }
    }
    for (Class<?> c : modifiable) {
      retransform(inst, c);
    }
  }

  /**
   * Retransforms one loaded class, so that a failure stays with it; hidden and unmodifiable
   * classes (a lambda's) are passed over, as Byte Buddy's own discovery does.
   */
  static void retransform(Instrumentation inst, Class<?> c) {
    if (c.isHidden() || !inst.isModifiableClass(c)) {
      return;
    }
    try {
      inst.retransformClasses(c);
    } catch (Throwable t) {
      LOG.once(AgentLog.Level.WARN, "retransform:" + c.getName(),
          "could not instrument " + c.getName() + " (it runs unchanged): " + t);
    }
  }

  static void afterInstall(Instrumentation inst, List<InstrumentationModule> modules) {
    for (InstrumentationModule module : modules) {
      try {
        module.afterInstall(inst);
      } catch (Throwable t) {
        LOG.warn(module.name() + ": catching up on existing state failed: " + t);
      }
    }
  }
}
