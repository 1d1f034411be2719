package dynamo.obs.agent.weaving;

import dynamo.obs.agent.console.AgentLog;
import dynamo.obs.bootstrap.Handler;

/**
 * The code of a target that reads a library's objects, one instance per copy of the library: a {@link Handler}
 * subclass of the agent's, compiled against the library and {@linkplain LibraryClasses defined} in the class loader
 * of the library's {@code anchor} class, where it names the library's types as the library's own code does. The
 * library's classes, woven by the agent's own weaver ({@link InstrumentationModule#libraryWeaves}), hand their
 * objects to the target's handler in the agent, which passes them on to {@link #of} the object: no reflection on the
 * request path, and Byte Buddy is not needed for classes known by name.
 *
 * <p>Each copy is found once per class of the objects given (a {@link ClassValue}), and kept with the library's
 * classes, so that a web application's loader can still be collected. When the anchor class cannot be seen from an
 * object's class, or the code cannot be defined (said once), its events are passed over.
 */
public final class LibraryHandlers {
  private static final AgentLog LOG = AgentLog.forTarget("dynamo_obs.instrumentation");
  private static final Handler NONE = new Handler();

  private final String anchor;
  private final String code;
  private final int target;

  /** Per class of an object given: the copy for its loader's library. */
  private final ClassValue<Handler> byClass = new ClassValue<>() {
    @Override
    protected Handler computeValue(Class<?> type) {
      try {
        return byAnchor.get(Class.forName(anchor, false, type.getClassLoader()));
      } catch (ClassNotFoundException | LinkageError e) {
        return NONE; // an object of a loader that does not see the library (a client's, another protocol's)
      }
    }
  };

  /** Per anchor class: the code defined in its loader. */
  private final ClassValue<Handler> byAnchor = new ClassValue<>() {
    @Override
    protected Handler computeValue(Class<?> type) {
      try {
        Class<?> c = LibraryClasses.define(type.getClassLoader(), code, LibraryClasses.bytes(code));
        return (Handler) c.getConstructor(int.class).newInstance(target);
      } catch (Exception | LinkageError e) {
        LOG.once(AgentLog.Level.WARN, "library-code:" + code, "could not define " + code + " beside "
            + type.getName() + " (" + type.getClassLoader() + "): what " + Instrumentations.name(target)
            + " does there is off: " + e);
        return NONE;
      }
    }
  };

  /**
   * @param anchor a class of the library, by binary name, in whose loader the code is defined
   * @param code the agent's class (a {@link Handler} subclass with a public {@code (int target)} constructor), by
   *     binary name; it refers only to the library, the JDK and the bootstrap API
   * @param target the target's number, given to the code's constructor
   */
  public LibraryHandlers(String anchor, String code, int target) {
    this.anchor = anchor;
    this.code = code;
    this.target = target;
  }

  /** The code for the library that {@code object}'s class sees. */
  public Handler of(Object object) {
    return byClass.get(object.getClass());
  }
}
