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
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;

/**
 * Which of the modules' super-type sets ({@link InstrumentationModule.TypeAdvice#subtypesOf}) each type belongs to,
 * kept per class loader by type name. A hierarchy matcher is asked about every class of a loader that sees the
 * servlet API or Log4j — ten thousand on Spring Boot. Byte Buddy's, with a fresh type pool per class, parsed the
 * class and the class files of all its super types again for every class and every set: most of the agent's
 * start-up CPU, and more for the JIT. Here a type's answer, for all sets at once, is its own name's sets and its
 * direct super types' answers, read from the class file's header only (constant pool, super class, interfaces),
 * and each type's answer is kept: each class file is read at most once per loader.
 */
final class SuperTypeIndex {
  /** Kept with a type's bits: it is an interface. */
  private static final long INTERFACE = Long.MIN_VALUE;
  /** Deeper than any real hierarchy: a malformed one (a cycle) is no match. */
  private static final int MAX_DEPTH = 200;

  /** Per type name, the bits of the sets that name it. */
  private final Map<String, Long> ownBits = new HashMap<>();
  private int sets;
  /** Per loader, per type name: the bits of the sets it belongs to. */
  private final Map<ClassLoader, Map<String, Long>> byLoader = Collections.synchronizedMap(new WeakHashMap<>());
  /** The class files of the transformation under way on this thread (its class's, then its loader's). */
  private final ThreadLocal<ClassFileLocator> current = new ThreadLocal<>();

  /** Whether this index can take one more set. */
  boolean full() {
    return sets == Long.SIZE - 1;
  }

  /**
   * The matcher of the classes (not interfaces) that extend or implement one of {@code names}, in loaders that
   * {@code loaders} accepts, of the types {@code first} accepts (asked before the hierarchy is read).
   */
  AgentBuilder.RawMatcher subtypesOf(Set<String> names, ElementMatcher<? super TypeDescription> first,
      ElementMatcher<? super ClassLoader> loaders) {
    if (full()) {
      throw new IllegalStateException("more than " + (Long.SIZE - 1) + " super-type sets");
    }
    long bit = 1L << sets++;
    for (String n : names) {
      ownBits.merge(n, bit, (a, b) -> a | b);
    }
    return (type, loader, module, classBeingRedefined, protectionDomain) -> {
      if (loader == null || !loaders.matches(loader) || !first.matches(type)) {
        return false;
      }
      ClassFileLocator files = current.get();
      long bits = bits(type.getName(), files != null ? files : ClassFileLocator.ForClassLoader.of(loader),
          known(loader), 0);
      return (bits & INTERFACE) == 0 && (bits & bit) != 0;
    };
  }

  /** Byte Buddy's pool strategy, which also keeps each transformation's class files for the matchers. */
  AgentBuilder.PoolStrategy recordingClassFiles(AgentBuilder.PoolStrategy pools) {
    return new AgentBuilder.PoolStrategy() {
      @Override
      public TypePool typePool(ClassFileLocator locator, ClassLoader loader) {
        current.set(locator);
        return pools.typePool(locator, loader);
      }

      @Override
      public TypePool typePool(ClassFileLocator locator, ClassLoader loader, String name) {
        current.set(locator);
        return pools.typePool(locator, loader, name);
      }
    };
  }

  /** The transformation on this thread is over: its class files (and loader) are not kept. */
  void transformationDone() {
    current.remove();
  }

  private Map<String, Long> known(ClassLoader loader) {
    return byLoader.computeIfAbsent(loader, l -> new ConcurrentHashMap<>());
  }

  /**
   * The sets type {@code name} belongs to (0 when its class file cannot be read: a type its loader lacks, as Spring's
   * servlet filters in a WebFlux application, belongs to none); {@code matched}: the type asked about, which matches
   * only if it is a class.
   */
  /**
   * The sets type {@code name} belongs to, with {@link #INTERFACE} for an interface; 0 when its class file cannot be
   * read (a type its loader lacks, as Spring's servlet filters in a WebFlux application: no match, as Byte Buddy's
   * fail-safe matcher said).
   */
  private long bits(String name, ClassFileLocator files, Map<String, Long> known, int depth) {
    Long k = known.get(name);
    if (k != null) {
      return k;
    }
    long bits = 0;
    try {
      ClassFileLocator.Resolution r = depth < MAX_DEPTH ? files.locate(name) : null;
      if (r != null && r.isResolved()) {
        Header h = new Header(r.resolve());
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
