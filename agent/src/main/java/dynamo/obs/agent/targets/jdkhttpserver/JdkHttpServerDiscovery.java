package dynamo.obs.agent.targets.jdkhttpserver;

import dynamo.obs.agent.weaving.Instrumentations;
import dynamo.obs.bootstrap.Dispatch;
import com.sun.net.httpserver.HttpContext;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Servers the application created before the advice was installed (the agent installs it off the
 * main thread, so a fast application usually gets there first). They are found through their
 * dispatcher threads and reported to the runtime as if the advice had seen them being built.
 * Every step is reflective and optional: on a JDK whose internals differ, nothing is reported
 * and servers created from now on are still seen by the advice.
 */
final class JdkHttpServerDiscovery {
  private static final String DISPATCHER_THREAD = "HTTP-Dispatcher";
  private static final String DISPATCHER_CLASS = "sun.net.httpserver.ServerImpl$Dispatcher";

  private JdkHttpServerDiscovery() {
  }

  static void reportRunningServers(Instrumentation inst) {
    try {
      List<Object> servers = new ArrayList<>();
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (!DISPATCHER_THREAD.equals(t.getName())) {
          continue;
        }
        if (servers.isEmpty()) {
          openInternals(inst);
        }
        Object task = runnableOf(t);
        if (task != null && task.getClass().getName().equals(DISPATCHER_CLASS)) {
          servers.add(field(task, "this$0"));
        }
      }
      for (Object server : servers) {
        report(server);
      }
    } catch (Throwable t) {
      Dispatch.failed(t, Instrumentations.number(JdkHttpServerInstrumentation.NAME));
    }
  }

  private static void report(Object server) throws Exception {
    Object contextList = field(server, "contexts");
    List<String> paths = new ArrayList<>();
    synchronized (contextList) {
      for (Object ctx : (Iterable<?>) field(contextList, "list")) {
        paths.add(((HttpContext) ctx).getPath());
      }
    }
    int target = Instrumentations.number(JdkHttpServerInstrumentation.NAME);
    for (String path : paths) {
      Dispatch.on(server, path, null, null, target, JdkHttpServerInstrumentation.CONTEXT_CREATED);
    }
    if (Boolean.TRUE.equals(field(server, "started"))) {
      Dispatch.on(server, field(server, "wrapper"), null, null, target, JdkHttpServerInstrumentation.STARTED);
    }
  }

  /** JDK 17-20: {@code Thread.target}; JDK 21+: {@code Thread.holder.task}. */
  private static Object runnableOf(Thread t) throws Exception {
    Field holder = findField(Thread.class, "holder");
    if (holder != null) {
      holder.setAccessible(true);
      Object h = holder.get(t);
      return h == null ? null : field(h, "task");
    }
    Field target = findField(Thread.class, "target");
    if (target == null) {
      return null;
    }
    target.setAccessible(true);
    return target.get(t);
  }

  /** Opens the two internal packages read here to the agent's module, and to nobody else. */
  private static void openInternals(Instrumentation inst) throws Exception {
    Module agent = JdkHttpServerDiscovery.class.getModule();
    Module base = Thread.class.getModule();
    inst.redefineModule(base, Set.of(), Map.of(), Map.of("java.lang", Set.of(agent)), Set.of(), Map.of());
    openServerPackage(inst);
  }

  /** Opens the server's implementation package to the agent's module, and to nobody else. */
  static void openServerPackage(Instrumentation inst) {
    try {
      Module agent = JdkHttpServerDiscovery.class.getModule();
      // found by name: loading HttpServer here would tell HttpStacks that the application loaded the JDK's server
      Module http = ModuleLayer.boot().findModule("jdk.httpserver").orElse(null);
      if (http == null) {
        return; // a runtime image without the JDK's server: nothing of it to open
      }
      inst.redefineModule(http, Set.of(), Map.of(), Map.of("sun.net.httpserver", Set.of(agent)), Set.of(), Map.of());
    } catch (Throwable t) {
      Dispatch.failed(t, Instrumentations.number(JdkHttpServerInstrumentation.NAME));
    }
  }

  private static Object field(Object owner, String name) throws Exception {
    Field f = findField(owner.getClass(), name);
    if (f == null) {
      throw new NoSuchFieldException(owner.getClass().getName() + "." + name);
    }
    f.setAccessible(true);
    return f.get(owner);
  }

  private static Field findField(Class<?> type, String name) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      try {
        return c.getDeclaredField(name);
      } catch (NoSuchFieldException e) {
        // try the superclass
      }
    }
    return null;
  }
}
