package dynamo.obs.agent.targets.methods;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.named;

import dynamo.obs.agent.config.MethodList;
import dynamo.obs.agent.console.AgentLog;
import dynamo.obs.agent.metrics.AgentMetrics;
import dynamo.obs.agent.worker.WorkerRuntime;
import dynamo.obs.agent.weaving.InstrumentationInstaller;
import dynamo.obs.agent.weaving.InstrumentationModule;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDefinition;
import net.bytebuddy.description.type.TypeDescription;

/**
 * The user's method lists turned into instrumentation, and what weaving them tells us: a woven
 * worker class makes this process a worker (its endpoint is served) and names the token handler
 * interfaces its methods take, whose implementations are then woven too.
 */
public final class MethodSelection {
  private static final AgentLog LOG = AgentLog.forTarget("dynamo_obs.instrumentation");

  private final Map<String, Set<String>> router;
  private final Map<String, Set<String>> worker;
  private final WorkerRuntime runtime;
  private final Set<String> handlersWoven = ConcurrentHashMap.newKeySet();
  private final ExecutorService installer = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "dynamo-obs-handler-installer");
    t.setDaemon(true);
    return t;
  });
  private volatile Instrumentation inst;
  private volatile AgentMetrics metrics;

  public MethodSelection(MethodList routerMethods, MethodList workerMethods, boolean langChain4j,
      WorkerRuntime runtime) {
    this.router = asMap(routerMethods);
    this.worker = asMap(workerMethods);
    if (langChain4j && onClassPath(LangChain4jEngineCalls.WORKER_METHODS.keySet())) {
      LangChain4jEngineCalls.WORKER_METHODS
          .forEach((cls, methods) -> worker.computeIfAbsent(cls, k -> new LinkedHashSet<>(methods)));
    }
    this.runtime = runtime;
  }

  /**
   * Whether the application's class path has one of these classes. The built-in LangChain4j calls
   * are woven only then, so that other applications do not pay for matching them.
   */
  private static boolean onClassPath(Set<String> classNames) {
    ClassLoader app = ClassLoader.getSystemClassLoader();
    for (String c : classNames) {
      if (app.getResource(c.replace('.', '/') + ".class") != null) {
        return true;
      }
    }
    return false;
  }

  private static Map<String, Set<String>> asMap(MethodList list) {
    Map<String, Set<String>> m = new LinkedHashMap<>();
    for (MethodList.Target t : list.targets()) {
      m.computeIfAbsent(t.className(), k -> new LinkedHashSet<>()).addAll(t.methods());
      if (t.allMethods()) {
        m.get(t.className()).clear();
      }
    }
    return m;
  }

  public boolean isEmpty() {
    return router.isEmpty() && worker.isEmpty();
  }

  public InstrumentationModule module() {
    return new MethodsInstrumentation(router, worker);
  }

  public void installedWith(Instrumentation inst, AgentMetrics metrics) {
    this.inst = inst;
    this.metrics = metrics;
  }

  /** Called for every type Byte Buddy wove (a {@code TypeDescription}). */
  public void woven(Object woven) {
    TypeDescription type = (TypeDescription) woven;
    for (Map.Entry<String, Set<String>> e : worker.entrySet()) {
      if (hasSuperType(named(e.getKey())).matches(type)) {
        Set<String> params = parameterInterfaces(type, e.getValue());
        runtime.workerTypeWoven(params);
        weaveHandlers(params);
      }
    }
    for (String cls : router.keySet()) {
      if (hasSuperType(named(cls)).matches(type)) {
        runtime.routerTypeWoven();
      }
    }
  }

  private static Set<String> parameterInterfaces(TypeDescription type, Set<String> names) {
    Set<String> out = new LinkedHashSet<>();
    for (TypeDefinition t = type; t != null; t = t.getSuperClass()) {
      for (MethodDescription.InDefinedShape m : t.asErasure().getDeclaredMethods()) {
        if (m.isMethod() && (names.isEmpty() ? m.isPublic() : names.contains(m.getName()))) {
          for (TypeDescription p : m.getParameters().asTypeList().asErasures()) {
            if (p.isInterface()) {
              out.add(p.getName());
            }
          }
        }
      }
    }
    return out;
  }

  /** Weaves implementations of newly seen handler interfaces, off the class-loading thread. */
  private void weaveHandlers(Set<String> interfaces) {
    List<String> fresh = new ArrayList<>();
    for (String i : runtime.handlerInterfaces()) {
      if (interfaces.contains(i) && handlersWoven.add(i)) {
        fresh.add(i);
      }
    }
    if (fresh.isEmpty() || inst == null) {
      return;
    }
    installer.execute(() -> {
      try {
        InstrumentationInstaller.install(inst, List.of(new TokenHandlerInstrumentation(fresh)), metrics, t -> {
        });
        LOG.debug("token handlers woven: " + fresh);
      } catch (Throwable t) {
        LOG.warn("could not weave token handlers " + fresh + ": " + t);
      }
    });
  }
}
