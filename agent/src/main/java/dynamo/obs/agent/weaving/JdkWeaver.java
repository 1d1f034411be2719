package dynamo.obs.agent.weaving;

import dynamo.obs.agent.console.AgentLog;
import dynamo.obs.agent.weaving.JdkWeave;
import dynamo.obs.agent.weaving.JdkWeave.Kind;
import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * The agent's own weaver for JDK classes known by name ({@link JdkWeave}): one ASM pass over the
 * class file that adds static calls to {@code dynamo.obs.bootstrap.JdkAdvice} at the entry and
 * exits of the named methods. It changes method bodies only (no fields, no methods), so it serves
 * for classes loaded later and for retransforming loaded ones alike. Byte Buddy is not involved:
 * an application that uses only the JDK's server, client, executors and logging never loads it.
 *
 * <p>Its transformer also watches class names for {@linkplain #watch prefixes} that mean a
 * Byte-Buddy-woven library has appeared (a servlet container, Logback, Log4j) and reports the
 * first one.
 */
public final class JdkWeaver implements ClassFileTransformer {
  static final String DISPATCH = "dynamo/obs/bootstrap/Dispatch";
  private static final String ON = "(Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;II)"
      + "Ljava/lang/Object;";
  private static final String ON_DATA = "(Ljava/lang/Object;Ljava/lang/Object;IILjava/lang/Object;II)V";
  private static final String REPLACE = "(Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;II)Ljava/lang/Object;";
  private static final AgentLog LOG = AgentLog.forTarget("dynamo_obs.instrumentation");
  private static final String OBJECT = "Ljava/lang/Object;";

  private final Map<String, List<JdkWeave>> byType = new HashMap<>();
  private final java.util.function.BiConsumer<String, ClassLoader> onWoven;
  private final java.lang.instrument.Instrumentation inst;
  private final Module adviceModule = dynamo.obs.bootstrap.Dispatch.class.getModule();
  private volatile String[] watched = new String[0];
  private final java.util.concurrent.atomic.AtomicReference<java.util.function.Consumer<String>> onWatched =
      new java.util.concurrent.atomic.AtomicReference<>();

  /** Classes of any loader are woven (libraries named by {@link #forLibraries}), not only the JDK's. */
  private final boolean libraries;
  /** Told of each weave that found no method in its class. */
  private final java.util.function.Consumer<JdkWeave> missing;

  /** {@code onWoven} gets the name and loader of each class woven (counted by the caller). */
  public JdkWeaver(java.lang.instrument.Instrumentation inst, List<JdkWeave> weaves,
      java.util.function.BiConsumer<String, ClassLoader> onWoven) {
    this(inst, weaves, onWoven, false, JdkWeaver::missing);
  }

  private JdkWeaver(java.lang.instrument.Instrumentation inst, List<JdkWeave> weaves,
      java.util.function.BiConsumer<String, ClassLoader> onWoven, boolean libraries,
      java.util.function.Consumer<JdkWeave> missing) {
    this.inst = inst;
    for (JdkWeave w : weaves) {
      byType.computeIfAbsent(w.type().replace('.', '/'), k -> new ArrayList<>()).add(w);
    }
    this.onWoven = onWoven;
    this.libraries = libraries;
    this.missing = missing;
  }

  /**
   * The same weaver for classes of libraries known by name, in whatever class loader they are defined; a weave
   * that finds no method in its class (another version of the library) is told to {@code missing}.
   */
  public static JdkWeaver forLibraries(java.lang.instrument.Instrumentation inst, List<JdkWeave> weaves,
      java.util.function.BiConsumer<String, ClassLoader> onWoven, java.util.function.Consumer<JdkWeave> missing) {
    return new JdkWeaver(inst, weaves, onWoven, true, missing);
  }

  /** Binary names of the classes this weaver changes. */
  public java.util.Set<String> typeNames() {
    java.util.Set<String> names = new java.util.TreeSet<>();
    for (String t : byType.keySet()) {
      names.add(t.replace('/', '.'));
    }
    return names;
  }

  /**
   * Reports the first class loaded from now on whose internal name starts with one of
   * {@code prefixes}, once, to {@code listener} (on the loading thread: it must only hand over).
   */
  public void watch(List<String> prefixes, java.util.function.Consumer<String> listener) {
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
          java.util.function.Consumer<String> l = onWatched.getAndSet(null); // once, whichever thread is first
          if (l != null) {
            l.accept(className);
          }
          break;
        }
      }
    }
    List<JdkWeave> weaves = byType.get(className);
    if (weaves == null || !libraries && loader != null && loader != ClassLoader.getPlatformClassLoader()) {
      return null; // only the JDK's own classes of that name
    }
    try {
      byte[] woven = weave(bytes, weaves, missing);
      if (woven != null && module != null && !module.canRead(adviceModule)) {
        inst.redefineModule(module, java.util.Set.of(adviceModule), Map.of(), Map.of(), java.util.Set.of(), Map.of());
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
      List<String[]> methods = methodsByType.computeIfAbsent(w.type(), t -> methodsOf(t, loader));
      if (methods != null && methods.stream().noneMatch(m -> w.matches(m[0], m[1]))) {
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
    try (java.io.InputStream in = loader.getResourceAsStream(type.replace('.', '/') + ".class")) {
      if (in == null) {
        return null;
      }
      new ClassReader(in.readAllBytes()).accept(new ClassVisitor(Opcodes.ASM9) {
        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
            String[] exceptions) {
          if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) == 0) {
            methods.add(new String[] {name, descriptor});
          }
          return null;
        }
      }, ClassReader.SKIP_CODE);
    } catch (java.io.IOException | RuntimeException e) {
      LOG.debug("could not read " + type + ": " + e);
    }
    return methods;
  }

  /** The class with the weaves applied, or null when no method matched. */
  static byte[] weave(byte[] bytes, List<JdkWeave> weaves) {
    return weave(bytes, weaves, w -> {});
  }

  /**
   * The class with the weaves applied, or null when no method matched; each weave that matched no method
   * of the class (another JDK's internals) is told to {@code missing}.
   */
  static byte[] weave(byte[] bytes, List<JdkWeave> weaves, java.util.function.Consumer<JdkWeave> missing) {
    ClassReader reader = new ClassReader(bytes);
    Map<String, Integer> maxLocals = new HashMap<>();
    for (JdkWeave w : weaves) {
      if (w.kind() == Kind.ENTER_TOKEN) { // the token's local goes past the body's own
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
    WeavingClass weaving = new WeavingClass(writer, weaves, maxLocals);
    reader.accept(weaving, ClassReader.EXPAND_FRAMES);
    for (JdkWeave w : weaves) {
      if (!weaving.matched.contains(w)) {
        missing.accept(w);
      }
    }
    return weaving.changed ? writer.toByteArray() : null;
  }

  private static final class WeavingClass extends ClassVisitor {
    private final List<JdkWeave> weaves;
    private final Map<String, String> fields = new HashMap<>();
    private final Map<String, Integer> maxLocals;
    private String owner;
    boolean changed;
    /** The weaves that found a method of the class (by identity: two weaves may be equal records). */
    final java.util.Set<JdkWeave> matched = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    WeavingClass(ClassVisitor next, List<JdkWeave> weaves, Map<String, Integer> maxLocals) {
      super(Opcodes.ASM9, next);
      this.weaves = weaves;
      this.maxLocals = maxLocals;
    }

    @Override
    public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
      owner = name;
      super.visit(version, access, name, signature, superName, interfaces);
    }

    @Override
    public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
      if ((access & Opcodes.ACC_STATIC) == 0) {
        fields.put(name, descriptor);
      }
      return super.visitField(access, name, descriptor, signature, value);
    }

    @Override
    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
        String[] exceptions) {
      MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
      if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
        return mv;
      }
      JdkWeave enter = null;
      JdkWeave exit = null;
      for (JdkWeave w : weaves) {
        if (w.matches(name, descriptor)) {
          matched.add(w); // found; usable() says why when it cannot be applied
          if (!usable(w, access, name)) {
            continue;
          }
          if (w.isEnter()) {
            enter = enter == null ? w : enter;
          } else {
            exit = exit == null ? w : exit;
          }
        }
      }
      if (enter == null && exit == null) {
        return mv;
      }
      changed = true;
      Integer locals = maxLocals.get(name + descriptor);
      return new WeavingMethod(mv, owner, access, descriptor, enter, exit, fields, locals == null ? 0 : locals);
    }

    /** A weave that reads {@code this} or a field needs an instance method; constructors only take exits. */
    private boolean usable(JdkWeave w, int access, String name) {
      boolean isStatic = (access & Opcodes.ACC_STATIC) != 0;
      for (String v : w.values()) {
        if (isStatic && (v.equals("this") || v.startsWith("field:"))) {
          return false;
        }
        if (v.startsWith("field:") && !fields.containsKey(v.substring(6))) {
          LOG.once(AgentLog.Level.WARN, "field:" + owner + "." + v,
              "could not instrument " + owner.replace('/', '.') + "." + name + ": no field " + v.substring(6));
          return false;
        }
      }
      return !name.equals("<init>") || w.kind() == Kind.EXIT;
    }
  }

  /**
   * One woven method. Locals of its own (the exit's token) go after the method's own, so every
   * stack map frame of the body is extended to declare them; the exception handler of
   * {@link Kind#EXIT_ALWAYS} and {@link Kind#EXIT_THROWN} covers the whole body and comes last in
   * the exception table, after the method's own handlers.
   */
  private static final class WeavingMethod extends MethodVisitor {
    private final String owner;
    private final boolean isStatic;
    private final Type[] args;
    private final Type returnType;
    private final JdkWeave enter;
    private final JdkWeave exit;
    private final Map<String, String> fields;
    private final boolean handler;
    private final Label tryStart = new Label();
    private final Label tryEnd = new Label();
    private final Label catchStart = new Label();
    private final Object[] initialLocals;
    private final int tokenSlot;
    private boolean started;

    WeavingMethod(MethodVisitor next, String owner, int access, String descriptor, JdkWeave enter,
        JdkWeave exit, Map<String, String> fields, int bodyLocals) {
      super(Opcodes.ASM9, next);
      this.owner = owner;
      this.isStatic = (access & Opcodes.ACC_STATIC) != 0;
      this.args = Type.getArgumentTypes(descriptor);
      this.returnType = Type.getReturnType(descriptor);
      this.enter = enter;
      this.exit = exit;
      this.fields = fields;
      this.handler = exit != null && (exit.kind() == Kind.EXIT_ALWAYS || exit.kind() == Kind.EXIT_THROWN);
      List<Object> locals = new ArrayList<>();
      if (!isStatic) {
        locals.add(owner);
      }
      int slots = isStatic ? 0 : 1;
      for (Type t : args) {
        locals.add(frameType(t));
        slots += t.getSize();
      }
      this.initialLocals = locals.toArray();
      this.tokenSlot = enter != null && enter.kind() == Kind.ENTER_TOKEN ? Math.max(slots, bodyLocals) : -1;
    }

    /** Before the body's first instruction, after the method's own exception table. */
    private void start() {
      if (started) {
        return;
      }
      started = true;
      if (handler) {
        super.visitTryCatchBlock(tryStart, tryEnd, catchStart, "java/lang/Throwable");
      }
      if (enter != null) {
        if (enter.kind() == Kind.ENTER_WRAP_ARG0) {
          super.visitVarInsn(Opcodes.ALOAD, isStatic ? 0 : 1);
          replace(enter);
          Type a0 = args[0];
          if (!a0.getInternalName().equals("java/lang/Object")) {
            super.visitTypeInsn(Opcodes.CHECKCAST, a0.getInternalName());
          }
          super.visitVarInsn(Opcodes.ASTORE, isStatic ? 0 : 1);
        } else if (call(enter)) {
          switch (enter.kind()) {
            case ENTER_SKIP -> {
              Label go = new Label();
              super.visitJumpInsn(Opcodes.IFNULL, go);
              super.visitInsn(Opcodes.RETURN);
              super.visitLabel(go);
              super.visitFrame(Opcodes.F_NEW, initialLocals.length, initialLocals, 0, new Object[0]);
              super.visitInsn(Opcodes.NOP); // the body's own first frame, if any, gets an offset of its own
            }
            case ENTER_TOKEN -> super.visitVarInsn(Opcodes.ASTORE, tokenSlot);
            default -> super.visitInsn(Opcodes.POP);
          }
        }
      }
      super.visitLabel(tryStart);
    }

    @Override
    public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
      start();
      if (tokenSlot >= 0 && type == Opcodes.F_NEW) {
        Object[] extended = withToken(local, numLocal);
        super.visitFrame(type, extended.length, extended, numStack, stack);
        return;
      }
      super.visitFrame(type, numLocal, local, numStack, stack);
    }

    /** The frame's locals, padded with TOP up to the token's slot, then the token. */
    private Object[] withToken(Object[] local, int numLocal) {
      List<Object> out = new ArrayList<>(numLocal + 4);
      int slots = 0;
      for (int i = 0; i < numLocal; i++) {
        Object l = local[i];
        if (slots >= tokenSlot) {
          break; // cannot happen: the token's slot is past every local of the body
        }
        out.add(l);
        slots += (l == Opcodes.LONG || l == Opcodes.DOUBLE) ? 2 : 1;
      }
      while (slots < tokenSlot) {
        out.add(Opcodes.TOP);
        slots++;
      }
      out.add("java/lang/Object");
      return out.toArray();
    }

    @Override
    public void visitLabel(Label label) {
      start();
      super.visitLabel(label);
    }

    @Override
    public void visitInsn(int opcode) {
      start();
      if (exit != null && opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
        switch (exit.kind()) {
          case EXIT, EXIT_ALWAYS -> callAndForget(exit);
          case EXIT_RETURN -> {
            // stack: the value, which Dispatch.replace takes first
            replace(exit);
            if (!returnType.getInternalName().equals("java/lang/Object")) {
              super.visitTypeInsn(Opcodes.CHECKCAST, returnType.getInternalName());
            }
          }
          default -> { }
        }
      }
      super.visitInsn(opcode);
    }

    @Override
    public void visitIntInsn(int opcode, int operand) {
      start();
      super.visitIntInsn(opcode, operand);
    }

    @Override
    public void visitVarInsn(int opcode, int varIndex) {
      start();
      super.visitVarInsn(opcode, varIndex);
    }

    @Override
    public void visitTypeInsn(int opcode, String type) {
      start();
      super.visitTypeInsn(opcode, type);
    }

    @Override
    public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
      start();
      super.visitFieldInsn(opcode, owner, name, descriptor);
    }

    @Override
    public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
      start();
      super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
    }

    @Override
    public void visitInvokeDynamicInsn(String name, String descriptor, net.bytebuddy.jar.asm.Handle bootstrap,
        Object... arguments) {
      start();
      super.visitInvokeDynamicInsn(name, descriptor, bootstrap, arguments);
    }

    @Override
    public void visitJumpInsn(int opcode, Label label) {
      start();
      super.visitJumpInsn(opcode, label);
    }

    @Override
    public void visitLdcInsn(Object value) {
      start();
      super.visitLdcInsn(value);
    }

    @Override
    public void visitIincInsn(int varIndex, int increment) {
      start();
      super.visitIincInsn(varIndex, increment);
    }

    @Override
    public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
      start();
      super.visitTableSwitchInsn(min, max, dflt, labels);
    }

    @Override
    public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
      start();
      super.visitLookupSwitchInsn(dflt, keys, labels);
    }

    @Override
    public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
      start();
      super.visitMultiANewArrayInsn(descriptor, numDimensions);
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
      start();
      if (handler) {
        super.visitLabel(tryEnd);
        super.visitLabel(catchStart);
        Object[] locals = tokenSlot >= 0 ? withToken(initialLocals, initialLocals.length) : initialLocals;
        super.visitFrame(Opcodes.F_NEW, locals.length, locals, 1, new Object[] {"java/lang/Throwable"});
        if (exit.kind() == Kind.EXIT_THROWN) {
          super.visitInsn(Opcodes.DUP); // the throwable goes first, and on
        }
        callAndForget(exit);
        super.visitInsn(Opcodes.ATHROW);
      }
      super.visitMaxs(maxStack, maxLocals);
    }

    /**
     * The weave's call of {@code Dispatch.on} or, with an {@code int} among its values, {@code Dispatch.onData}
     * (after the throwable of {@link Kind#EXIT_THROWN}, already on the stack). True when a result was left on the
     * stack ({@code on}'s), false when there is none.
     */
    private boolean call(JdkWeave w) {
      List<String> refs = new ArrayList<>();
      List<String> ints = new ArrayList<>();
      for (String v : w.values()) {
        (isInt(v) ? ints : refs).add(v);
      }
      int given = w.kind() == Kind.EXIT_THROWN ? 1 : 0;
      if (ints.isEmpty()) {
        pushRefs(refs, 4 - given);
        dispatch(w, "on", ON);
        return true;
      }
      if (given > 0 || refs.size() > 3 || ints.size() > 2) {
        throw new IllegalArgumentException("too many values for Dispatch.onData: " + w);
      }
      push(refs.size() > 0 ? refs.get(0) : null);
      push(refs.size() > 1 ? refs.get(1) : null);
      pushInt(ints.size() > 0 ? ints.get(0) : null);
      pushInt(ints.size() > 1 ? ints.get(1) : null);
      push(refs.size() > 2 ? refs.get(2) : null);
      dispatch(w, "onData", ON_DATA);
      return false;
    }

    private void callAndForget(JdkWeave w) {
      if (call(w)) {
        super.visitInsn(Opcodes.POP);
      }
    }

    /** {@code Dispatch.replace} of the value on the stack, with the weave's values; leaves the result there. */
    private void replace(JdkWeave w) {
      pushRefs(w.values(), 2);
      dispatch(w, "replace", REPLACE);
    }

    private void dispatch(JdkWeave w, String entry, String descriptor) {
      super.visitLdcInsn(w.target());
      super.visitLdcInsn(w.event());
      super.visitMethodInsn(Opcodes.INVOKESTATIC, DISPATCH, entry, descriptor, false);
    }

    /** The references, then nulls up to {@code slots}. */
    private void pushRefs(List<String> refs, int slots) {
      if (refs.size() > slots) {
        throw new IllegalArgumentException("more values than Dispatch takes: " + refs);
      }
      for (int i = 0; i < slots; i++) {
        push(i < refs.size() ? refs.get(i) : null);
      }
    }

    private boolean isInt(String v) {
      if (!v.startsWith("arg")) {
        return false;
      }
      int sort = args[Integer.parseInt(v.substring(3))].getSort();
      return sort == Type.INT || sort == Type.SHORT || sort == Type.CHAR || sort == Type.BYTE || sort == Type.BOOLEAN;
    }

    private void pushInt(String v) {
      if (v == null) {
        super.visitInsn(Opcodes.ICONST_0);
      } else {
        push(v);
      }
    }

    /** One value onto the stack: a reference as it is, an {@code int} argument as an int; null pushes null. */
    private void push(String v) {
      if (v == null) {
        super.visitInsn(Opcodes.ACONST_NULL);
      } else if (v.equals("this")) {
        super.visitVarInsn(Opcodes.ALOAD, 0);
      } else if (v.equals("token")) {
        super.visitVarInsn(Opcodes.ALOAD, tokenSlot);
      } else if (v.startsWith("field:")) {
        String name = v.substring(6);
        String descriptor = fields.get(name);
        if (descriptor.length() == 1) {
          throw new IllegalArgumentException("a field given to Dispatch must be a reference: " + v);
        }
        super.visitVarInsn(Opcodes.ALOAD, 0);
        super.visitFieldInsn(Opcodes.GETFIELD, owner, name, descriptor);
      } else if (v.startsWith("arg")) {
        int index = Integer.parseInt(v.substring(3));
        int slot = isStatic ? 0 : 1;
        for (int i = 0; i < index; i++) {
          slot += args[i].getSize();
        }
        Type t = args[index];
        if (t.getSort() == Type.LONG || t.getSort() == Type.FLOAT || t.getSort() == Type.DOUBLE) {
          throw new IllegalArgumentException("Dispatch takes references and ints, not " + t + ": " + v);
        }
        super.visitVarInsn(t.getOpcode(Opcodes.ILOAD), slot);
      } else {
        throw new IllegalArgumentException("unknown value " + v);
      }
    }

    private static Object frameType(Type t) {
      return switch (t.getSort()) {
        case Type.BOOLEAN, Type.BYTE, Type.CHAR, Type.SHORT, Type.INT -> Opcodes.INTEGER;
        case Type.LONG -> Opcodes.LONG;
        case Type.DOUBLE -> Opcodes.DOUBLE;
        case Type.FLOAT -> Opcodes.FLOAT;
        default -> t.getInternalName();
      };
    }
  }
}
