package dynamo.obs.agent.weaving;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;

/**
 * Classes of the agent's defined in an application's class loader, where they can name the types of the library that
 * loader holds (which the agent's own loader cannot see). They are defined with the JDK's internal {@code Unsafe},
 * which the agent's start opened to it ({@code BootstrapInjector}), so they may belong to a package of their own that
 * no lookup of the application's could define into. Their bytes are the agent jar's, as compiled.
 */
public final class LibraryClasses {
  private static final Object LOCK = new Object();
  private static Object unsafe;
  private static Method define;

  private LibraryClasses() {
  }

  /**
   * The class {@code name} of {@code loader}: defined there from {@code bytes} unless that loader has defined it
   * already (another target's, or a race lost to another thread, which is no failure); not initialized yet.
   */
  public static Class<?> define(ClassLoader loader, String name, byte[] bytes) throws Exception {
    if (!definedBy(name, loader)) {
      try {
        definer().invoke(unsafe, name, bytes, 0, bytes.length, loader, null);
      } catch (InvocationTargetException e) {
        if (!(e.getCause() instanceof LinkageError) || !definedBy(name, loader)) {
          throw e;
        }
      }
    }
    return Class.forName(name, false, loader);
  }

  /** Whether {@code loader} itself has defined the class {@code name}. */
  public static boolean definedBy(String name, ClassLoader loader) {
    try {
      return Class.forName(name, false, loader).getClassLoader() == loader;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * The bytes of the agent's class {@code name} (binary name), stored with the first of {@code suffixes} the agent jar
   * has for it ({@code .class} always last: the build's classes, outside the jar).
   */
  public static byte[] bytes(String name, String... suffixes) throws IOException {
    String path = name.replace('.', '/');
    ClassLoader own = LibraryClasses.class.getClassLoader();
    for (String suffix : suffixes) {
      InputStream in = own.getResourceAsStream(path + suffix);
      if (in != null) {
        try (InputStream i = in) {
          return i.readAllBytes();
        }
      }
    }
    try (InputStream in = own.getResourceAsStream(path + ".class")) {
      if (in == null) {
        throw new IOException("the agent has no " + path);
      }
      return in.readAllBytes();
    }
  }

  private static Method definer() throws ReflectiveOperationException {
    synchronized (LOCK) {
      if (define == null) {
        Class<?> u = Class.forName("jdk.internal.misc.Unsafe");
        unsafe = u.getMethod("getUnsafe").invoke(null);
        define = u.getMethod("defineClass", String.class, byte[].class, int.class, int.class, ClassLoader.class,
            ProtectionDomain.class);
      }
      return define;
    }
  }
}
