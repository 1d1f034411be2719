package dynamo.obs.agent.weaving;

import dynamo.obs.agent.console.AgentLog;
import dynamo.obs.agent.weaving.JdkWeave.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * The agent's own weaver for JDK classes known by name ({@link JdkWeave}): one ASM pass over the
 * class file that adds static calls to {@code dynamo.obs.bootstrap.JdkAdvice} at the entry and
 * exits of the named methods. It changes method bodies only (no fields, no methods), so it serves
 * for classes loaded later and for retransforming loaded ones alike. Byte Buddy is not involved:
 * an application that uses only the JDK's server, client, executors and logging never loads it.
 *
 * <p>Its transformer also watches class names for {@linkplain #watch prefixes} that mean a
 * Byte-Buddy-woven library has appeared (a servlet container, Log4j) and reports the
 * first one.
 */
public final class JdkWeaver implements ClassFileTransformer {
  private static final AgentLog LOG = AgentLog.forTarget("dynamo_obs.instrumentation");
  private static final String OBJECT = "Ljava/lang/Object;";

  private final Map<String, List<JdkWeave>> byType = new HashMap<>();
  private final BiConsumer<String, ClassLoader> onWoven;
  private final Instrumentation inst;
  private final Module adviceModule = dynamo.obs.bootstrap.Dispatch.class.getModule();
  private volatile String[] watched = new String[0];
  private final AtomicReference<Consumer<String>> onWatched = new AtomicReference<>();

  /** Classes of any loader are woven (libraries named by {@link #forLibraries}), not only the JDK's. */
  private final boolean libraries;
  /** Told of each weave that found no method in its class. */
  private final Consumer<JdkWeave> missing;
  /** The weaves for the subtypes of a type ({@link JdkWeave#subtypes}), or null when there are none. */
  private final HierarchyWeaves hierarchy;

  /** {@code onWoven} gets the name and loader of each class woven (counted by the caller). */
  public JdkWeaver(Instrumentation inst, List<JdkWeave> weaves,
      BiConsumer<String, ClassLoader> onWoven) {
    this(inst, weaves, onWoven, false, JdkWeaver::missing);
  }

  private JdkWeaver(Instrumentation inst, List<JdkWeave> weaves,
      BiConsumer<String, ClassLoader> onWoven, boolean libraries,
      Consumer<JdkWeave> missing) {
    this.inst = inst;
    List<JdkWeave> subtypes = new ArrayList<>();
    for (JdkWeave w : weaves) {
      if (w.isHierarchy()) {
        subtypes.add(w);
      } else {
        byType.computeIfAbsent(w.type().replace('.', '/'), k -> new ArrayList<>()).add(w);
      }
    }
    this.hierarchy = subtypes.isEmpty() || !libraries ? null : new HierarchyWeaves(subtypes);
    this.onWoven = onWoven;
    this.libraries = libraries;
    this.missing = missing;
  }

  /**
   * The same weaver for classes of libraries known by name, in whatever class loader they are defined; a weave
   * that finds no method in its class (another version of the library) is told to {@code missing}.
   */
  public static JdkWeaver forLibraries(Instrumentation inst, List<JdkWeave> weaves,
      BiConsumer<String, ClassLoader> onWoven, Consumer<JdkWeave> missing) {
    return new JdkWeaver(inst, weaves, onWoven, true, missing);
  }

  /** Of the loaded classes, those that a weave for the subtypes of a type goes on. */
  public List<Class<?>> loadedSubtypes(Class<?>[] classes) {
    return hierarchy == null ? List.of() : hierarchy.loaded(classes);
  }

  /** Binary names of the classes this weaver changes by name. */
  public Set<String> typeNames() {
    Set<String> names = new TreeSet<>();
    for (String t : byType.keySet()) {
      names.add(t.replace('/', '.'));
    }
    return names;
  }

  /**
   * Reports the first class loaded from now on whose internal name starts with one of
   * {@code prefixes}, once, to {@code listener} (on the loading thread: it must only hand over).
   */
  public void watch(List<String> prefixes, Consumer<String> listener) {
    onWatched.set(listener);
    watched = prefixes.toArray(new String[0]);
  }

  /** Takes the watch over (it will not fire): true unless it fired already or nothing was watched. */
  public boolean claimWatch() {
    watched = new String[0];
    return onWatched.getAndSet(null) != null;
  }

  @Override
  public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
      ProtectionDomain domain, byte[] bytes) {
    if (className == null) {
      return null;
    }
    String[] w = watched;
    if (w.length > 0) {
      for (String prefix : w) {
        if (className.startsWith(prefix)) {
          watched = new String[0];
          Consumer<String> l = onWatched.getAndSet(null); // once, whichever thread is first
          if (l != null) {
            l.accept(className);
          }
          break;
        }
      }
    }
    List<JdkWeave> weaves = byType.get(className);
    if (weaves == null && hierarchy == null
        || !libraries && loader != null && loader != ClassLoader.getPlatformClassLoader()) {
      return null; // only the JDK's own classes of that name
    }
    try {
      List<JdkWeave> subtypes = hierarchy == null ? null : hierarchy.of(className, loader, bytes);
      if (subtypes != null) { // a class may be known by name and a subtype too (Jetty 10's and 12's Response)
        weaves = weaves == null ? subtypes : concat(weaves, subtypes);
      }
      if (weaves == null) {
        return null;
      }
      byte[] woven = weave(bytes, weaves, absent -> {
        // a subtype need not declare the method, and an optional one is absent from some versions
        if (!absent.isHierarchy() && !absent.isOptional()) {
          missing.accept(absent);
        }
      });
      if (woven != null && module != null && !module.canRead(adviceModule)) {
        inst.redefineModule(module, Set.of(adviceModule), Map.of(), Map.of(), Set.of(), Map.of());
      }
      if (woven != null) {
        String name = className.replace('/', '.');
        onWoven.accept(name, loader);
        LOG.debug("instrumented " + name);
      }
      return woven;
    } catch (Throwable t) {
      LOG.once(AgentLog.Level.WARN, "transform:" + className,
          "could not instrument " + className.replace('/', '.') + " (it runs unchanged): " + t);
      return null;
    }
  }

  private static List<JdkWeave> concat(List<JdkWeave> a, List<JdkWeave> b) {
    List<JdkWeave> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** A weave found no method in its class: another JDK's internals. Said once; the class runs without it. */
  private static void missing(JdkWeave w) {
    if (!w.expectedOn(Runtime.version().feature())) {
      return; // a method of other JDKs
    }
    LOG.once(AgentLog.Level.WARN, "missing:" + w.type() + "." + w.method() + w.descriptor(), missingMessage(w, true));
  }

  private static String missingMessage(JdkWeave w, boolean classFound) {
    return w.type() + (classFound ? " has no method " + w.method() + w.descriptor() + "…" : " does not exist")
        + " on this JDK (" + System.getProperty("java.vm.version") + "): what " + Instrumentations.name(w.target())
        + " does there is off; please report it with the JDK's version";
  }

  /**
   * What of {@code weaves} this JDK lacks, read from its class files without loading or changing a class
   * (for {@code doctor}): one message per weave whose class or method is not there, as the weaver would
   * say it when the class loads. Weaves for other JDKs than this one are not looked for.
   */
  public static List<String> missingOnThisJdk(List<JdkWeave> weaves) {
    Map<String, List<String[]>> methodsByType = new HashMap<>();
    List<String> missing = new ArrayList<>();
    for (JdkWeave w : weaves) {
      if (!w.expectedOn(Runtime.version().feature())) {
        continue;
      }
      List<String[]> methods = methodsByType.computeIfAbsent(w.type(), JdkWeaver::methodsOf);
      if (methods == null) {
        missing.add(missingMessage(w, false));
      } else if (methods.stream().noneMatch(m -> w.matches(m[0], m[1]))) {
        missing.add(missingMessage(w, true));
      }
    }
    return missing;
  }

  /**
   * What of {@code weaves} (of libraries) the classes {@code loader} finds lack, read from their class files without
   * loading them (for {@code doctor} given the application's class path): one message per weave whose class is there
   * without the method; a library that is not there is no concern.
   */
  public static List<String> missingIn(List<JdkWeave> weaves, ClassLoader loader) {
    Map<String, List<String[]>> methodsByType = new HashMap<>();
    List<String> missing = new ArrayList<>();
    for (JdkWeave w : weaves) {
      if (w.isHierarchy()) {
        continue; // a type's subtypes declare what they override
      }
      List<String[]> methods = methodsByType.computeIfAbsent(w.type(), t -> methodsOf(t, loader));
      if (methods != null && !w.isOptional() && methods.stream().noneMatch(m -> w.matches(m[0], m[1]))) {
        missing.add(w.type() + " has no method " + w.method() + w.descriptor() + "…: a version of it that "
            + Instrumentations.name(w.target()) + " does not support");
      }
    }
    return missing;
  }

  private static List<String[]> methodsOf(String type) {
    return methodsOf(type, ClassLoader.getSystemClassLoader());
  }

  /**
   * The name and descriptor of every method with a body of a JDK class (what the weaver can weave); null
   * when there is no such class.
   */
  private static List<String[]> methodsOf(String type, ClassLoader loader) {
    List<String[]> methods = new ArrayList<>();
    try (InputStream in = loader.getResourceAsStream(type.replace('.', '/') + ".class")) {
      if (in == null) {
        return null;
      }
      new ClassReader(in.readAllBytes()).accept(new ClassVisitor(Opcodes.ASM9) {
        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
            String[] exceptions) {
          if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) == 0) {
            methods.add(new String[]{name, descriptor});
          }
          return null;
        }
      }, ClassReader.SKIP_CODE);
    } catch (IOException | RuntimeException e) {
      LOG.debug("could not read " + type + ": " + e);
    }
    return methods;
  }

  /** The class with the weaves applied, or null when no method matched. */
  static byte[] weave(byte[] bytes, List<JdkWeave> weaves) {
    return weave(bytes, weaves, w -> {
    });
  }

  /**
   * The class with the weaves applied, or null when no method matched; each weave that matched no method
   * of the class (another JDK's internals) is told to {@code missing}.
   */
  static byte[] weave(byte[] bytes, List<JdkWeave> weaves, Consumer<JdkWeave> missing) {
    ClassReader reader = new ClassReader(bytes);
    Map<String, Integer> maxLocals = new HashMap<>();
    for (JdkWeave w : weaves) {
      if (w.kind() == Kind.ENTER_TOKEN || !w.isEnter() && w.values().stream()
          .anyMatch(v -> v.equals("return") || v.equals("thrown") || v.startsWith("arg"))) {
        // the locals of the token, the arguments kept for the exits, the value returned and the throwable go past
        // the body's own
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
          @Override
          public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
              String[] exceptions) {
            String key = name + descriptor;
            return new MethodVisitor(Opcodes.ASM9) {
              @Override
              public void visitMaxs(int maxStack, int locals) {
                maxLocals.put(key, locals);
              }
            };
          }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        break;
      }
    }
    ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
    WovenClass weaving = new WovenClass(writer, weaves, maxLocals);
    reader.accept(weaving, ClassReader.EXPAND_FRAMES);
    for (JdkWeave w : weaves) {
      if (!weaving.matched.contains(w)) {
        missing.accept(w);
      }
    }
    return weaving.changed ? writer.toByteArray() : null;
  }

}
