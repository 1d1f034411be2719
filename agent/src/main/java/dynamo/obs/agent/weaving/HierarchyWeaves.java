package dynamo.obs.agent.weaving;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The weaves of the agent's own weaver that go on every class extending or implementing a type
 * ({@link JdkWeave#subtypes}): which a class being loaded takes, from its class file's header and its super types'
 * ({@link TypeHierarchy}: each class file read at most once per loader), only in class loaders that see the weave's
 * {@code within} class — elsewhere (an application without the library) a class costs one map lookup per loader.
 * Classes of the agent's own, of other agents and the JVM's generated ones are never woven.
 */
final class HierarchyWeaves {
  private static final String[] NEVER = {"dynamo/obs/agent/", "dynamo/obs/bootstrap/", "dynamo/obs/shaded/",
      "net/bytebuddy/", "io/opentelemetry/javaagent/", "jdk/proxy",
      "com/sun/proxy/", "jdk/internal/reflect/", "java/lang/invoke/"};

  private final TypeHierarchy index = new TypeHierarchy();
  /** Per set of the index (by its bit's position): its weaves, its root type, the class its loaders must see. */
  private final List<List<JdkWeave>> weavesOfSet = new ArrayList<>();
  private final List<String> rootOfSet = new ArrayList<>();
  private final List<String> visibleOfSet = new ArrayList<>();
  /** Per combination of sets a class belongs to: its weaves. */
  private final Map<Long, List<JdkWeave>> byBits = new ConcurrentHashMap<>();
  /** Per loader: the sets whose {@code within} class it sees. */
  private final Map<ClassLoader, Long> allowed = Collections.synchronizedMap(new WeakHashMap<>());
  /** The last loader asked about (weakly) and its answer: classes come loader after loader. */
  private volatile Last last;

  private record Last(WeakReference<ClassLoader> loader, long sets) {
  }

  HierarchyWeaves(List<JdkWeave> weaves) {
    Map<String, List<JdkWeave>> sets = new LinkedHashMap<>(); // by root and visible class
    for (JdkWeave w : weaves) {
      sets.computeIfAbsent(w.type() + " " + w.within(), k -> new ArrayList<>()).add(w);
    }
    for (List<JdkWeave> set : sets.values()) {
      index.add(Set.of(set.get(0).type()));
      weavesOfSet.add(List.copyOf(set));
      rootOfSet.add(set.get(0).type());
      visibleOfSet.add(set.get(0).within().replace('.', '/') + ".class");
    }
  }

  /** The weaves for the class being loaded ({@code internalName}, its class file {@code bytes}), or null. */
  List<JdkWeave> of(String internalName, ClassLoader loader, byte[] bytes) {
    if (loader == null || never(internalName)) {
      return null;
    }
    long sets = allowed(loader);
    if (sets == 0) {
      return null;
    }
    String name = internalName.replace('/', '.');
    long bits = index.bits(name, n -> n.equals(name) ? bytes : ClassPathFiles.read(loader, n), loader);
    if ((bits & TypeHierarchy.INTERFACE) != 0 || (bits &= sets) == 0) {
      return null;
    }
    return byBits.computeIfAbsent(bits, this::weavesOf);
  }

  /** Of the loaded classes, those a weave of this goes on (to be retransformed when the weaver is installed). */
  List<Class<?>> loaded(Class<?>[] classes) {
    List<Class<?>> out = new ArrayList<>();
    Map<String, Long> rootBits = new HashMap<>();
    for (int i = 0; i < rootOfSet.size(); i++) {
      rootBits.merge(rootOfSet.get(i), 1L << i, (a, b) -> a | b);
    }
    for (Class<?> c : classes) {
      ClassLoader loader = c.getClassLoader();
      if (loader == null || c.isInterface() || c.isArray() || c.isHidden() || never(c.getName().replace('.', '/'))) {
        continue;
      }
      long sets = allowed(loader);
      if (sets != 0 && (superTypeBits(c, rootBits, 0) & sets) != 0) {
        out.add(c);
      }
    }
    return out;
  }

  private static long superTypeBits(Class<?> c, Map<String, Long> rootBits, int depth) {
    if (c == null || depth > 200) {
      return 0;
    }
    long bits = rootBits.getOrDefault(c.getName(), 0L);
    bits |= superTypeBits(c.getSuperclass(), rootBits, depth + 1);
    for (Class<?> i : c.getInterfaces()) {
      bits |= superTypeBits(i, rootBits, depth + 1);
    }
    return bits;
  }

  private List<JdkWeave> weavesOf(long bits) {
    List<JdkWeave> out = new ArrayList<>();
    for (int i = 0; i < weavesOfSet.size(); i++) {
      if ((bits & 1L << i) != 0) {
        out.addAll(weavesOfSet.get(i));
      }
    }
    return List.copyOf(out);
  }

  private static boolean never(String internalName) {
    for (String prefix : NEVER) {
      if (internalName.startsWith(prefix)) {
        return true;
      }
    }
    return internalName.contains("$$Lambda") || internalName.contains("$ByteBuddy");
  }

  /** The sets whose visible class {@code loader} sees (asked once per loader). */
  private long allowed(ClassLoader loader) {
    Last l = last;
    if (l != null && l.loader.get() == loader) {
      return l.sets;
    }
    Long known = allowed.get(loader);
    if (known == null) {
      long sets = 0;
      for (int i = 0; i < visibleOfSet.size(); i++) {
        if (loader.getResource(visibleOfSet.get(i)) != null) {
          sets |= 1L << i;
        }
      }
      known = sets;
      allowed.put(loader, known);
    }
    last = new Last(new WeakReference<>(loader), known);
    return known;
  }
}
