package dynamo.obs.bootstrap;

/**
 * The one hand-off between woven application code and the agent runtime.
 *
 * <p>Advice inlined into application (and JDK) classes can only see classes of the bootstrap class
 * loader, so it calls {@link #get()} and one of the methods below. The agent runtime, loaded by its
 * own isolated class loader, installs its implementation with {@link #install(Hooks)} once it is
 * ready; until then every call lands on the no-op base implementation. Every method here must be
 * cheap and must never throw: implementations catch everything themselves.
 */
public abstract class Hooks {

  private static final Hooks NOOP = new Hooks() {};

  private static volatile Hooks current = NOOP;

  protected Hooks() {}

  /** The active hooks; the no-op hooks until the agent runtime is ready. */
  public static Hooks get() {
    return current;
  }

  /** Called once by the agent runtime when it is ready to receive calls. */
  public static void install(Hooks hooks) {
    if (hooks != null) {
      current = hooks;
    }
  }

  // ---- JDK com.sun.net.httpserver --------------------------------------------------------------

  /** A context (route prefix) was created on a JDK HTTP server. */
  public void httpServerContextCreated(Object server, String path) {}

  /** A context was removed from a JDK HTTP server. */
  public void httpServerContextRemoved(Object server, String path) {}

  /** A JDK HTTP server started accepting connections. */
  public void httpServerStarted(Object server) {}

  /** A JDK HTTP server stopped. */
  public void httpServerStopped(Object server) {}

  // ---- the agent's own health ------------------------------------------------------------------

  /**
   * Advice caught a throwable of its own making. {@code site} names the instrumentation and place;
   * the runtime counts it and logs it at most once per site.
   */
  public void adviceError(String site, Throwable error) {}
}
