package dynamo.obs.agent.premain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.File;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jar reader of the agent's class loader, against jars written by java.util.zip. */
class ClassDataIndexTest {
  @TempDir
  Path dir;

  private static byte[] content(int size, long seed) {
    byte[] b = new byte[size];
    Random r = new Random(seed);
    for (int i = 0; i < size; i++) {
      b[i] = (byte) "abcdefgh".charAt(r.nextInt(8)); // compressible, like class files
    }
    return b;
  }

  private File jar(boolean stored, String... names) throws Exception {
    File f = dir.resolve("t" + stored + ".jar").toFile();
    try (ZipOutputStream z = new ZipOutputStream(new FileOutputStream(f))) {
      z.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
      z.write("Manifest-Version: 1.0\n".getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < names.length; i++) {
        byte[] data = content(100 + i * 7919 % 70_000, i);
        ZipEntry e = new ZipEntry(names[i]);
        if (stored) {
          e.setMethod(ZipEntry.STORED);
          e.setSize(data.length);
          CRC32 crc = new CRC32();
          crc.update(data);
          e.setCrc(crc.getValue());
        }
        z.putNextEntry(e);
        z.write(data);
      }
    }
    return f;
  }

  private static byte[] read(ClassDataIndex index, String name) throws Exception {
    AtomicReference<byte[]> got = new AtomicReference<>();
    Class<?> c = index.define(name, (n, bytes, len) -> {
      got.set(Arrays.copyOf(bytes, len));
      return String.class; // any class: the definer's answer is passed through
    });
    return c == null ? null : got.get();
  }

  @Test
  void readsDeflatedAndStoredEntriesByBinaryName() throws Exception {
    String[] names = new String[300];
    for (int i = 0; i < names.length; i++) {
      names[i] = "inst/dynamo/obs/shaded/p" + (i % 7) + "/C" + i + "$Inner.classdata";
    }
    for (boolean stored : new boolean[]{false, true}) {
      try (ClassDataIndex index = ClassDataIndex.open(jar(stored, names))) {
        assertNotNull(index);
        for (int i = names.length - 1; i >= 0; i--) { // the buffers grow and shrink between reads
          String binary = "dynamo.obs.shaded.p" + (i % 7) + ".C" + i + "$Inner";
          assertArrayEquals(content(100 + i * 7919 % 70_000, i), read(index, binary), binary);
        }
        assertNull(read(index, "dynamo.obs.shaded.p0.Missing"));
        assertNull(read(index, "dynamo.obs.shaded.p0.C\u00e9"), "non-ASCII names are left to JarFile");
      }
    }
  }

  @Test
  void aFileThatIsNoZipGivesNoIndex() throws Exception {
    File f = dir.resolve("not.jar").toFile();
    java.nio.file.Files.write(f.toPath(), content(5000, 1));
    assertNull(ClassDataIndex.open(f));
  }

  @Test
  void aClassDefinedWhileAnotherIsBeingDefinedGetsItsOwnBuffer() throws Exception {
    try (ClassDataIndex index = ClassDataIndex.open(jar(false, "inst/a/A.classdata", "inst/a/B.classdata"))) {
      byte[][] seen = new byte[2][];
      index.define("a.A", (n, outer, len) -> {
        byte[] before = Arrays.copyOf(outer, len);
        try {
          seen[1] = read(index, "a.B"); // a super type loaded during the definition
        } catch (Exception e) {
          throw new AssertionError(e);
        }
        seen[0] = Arrays.copyOf(outer, len);
        assertArrayEquals(before, seen[0], "the outer class's bytes stay as they were");
        return String.class;
      });
      assertArrayEquals(content(100 + 7919 % 70_000, 1), seen[1]);
    }
  }
}
