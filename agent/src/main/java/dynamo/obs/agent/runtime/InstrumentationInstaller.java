package dynamo.obs.agent.runtime;

import dynamo.obs.agent.log.AgentLog;
import dynamo.obs.agent.metrics.AgentMetrics;
import dynamo.obs.instrumentation.InstrumentationModule;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Installs every enabled instrumentation: the JDK's own classes through {@link JdkWeaver}, the rest
 * through {@link ByteBuddyInstaller}, loaded only when needed.
 */
public final class InstrumentationInstaller {
  private static final AgentLog LOG = AgentLog.forTarget("dynamo_obs.instrumentation");

  private InstrumentationInstaller() {}

  /**
   * Weaves the JDK's own classes at once with the agent's small weaver, and installs Byte Buddy for
   * the other modules only when they can match something: at once when a module has no trigger
   * (method lists) or a trigger class is visible or loaded already, else on a thread of its own
   * when the first trigger class loads. Each instrumentation then catches up on state created
   * before. Returns normally even when parts fail (they are logged).
   */
  public static void install(Instrumentation inst, List<InstrumentationModule> modules, AgentMetrics metrics,
      Consumer<Object> onWoven) {
    List<dynamo.obs.instrumentation.JdkWeave> weaves = new ArrayList<>();
    List<InstrumentationModule> woven = new ArrayList<>();
    List<InstrumentationModule> byteBuddy = new ArrayList<>();
    boolean now = false;
    List<String> watched = new ArrayList<>();
    for (InstrumentationModule m : modules) {
      if (!m.jdkWeaves().isEmpty()) {
        weaves.addAll(m.jdkWeaves());
        woven.add(m);
      } else { // its type advice is asked for only once Byte Buddy is loaded: it builds Byte Buddy matchers
        byteBuddy.add(m);
        if (m.triggers().isEmpty() || anyPresent(inst, m.triggers())) {
          now = true;
        }
        for (String t : m.triggers()) {
          watched.add(t.substring(0, t.lastIndexOf('/') + 1));
        }
      }
    }
    JdkWeaver weaver = null;
    if (!weaves.isEmpty() || (!byteBuddy.isEmpty() && !now)) {
      weaver = new JdkWeaver(inst, weaves, metrics::typeInstrumented);
      inst.addTransformer(weaver, true);
      retransformLoaded(inst, weaver.typeNames());
      afterInstall(inst, woven);
    }
    if (byteBuddy.isEmpty()) {
      return;
    }
    if (now || weaver == null) {
      ByteBuddyInstaller.install(inst, byteBuddy, metrics, onWoven);
      return;
    }
    weaver.watch(watched, className -> {
      Thread t = new Thread(() -> {
        LOG.debug("loading Byte Buddy: " + className.replace('/', '.') + " appeared");
        try {
          ByteBuddyInstaller.sweepLater(inst, ByteBuddyInstaller.install(inst, byteBuddy, metrics, onWoven));
        } catch (Throwable e) {
          LOG.error("instrumentation could not be installed; the application runs on without it: " + e);
        }
      }, "dynamo-obs-instrument");
      t.setDaemon(true);
      t.start();
    });
  }

  /** Whether a trigger class is loaded already, or visible to the application class loader. */
  private static boolean anyPresent(Instrumentation inst, List<String> triggers) {
    ClassLoader app = ClassLoader.getSystemClassLoader();
    for (String t : triggers) {
      if (app.getResource(t + ".class") != null) {
        return true;
      }
    }
    for (Class<?> c : inst.getAllLoadedClasses()) {
      String n = c.getName();
      for (String t : triggers) {
        String pkg = t.substring(0, t.lastIndexOf('/') + 1).replace('/', '.');
        if (n.startsWith(pkg)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The named JDK classes already loaded go through the weaver once, one by one (a failure stays with its class). */
  private static void retransformLoaded(Instrumentation inst, java.util.Set<String> names) {
    ClassLoader platform = ClassLoader.getPlatformClassLoader();
    for (Class<?> c : inst.getAllLoadedClasses()) {
      ClassLoader l = c.getClassLoader();
      if ((l == null || l == platform) && names.contains(c.getName())) {
        try {
          inst.retransformClasses(c);
        } catch (Throwable t) {
          LOG.once(AgentLog.Level.WARN, "retransform:" + c.getName(),
              "could not instrument " + c.getName() + " (it runs unchanged): " + t);
        }
      }
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
