package dynamo.obs.agent.targets.otelapi;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * The bridge's classes ({@code dynamo.obs.otelapi.bridge}) defined in the class
 * loader of an application's OpenTelemetry API. They are stored in the agent jar as {@code .bridgeclass}
 * files, as compiled (not relocated: they implement the application's interfaces), and defined with the
 * JDK's internal {@code Unsafe}, which the agent's start opened to it (see {@code BootstrapInjector}):
 * they belong to a package of their own, which no lookup of the application's could define into.
 */
final class ApplicationClasses {
  static final String PACKAGE = "dynamo.obs.otelapi.bridge.";
  /** Every class of the bridge; each refers only to the others, the API and the bootstrap API. */
  private static final String[] NAMES = {"ApplicationScope", "ApplicationSpan", "ApplicationSpanBuilder",
      "ApplicationTracer", "ApplicationTracerProvider", "ApplicationOpenTelemetry", "ApplicationContextStorage"};

  private ApplicationClasses() {
  }

  /** Defines the bridge in {@code loader} (classes already there are kept) and returns the named class. */
  static Class<?> define(ClassLoader loader, String simpleName) throws Exception {
    Object unsafe = null;
    Method define = null;
    for (String n : NAMES) {
      String name = PACKAGE + n;
      if (loaded(name, loader)) {
        continue;
      }
      if (unsafe == null) {
        Class<?> u = Class.forName("jdk.internal.misc.Unsafe");
        unsafe = u.getMethod("getUnsafe").invoke(null);
        define = u.getMethod("defineClass", String.class, byte[].class, int.class, int.class, ClassLoader.class,
            java.security.ProtectionDomain.class);
      }
      byte[] bytes = bytes(n);
      try {
        define.invoke(unsafe, name, bytes, 0, bytes.length, loader, null);
      } catch (InvocationTargetException e) {
        if (!(e.getCause() instanceof LinkageError) || !loaded(name, loader)) {
          throw e; // a LinkageError for a class defined meanwhile is a race lost, not a failure
        }
      }
    }
    return Class.forName(PACKAGE + simpleName, true, loader);
  }

  private static boolean loaded(String name, ClassLoader loader) {
    try {
      Class<?> c = Class.forName(name, false, loader);
      return c.getClassLoader() == loader;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private static byte[] bytes(String simpleName) throws IOException {
    String path = PACKAGE.replace('.', '/') + simpleName;
    ClassLoader own = ApplicationClasses.class.getClassLoader();
    InputStream in = own.getResourceAsStream(path + ".bridgeclass");
    if (in == null) {
      in = own.getResourceAsStream(path + ".class"); // not from the agent jar: the build's classes
    }
    if (in == null) {
      throw new IOException("the agent has no " + path);
    }
    try (InputStream i = in) {
      return i.readAllBytes();
    }
  }
}
