package dynamo.obs.agent.premain;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Loads the agent runtime and its relocated dependencies from the jar's {@code inst/} entries,
 * stored as {@code .classdata} so that no application class loader, classpath scanner or
 * {@code ServiceLoader} of the application can see them. Parent: the platform class loader, so
 * the JDK and the bootstrap API are visible and nothing of the application is.
 */
final class AgentClassLoader extends ClassLoader implements ClassDataIndex.Definer {
  private static final String PREFIX = "inst/";
  private static final String BOOTSTRAP_PACKAGE = "dynamo.obs.bootstrap.";
  private static final String OWN_PACKAGES = "dynamo.obs.";

  static {
    registerAsParallelCapable();
  }

  private final JarFile jar;
  /** Class bytes straight from the jar file; null when it cannot be read that way. */
  private final ClassDataIndex index;
  private final String jarUrl;
  private final ProtectionDomain domain;
  /** Only for the command line, which weaves nothing: the bootstrap API is then defined here, as any class. */
  private final boolean definesBootstrapApi;

  AgentClassLoader(JarFile jar, File file) throws MalformedURLException {
    this(jar, file, false);
  }

  AgentClassLoader(JarFile jar, File file, boolean definesBootstrapApi) throws MalformedURLException {
    super("dynamo-obs", ClassLoader.getPlatformClassLoader());
    this.definesBootstrapApi = definesBootstrapApi;
    this.jar = jar;
    this.index = ClassDataIndex.open(file);
    URL location = file.toURI().toURL();
    this.jarUrl = "jar:" + location.toExternalForm() + "!/";
    this.domain = new ProtectionDomain(new CodeSource(location, (Certificate[]) null), null, this, null);
  }

  /**
   * The agent's own packages are looked up here first: asking the platform and bootstrap loaders
   * for each of them would only build and throw away a ClassNotFoundException per class.
   */
  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (!name.startsWith(OWN_PACKAGES) || name.startsWith(BOOTSTRAP_PACKAGE)) {
      return super.loadClass(name, resolve);
    }
    synchronized (getClassLoadingLock(name)) {
      Class<?> c = findLoadedClass(name);
      if (c == null) {
        c = findClass(name);
      }
      if (resolve) {
        resolveClass(c);
      }
      return c;
    }
  }

  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    if (name.startsWith(BOOTSTRAP_PACKAGE) && !definesBootstrapApi) {
      // Only ever the bootstrap loader's copy (see BootstrapInjector): a second copy here would
      // split the hand-off between woven code and the runtime.
      throw new ClassNotFoundException(name + " is not defined in the bootstrap class loader yet");
    }
    definePackageOf(name);
    if (index != null) {
      try {
        Class<?> c = index.define(name, this);
        if (c != null) {
          return c;
        }
      } catch (IOException e) {
        // read it through JarFile below
      }
    }
    JarEntry entry = jar.getJarEntry(PREFIX + name.replace('.', '/') + ".classdata");
    if (entry == null) {
      throw new ClassNotFoundException(name);
    }
    byte[] bytes;
    try (InputStream in = jar.getInputStream(entry)) {
      // the exact size: readAllBytes would allocate and copy chunks, for each of ~1,500 classes
      long size = entry.getSize();
      bytes = size >= 0 ? in.readNBytes((int) size) : in.readAllBytes();
    } catch (IOException e) {
      throw new ClassNotFoundException(name, e);
    }
    return defineClass(name, bytes, 0, bytes.length, domain);
  }

  /** Defines a class whose bytes {@link ClassDataIndex} read. */
  @Override
  public Class<?> define(String name, byte[] bytes, int length) {
    return defineClass(name, bytes, 0, length, domain);
  }

  private void definePackageOf(String name) {
    int dot = name.lastIndexOf('.');
    if (dot > 0) {
      String pkg = name.substring(0, dot);
      if (getDefinedPackage(pkg) == null) {
        try {
          definePackage(pkg, null, null, null, null, null, null, null);
        } catch (IllegalArgumentException raced) {
          // defined concurrently
        }
      }
    }
  }

  /** Class files are asked for as {@code x/Y.class} (Byte Buddy reads advice this way). */
  @Override
  protected URL findResource(String name) {
    String entry = name.endsWith(".class")
        ? PREFIX + name.substring(0, name.length() - ".class".length()) + ".classdata"
        : PREFIX + name;
    if (jar.getJarEntry(entry) == null) {
      return null;
    }
    try {
      return new URL(jarUrl + entry);
    } catch (MalformedURLException e) {
      return null;
    }
  }

  @Override
  protected Enumeration<URL> findResources(String name) {
    URL url = findResource(name);
    return url == null ? Collections.emptyEnumeration() : Collections.enumeration(Collections.singletonList(url));
  }
}
