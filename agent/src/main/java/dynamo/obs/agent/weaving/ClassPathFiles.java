package dynamo.obs.agent.weaving;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Class files of super types, read while a class is transformed ({@link HierarchyWeaves}). A loader's
 * {@code getResourceAsStream} asks its parents first (the runtime image's lookups), then makes a URL and a
 * {@code JarURLConnection} per jar it tries: a few thousand such lookups at an application's start made the JVM's
 * jar lookup hot enough for C2 (~0.2 s of compile time on Javalin). For the application class loader — the class
 * path of {@code java.class.path}, the launcher's wildcards already expanded — the class path's jars and directories
 * are read directly, the package's last jar first, then in class-path order (a jar opened again shares the JVM's
 * open one; a type two jars have is read from the package's jar, enough for its super types); a type of the runtime
 * image's packages, or one none of them has (a jar of a {@code Class-Path} manifest, one appended later), is asked
 * of the loader as before. Thread-safe.
 */
final class ClassPathFiles {
  private static volatile ClassPathFiles system;

  /** The packages of the runtime image's modules (their types are the boot and platform loaders'). */
  private final Set<String> jdkPackages;
  private final List<Entry> entries;
  /** Per package, the entry its last type was found in. */
  private final Map<String, Entry> lastOfPackage = new ConcurrentHashMap<>();

  private ClassPathFiles(Set<String> jdkPackages, List<Entry> entries) {
    this.jdkPackages = jdkPackages;
    this.entries = entries;
  }

  /** The class file of binary type {@code name} as {@code loader} would find it, or null when it has none. */
  static byte[] read(ClassLoader loader, String name) throws IOException {
    String path = name.replace('.', '/') + ".class";
    if (loader == ClassLoader.getSystemClassLoader()) {
      byte[] b = system().find(name, path);
      if (b != null) {
        return b;
      }
    }
    try (InputStream in = loader.getResourceAsStream(path)) {
      return in == null ? null : in.readAllBytes();
    }
  }

  private static ClassPathFiles system() {
    ClassPathFiles s = system;
    if (s == null) {
      synchronized (ClassPathFiles.class) {
        s = system;
        if (s == null) {
          s = of(System.getProperty("java.class.path", ""));
          system = s;
        }
      }
    }
    return s;
  }

  static ClassPathFiles of(String classPath) {
    Set<String> jdk = new HashSet<>();
    for (Module m : ModuleLayer.boot().modules()) {
      jdk.addAll(m.getPackages());
    }
    List<Entry> entries = new ArrayList<>();
    for (String p : classPath.split(File.pathSeparator)) {
      if (p.isEmpty()) {
        continue;
      }
      File f = new File(p);
      if (f.isDirectory()) {
        entries.add(new Entry(f.toPath(), null));
      } else if (f.isFile()) {
        entries.add(new Entry(null, f));
      }
    }
    return new ClassPathFiles(Set.copyOf(jdk), List.copyOf(entries));
  }

  /**
   * The class file from the class path, or null: a runtime-image type, or none of its entries has it. The entry
   * that had the package's last type is tried first (a package lies in one jar, bar a split one), so that a lookup
   * opens one jar, not every jar before it.
   */
  byte[] find(String name, String path) throws IOException {
    int dot = name.lastIndexOf('.');
    if (dot < 0) {
      return null;
    }
    String pkg = name.substring(0, dot);
    if (jdkPackages.contains(pkg)) {
      return null;
    }
    Entry hint = lastOfPackage.get(pkg);
    if (hint != null) {
      byte[] b = hint.read(path);
      if (b != null) {
        return b;
      }
    }
    for (Entry e : entries) {
      if (e != hint) {
        byte[] b = e.read(path);
        if (b != null) {
          lastOfPackage.put(pkg, e);
          return b;
        }
      }
    }
    return null;
  }

  /** A directory or a jar of the class path; a jar is opened when first read (the JVM's open one is shared). */
  private static final class Entry {
    private final Path dir;
    private final File jarFile;
    private volatile ZipFile jar;
    private volatile boolean unreadable;

    Entry(Path dir, File jarFile) {
      this.dir = dir;
      this.jarFile = jarFile;
    }

    byte[] read(String path) throws IOException {
      if (dir != null) {
        Path file = dir.resolve(path);
        return Files.isRegularFile(file) ? Files.readAllBytes(file) : null;
      }
      ZipFile z = jar();
      ZipEntry e = z == null ? null : z.getEntry(path);
      if (e == null) {
        return null;
      }
      try (InputStream in = z.getInputStream(e)) {
        return in.readAllBytes();
      }
    }

    private ZipFile jar() {
      ZipFile z = jar;
      if (z == null && !unreadable) {
        synchronized (this) {
          z = jar;
          if (z == null && !unreadable) {
            try {
              z = new ZipFile(jarFile);
              jar = z;
            } catch (IOException | RuntimeException notAJar) {
              unreadable = true; // the loader cannot read it either
            }
          }
        }
      }
      return z;
    }
  }
}
