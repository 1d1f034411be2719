package dynamo.obs.agent.weaving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Super types' class files read straight from the class path find what the application class loader finds. */
class ClassPathFilesTest {
  private static final byte[] IN_DIR = {1, 2, 3};
  private static final byte[] IN_JAR = {4, 5, 6};
  private static final byte[] ONLY_IN_JAR = {7, 8};

  @TempDir
  Path tmp;

  /** A directory and a jar that both have {@code a.A} (the first on the path wins) and a jar with {@code b.B}. */
  private String classPath() throws IOException {
    Path dir = tmp.resolve("classes");
    Files.createDirectories(dir.resolve("a"));
    Files.write(dir.resolve("a/A.class"), IN_DIR);
    Path jar = tmp.resolve("lib.jar");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(jar))) {
      put(z, "a/A.class", IN_JAR);
      put(z, "b/B.class", ONLY_IN_JAR);
    }
    Files.write(tmp.resolve("not-a-jar.jar"), new byte[]{9, 9, 9});
    return String.join(File.pathSeparator, tmp.resolve("missing.jar").toString(),
        tmp.resolve("not-a-jar.jar").toString(),
        dir.toString(), "", jar.toString());
  }

  private static void put(ZipOutputStream z, String name, byte[] bytes) throws IOException {
    z.putNextEntry(new ZipEntry(name));
    z.write(bytes);
    z.closeEntry();
  }

  @Test
  void readsTheFirstEntryOfTheClassPathThatHasTheType() throws IOException {
    ClassPathFiles files = ClassPathFiles.of(classPath());
    assertArrayEquals(IN_DIR, files.find("a.A", "a/A.class"));
    assertArrayEquals(ONLY_IN_JAR, files.find("b.B", "b/B.class"));
    assertNull(files.find("c.C", "c/C.class"), "a type no entry has is left to the loader");
  }

  @Test
  void leavesTheRuntimeImagesTypesToTheLoader() throws IOException {
    Path dir = tmp.resolve("shadow");
    Files.createDirectories(dir.resolve("java/lang"));
    Files.write(dir.resolve("java/lang/Object.class"), IN_DIR);
    ClassPathFiles files = ClassPathFiles.of(dir.toString());
    assertNull(files.find("java.lang.Object", "java/lang/Object.class"));
    assertNull(files.find("Unnamed", "Unnamed.class"), "a type of the unnamed package is the loader's to find");
  }

  @Test
  void anyLoaderIsAnsweredAsItsResourcesSay() throws IOException {
    String cp = classPath();
    try (URLClassLoader loader = new URLClassLoader(urls(cp), null)) {
      assertArrayEquals(IN_DIR, ClassPathFiles.read(loader, "a.A"));
      assertArrayEquals(ONLY_IN_JAR, ClassPathFiles.read(loader, "b.B"));
      assertNull(ClassPathFiles.read(loader, "c.C"));
    }
    ClassLoader app = ClassLoader.getSystemClassLoader();
    String own = ClassPathFilesTest.class.getName();
    try (InputStream in = app.getResourceAsStream(own.replace('.', '/') + ".class")) {
      assertArrayEquals(in.readAllBytes(), ClassPathFiles.read(app, own), "the application loader's own class");
    }
    try (InputStream in = app.getResourceAsStream("java/lang/Object.class")) {
      assertArrayEquals(in.readAllBytes(), ClassPathFiles.read(app, "java.lang.Object"), "a JDK type, from the image");
    }
  }

  private static URL[] urls(String classPath) throws IOException {
    String[] parts = classPath.split(File.pathSeparator);
    List<URL> urls = new ArrayList<>();
    for (String p : parts) {
      if (!p.isEmpty() && new File(p).exists() && !p.endsWith("not-a-jar.jar")) {
        urls.add(new File(p).toURI().toURL());
      }
    }
    return urls.toArray(new URL[0]);
  }
}
