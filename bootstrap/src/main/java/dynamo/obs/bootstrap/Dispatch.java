package dynamo.obs.bootstrap;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.ObjIntConsumer;

/**
 * The one hand-off between woven code and the agent runtime, the same for every target and both weavers.
 *
 * <p>Woven code, inlined into classes of any class loader, can only see the bootstrap class loader's classes: it
 * calls one of the three static entries below with its values, its target's number (given by the weaver when it
 * weaves, in the order targets are registered) and the target's own event number — the numbers last, so that woven
 * code can pass a value already on its operand stack (a returned value, a throwable) first. The entry finds the target's {@link Handler} and
 * calls it; whatever it throws is caught here, counted against the target by the runtime's failure sink, and the
 * woven code gets back what it gave ({@link #replace}) or nothing. A new target adds a handler and numbers of its
 * own; nothing here changes.
 */
public final class Dispatch {
  /** More than the agent registers; a number beyond it is refused at registration. */
  public static final int MAX_TARGETS = 64;

  private static final Handler OFF = new Handler();
  private static final AtomicReferenceArray<Handler> HANDLERS = new AtomicReferenceArray<>(MAX_TARGETS);
  /** No lambdas here: this class is defined early, into the bootstrap loader, and should need nothing spun. */
  private static final ObjIntConsumer<Throwable> NOWHERE = new ObjIntConsumer<>() {
    @Override
    public void accept(Throwable t, int target) {
    }
  };
  private static volatile ObjIntConsumer<Throwable> failures = NOWHERE;

  static {
    for (int i = 0; i < MAX_TARGETS; i++) {
      HANDLERS.set(i, OFF);
    }
  }

  private Dispatch() {
  }

  /** Installs {@code handler} for {@code target}'s events (the runtime, once it is ready). */
  public static void install(int target, Handler handler) {
    HANDLERS.set(target, handler == null ? OFF : handler);
  }

  /** Whether {@code target}'s events reach a handler. */
  public static boolean installed(int target) {
    return HANDLERS.get(target) != OFF;
  }

  /**
   * Turns {@code target} off: its events do nothing from now on, and its handler is told so. True when it was on
   * (so only one caller of several racing ones turns it off).
   */
  public static boolean turnOff(int target) {
    Handler was = HANDLERS.getAndSet(target, OFF);
    if (was == OFF) {
      return false;
    }
    try {
      was.turnedOff();
    } catch (Throwable t) {
      failed(t, target);
    }
    return true;
  }

  /** Where a throwable caught in a target's woven code or handler goes: (throwable, target number). */
  public static void failures(ObjIntConsumer<Throwable> sink) {
    failures = sink == null ? NOWHERE : sink;
  }

  /** {@link Handler#on}; null when the handler failed. */
  public static Object on(Object a, Object b, Object c, Object d, int target, int event) {
    try {
      return HANDLERS.get(target).on(event, a, b, c, d);
    } catch (Throwable t) {
      failed(t, target);
      return null;
    }
  }

  /** {@link Handler#onData}. */
  public static void onData(Object a, Object data, int i, int j, Object b, int target, int event) {
    try {
      HANDLERS.get(target).onData(event, a, data, i, j, b);
    } catch (Throwable t) {
      failed(t, target);
    }
  }

  /** {@link Handler#replace}; {@code value} itself when the handler failed. */
  public static Object replace(Object value, Object a, Object b, int target, int event) {
    try {
      return HANDLERS.get(target).replace(event, value, a, b);
    } catch (Throwable t) {
      failed(t, target);
      return value;
    }
  }

  /**
   * A throwable caught in {@code target}'s woven code itself (the weavers' exception handlers call this) or in its
   * handler. Never throws.
   */
  public static void failed(Throwable error, int target) {
    try {
      failures.accept(error, target);
    } catch (Throwable ignored) {
      // nothing more can be done without risking the application's thread
    }
  }
}
