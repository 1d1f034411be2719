package dynamo.obs.it.apps;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Starts another application's main in a child-first class loader of its own, as a fat-jar
 * launcher or a plugin host does: the libraries in the given folder (and the test applications)
 * are visible to that loader only, never to the application class loader.
 *
 * <p>Usage: {@code NestedLoaderApp <main class> <folder of jars> <go file> [args…]}: the other
 * application starts once {@code <go file>} exists (so a test can let the agent finish starting first).
 */
public final class NestedLoaderApp {
  private NestedLoaderApp() {
  }

  public static void main(String[] args) throws Exception {
    List<URL> urls = new ArrayList<>();
    urls.add(NestedLoaderApp.class.getProtectionDomain().getCodeSource().getLocation());
    try (DirectoryStream<Path> jars = Files.newDirectoryStream(Paths.get(args[1]), "*.jar")) {
      for (Path jar : jars) {
        urls.add(jar.toUri().toURL());
      }
    }
    Path go = Paths.get(args[2]);
    while (!Files.exists(go)) {
      Thread.sleep(20);
    }
    ClassLoader nested = new ChildFirst(urls.toArray(new URL[0]), NestedLoaderApp.class.getClassLoader());
    Thread.currentThread().setContextClassLoader(nested);
    Class.forName(args[0], true, nested).getMethod("main", String[].class)
        .invoke(null, (Object) Arrays.copyOfRange(args, 3, args.length));
  }

  private static final class ChildFirst extends URLClassLoader {
    ChildFirst(URL[] urls, ClassLoader parent) {
      super(urls, parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (name.startsWith("java.") || name.startsWith("jdk.") || name.startsWith("sun.")
          || name.startsWith("com.sun.")) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> c = findLoadedClass(name);
        if (c == null) {
          try {
            c = findClass(name);
          } catch (ClassNotFoundException e) {
            return super.loadClass(name, resolve);
          }
        }
        if (resolve) {
          resolveClass(c);
        }
        return c;
      }
    }
  }
}
