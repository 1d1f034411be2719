package dynamo.obs.agent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Defines the bootstrap API ({@code dynamo.obs.bootstrap.*}) in the bootstrap class loader, where
 * woven code in any class loader finds it.
 *
 * <p>Why not {@code Instrumentation.appendToBootstrapClassLoaderSearch}: appending to the boot
 * class path makes the JVM turn class data sharing off for every non-boot class ("Sharing is only
 * supported for boot loader classes because bootstrap classpath has been appended"), which slows
 * the application's start and prints a warning. Defining the few classes directly keeps CDS on.
 */
final class BootstrapInjector {
  static final String PACKAGE_ENTRY = "inst/dynamo/obs/bootstrap/";
  /** The build's list of the bootstrap API's class files (paths as in a class path, one a line). */
  static final String LIST_ENTRY = PACKAGE_ENTRY + "classes.list";

  private BootstrapInjector() {
  }

  static void inject(Instrumentation inst, JarFile jar) throws Exception {
    Module base = Object.class.getModule();
    Module self = BootstrapInjector.class.getModule();
    inst.redefineModule(base, Set.of(), Map.of("jdk.internal.misc", Set.of(self)), Map.of(), Set.of(), Map.of());
    Class<?> unsafeClass = Class.forName("jdk.internal.misc.Unsafe");
    Object unsafe = unsafeClass.getMethod("getUnsafe").invoke(null);
    Method define = unsafeClass.getMethod("defineClass", String.class, byte[].class, int.class, int.class,
        ClassLoader.class, java.security.ProtectionDomain.class);

    List<JarEntry> pending = listed(jar);
    // A class whose superclass is not defined yet fails to define; retry it after the others.
    for (int round = 0; !pending.isEmpty(); round++) {
      List<JarEntry> retry = new ArrayList<>();
      Throwable last = null;
      for (JarEntry entry : pending) {
        String name = entry.getName().substring("inst/".length(), entry.getName().length() - ".classdata".length())
            .replace('/', '.');
        if (alreadyDefined(name)) {
          continue; // a second agent start in the same JVM
        }
        byte[] bytes = read(jar, entry);
        try {
          define.invoke(unsafe, name, bytes, 0, bytes.length, null, null);
        } catch (InvocationTargetException ex) {
          if (ex.getCause() instanceof LinkageError) {
            retry.add(entry);
            last = ex.getCause();
          } else {
            throw ex;
          }
        }
      }
      if (retry.size() == pending.size() || round > 16) {
        throw new IllegalStateException("cannot define the bootstrap API: " + last, last);
      }
      pending = retry;
    }
  }

  /** The bootstrap classes' entries as the build listed them ({@link #LIST_ENTRY}: one class file name a line). */
  private static List<JarEntry> listed(JarFile jar) throws IOException {
    JarEntry list = jar.getJarEntry(LIST_ENTRY);
    if (list == null) {
      throw new IllegalStateException("the agent jar lacks " + LIST_ENTRY);
    }
    List<JarEntry> entries = new ArrayList<>();
    for (String line : new String(read(jar, list), StandardCharsets.UTF_8).split("\n")) {
      String file = line.trim();
      if (file.isEmpty()) {
        continue;
      }
      String name = "inst/" + file + "data"; // X.class is kept as X.classdata
      JarEntry entry = file.endsWith(".class") && name.startsWith(PACKAGE_ENTRY) ? jar.getJarEntry(name) : null;
      if (entry == null) {
        throw new IllegalStateException("the agent jar's " + LIST_ENTRY + " names a class it lacks: " + file);
      }
      entries.add(entry);
    }
    return entries;
  }

  private static boolean alreadyDefined(String name) {
    try {
      Class.forName(name, false, null);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private static byte[] read(JarFile jar, JarEntry entry) throws IOException {
    try (InputStream in = jar.getInputStream(entry)) {
      return in.readAllBytes();
    }
  }
}
