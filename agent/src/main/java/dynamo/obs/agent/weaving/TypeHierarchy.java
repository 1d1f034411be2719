package dynamo.obs.agent.weaving;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which of some sets of super types each type belongs to, kept per class loader by type name, read from class file
 * headers only (constant pool, super class, interfaces; no class loaded, no Byte Buddy): a type's answer, for all sets
 * at once, is its own name's sets and its direct super types' answers, and each is kept, so each class file is read at
 * most once per loader. Both weavers match hierarchies through it: Byte Buddy's ({@link SuperTypeIndex}) and the
 * agent's own ({@link JdkWeave#subtypes}).
 */
final class TypeHierarchy {
  /** Kept with a type's bits: it is an interface. */
  static final long INTERFACE = Long.MIN_VALUE;
  /** Deeper than any real hierarchy: a malformed one (a cycle) is no match. */
  private static final int MAX_DEPTH = 200;

  /** Where class files come from: the bytes of a type by binary name, or null when there is none. */
  interface ClassFiles {
    byte[] read(String name) throws IOException;
  }

  /** Per type name, the bits of the sets that name it. */
  private final Map<String, Long> ownBits = new HashMap<>();
  private int sets;
  /** Per loader, per type name: the bits of the sets it belongs to. */
  private final Map<ClassLoader, Map<String, Long>> byLoader = Collections.synchronizedMap(new WeakHashMap<>());

  /** Whether this index can take one more set. */
  boolean full() {
    return sets == Long.SIZE - 1;
  }

  /** A new set, of the types that extend or implement one of {@code names}: its bit. Before any type is asked of. */
  long add(Set<String> names) {
    if (full()) {
      throw new IllegalStateException("more than " + (Long.SIZE - 1) + " super-type sets");
    }
    long bit = 1L << sets++;
    for (String n : names) {
      ownBits.merge(n, bit, (a, b) -> a | b);
    }
    return bit;
  }

  /**
   * The sets type {@code name} of {@code loader} belongs to, with {@link #INTERFACE} for an interface; 0 when its
   * class file cannot be read (a type its loader lacks, as Spring's servlet filters in a WebFlux application: no
   * match, as Byte Buddy's fail-safe matcher says).
   */
  long bits(String name, ClassFiles files, ClassLoader loader) {
    return bits(name, files, byLoader.computeIfAbsent(loader, l -> new ConcurrentHashMap<>()), 0);
  }

  private long bits(String name, ClassFiles files, Map<String, Long> known, int depth) {
    Long k = known.get(name);
    if (k != null) {
      return k;
    }
    long bits = 0;
    try {
      byte[] file = depth < MAX_DEPTH ? files.read(name) : null;
      if (file != null) {
        Header h = new Header(file);
        bits = ownBits.getOrDefault(name, 0L);
        for (String s : h.superTypes) {
          bits |= bits(s, files, known, depth + 1) & ~INTERFACE;
        }
        if (h.isInterface) {
          bits |= INTERFACE;
        }
      }
    } catch (IOException | RuntimeException unreadable) {
      bits = 0;
    }
    known.put(name, bits);
    return bits;
  }

  /** A class file's header: whether it is an interface, and its direct super types (binary names). */
  static final class Header {
    final boolean isInterface;
    final String[] superTypes;

    Header(byte[] b) throws IOException {
      if (u4(b, 0) != 0xCAFEBABE) {
        throw new IOException("not a class file");
      }
      int count = u2(b, 8);
      int[] offsets = new int[count]; // of each constant's tag
      int p = 10;
      for (int i = 1; i < count; i++) {
        offsets[i] = p;
        switch (b[p]) {
          case 1 -> p += 3 + u2(b, p + 1); // Utf8
          case 3, 4, 9, 10, 11, 12, 17, 18 -> p += 5;
          case 5, 6 -> { // Long, Double: two entries
            p += 9;
            i++;
          }
          case 7, 8, 16, 19, 20 -> p += 3;
          case 15 -> p += 4;
          default -> throw new IOException("unknown constant pool tag " + b[p]);
        }
      }
      isInterface = (u2(b, p) & 0x0200) != 0;
      int superClass = u2(b, p + 4);
      int interfaces = u2(b, p + 6);
      superTypes = new String[(superClass == 0 ? 0 : 1) + interfaces];
      int n = 0;
      if (superClass != 0) {
        superTypes[n++] = className(b, offsets, superClass);
      }
      for (int i = 0; i < interfaces; i++) {
        superTypes[n++] = className(b, offsets, u2(b, p + 8 + 2 * i));
      }
    }

    private static String className(byte[] b, int[] offsets, int classIndex) throws IOException {
      int utf8 = offsets[u2(b, offsets[classIndex] + 1)];
      int length = u2(b, utf8 + 1);
      String internal;
      boolean ascii = true;
      for (int i = utf8 + 3; i < utf8 + 3 + length && ascii; i++) {
        ascii = b[i] >= 0;
      }
      if (ascii) {
        internal = new String(b, utf8 + 3, length, StandardCharsets.ISO_8859_1);
      } else { // modified UTF-8, as DataInput reads it (with its length before)
        internal = new DataInputStream(new ByteArrayInputStream(b, utf8 + 1, length + 2)).readUTF();
      }
      return internal.replace('/', '.');
    }

    private static int u2(byte[] b, int p) {
      return (b[p] & 0xFF) << 8 | b[p + 1] & 0xFF;
    }

    private static int u4(byte[] b, int p) {
      return u2(b, p) << 16 | u2(b, p + 2);
    }
  }
}
