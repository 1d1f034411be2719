package dynamo.obs.agent.weaving;

import dynamo.obs.agent.config.Config;
import dynamo.obs.agent.console.AgentLog;
import dynamo.obs.bootstrap.Dispatch;
import dynamo.obs.bootstrap.Handler;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The modules' {@linkplain InstrumentationModule#earlyWeaves early weaves}: classes of libraries known by name,
 * woven by the agent's own weaver from the premain on. What they report happens while the application starts — a
 * route registered, a server bound — often before the rest of the instrumentation is installed (Byte Buddy takes a
 * second or more), and never happens again. So their transformer is registered on the premain thread, before the
 * application's {@code main}, and their events are kept by a handler that holds them until the module's own handler
 * is made ({@link #install}), which then gets them in order and every later one directly.
 */
public final class EarlyWeaving {
  private static final AgentLog LOG = AgentLog.forTarget("dynamo_obs.instrumentation");
  /** Bound on the events kept for a module before its handler exists (a start-up registers a few hundred). */
  private static final int MAX_PENDING = 10_000;

  private final Map<String, Pending> pending = new HashMap<>();
  /** Classes woven before the count of instrumented types exists; after that each is told as it is woven. */
  private final List<Woven> wovenSoFar = new ArrayList<>();
  private BiConsumer<String, ClassLoader> wovenTo;

  private record Woven(String name, ClassLoader loader) {
  }

  private EarlyWeaving() {
  }

  /**
   * Registers the early weaves of the enabled modules (on the premain thread: cheap, no class is read here). A
   * failure is said once and leaves them off; the rest of the agent starts.
   */
  public static EarlyWeaving start(Instrumentation inst, Config config) {
    EarlyWeaving early = new EarlyWeaving();
    try {
      early.register(inst, config);
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("the start-up instrumentation (routes, servers) could not be registered; readiness then waits for"
          + " the first request: " + e);
    }
    return early;
  }

  private void register(Instrumentation inst, Config config) {
    List<JdkWeave> weaves = new ArrayList<>();
    for (InstrumentationModule m : Instrumentations.all()) {
      List<JdkWeave> own = m.earlyWeaves();
      if (own.isEmpty() || !config.instrumentationEnabled(m.name())) {
        continue;
      }
      int target = Instrumentations.number(m.name());
      Pending p = new Pending(target);
      pending.put(m.name(), p);
      Dispatch.install(target, p);
      for (JdkWeave w : own) {
        weaves.add(w.forTarget(target));
      }
    }
    if (!weaves.isEmpty()) {
      inst.addTransformer(JdkWeaver.forLibraries(inst, weaves, this::woven, EarlyWeaving::missing), true);
    }
  }

  /**
   * A weave found no method in its library's class: another version of the library than the ones the module
   * supports. Said once; what the module learns there is off.
   */
  static void missing(JdkWeave w) {
    LOG.once(AgentLog.Level.WARN, "missing:" + w.type() + "." + w.method() + w.descriptor(),
        w.type() + " has no method "
            + w.method() + w.descriptor() + "…: a version of it that " + Instrumentations.name(w.target())
            + " does not support (see java -jar dynamo-obs.jar instrumentations); what it learns there is off");
  }

  /**
   * Installs the handler made for module {@code name} (number {@code target}) in {@code Dispatch}: the events kept
   * so far are given to it first, in order, as {@code Dispatch} would (a failure is counted against the target, which
   * may turn it off: then it stays off), and every later one goes to it.
   */
  public void install(String name, int target, Handler handler) {
    Pending p = pending.get(name);
    if (p == null) {
      Dispatch.install(target, handler);
      return;
    }
    p.handOver(handler);
    if (Dispatch.installed(target)) { // not turned off by the errors of what was kept
      Dispatch.install(target, handler);
    }
  }

  private synchronized void woven(String name, ClassLoader loader) {
    if (wovenTo != null) {
      wovenTo.accept(name, loader);
    } else {
      wovenSoFar.add(new Woven(name, loader));
    }
  }

  /**
   * Tells {@code to} of every class woven so far, each with its loader, and of every class woven from now on (a
   * library's classes are woven as the application loads them, long after start), for the count of instrumented types.
   */
  public synchronized void reportWoven(BiConsumer<String, ClassLoader> to) {
    for (Woven w : wovenSoFar) {
      to.accept(w.name(), w.loader());
    }
    wovenSoFar.clear();
    wovenTo = to;
  }

  /** Keeps a module's events until its handler exists, then forwards them. */
  static final class Pending extends Handler {
    private record Event(int event, Object a, Object b, Object c, Object d) {
    }

    private final int target;
    private final List<Event> events = new ArrayList<>();
    private volatile Handler next;
    private boolean dropped;

    Pending(int target) {
      this.target = target;
    }

    @Override
    public Object on(int event, Object a, Object b, Object c, Object d) throws Throwable {
      Handler h = next;
      if (h == null) {
        synchronized (this) {
          h = next;
          if (h == null) {
            if (events.size() < MAX_PENDING) {
              events.add(new Event(event, a, b, c, d));
            } else {
              dropped = true;
            }
            return null;
          }
        }
      }
      return h.on(event, a, b, c, d);
    }

    /** Events of other threads wait meanwhile (on this lock), so that they come after the kept ones. */
    synchronized void handOver(Handler handler) {
      for (Event e : events) {
        if (!Dispatch.installed(target)) {
          break; // turned off by its errors
        }
        try {
          handler.on(e.event, e.a, e.b, e.c, e.d);
        } catch (Throwable t) {
          Dispatch.failed(t, target);
        }
      }
      if (dropped) {
        LOG.warn("more than " + MAX_PENDING + " start-up events before the agent was ready; the later ones were"
            + " not kept");
      }
      events.clear();
      next = handler;
    }

    @Override
    public void turnedOff() {
      Handler h = next;
      if (h != null) {
        h.turnedOff();
      }
    }
  }
}
