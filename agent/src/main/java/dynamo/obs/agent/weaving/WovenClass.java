package dynamo.obs.agent.weaving;

import dynamo.obs.agent.console.AgentLog;
import dynamo.obs.agent.weaving.JdkWeave.Kind;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/** One class going through {@link JdkWeaver}: which of its methods each weave finds, and the woven methods. */
final class WovenClass extends ClassVisitor {
  private static final AgentLog LOG = AgentLog.forTarget("dynamo_obs.instrumentation");
  private final List<JdkWeave> weaves;
  private final Map<String, String> fields = new HashMap<>();
  private final Map<String, Integer> maxLocals;
  private String owner;
  boolean changed;
  /** The weaves that found a method of the class (by identity: two weaves may be equal records). */
  final Set<JdkWeave> matched = Collections.newSetFromMap(new IdentityHashMap<>());

  WovenClass(ClassVisitor next, List<JdkWeave> weaves, Map<String, Integer> maxLocals) {
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
    JdkWeave thrown = null; // an EXIT_THROWN beside an exit at the returns
    for (JdkWeave w : weaves) {
      if (w.matches(name, descriptor)) {
        matched.add(w); // found; usable() says why when it cannot be applied
        if (!usable(w, access, name)) {
          continue;
        }
        if (w.isEnter()) {
          enter = enter == null ? w : enter;
        } else if (w.kind() == Kind.EXIT_THROWN) {
          thrown = thrown == null ? w : thrown;
        } else {
          exit = exit == null ? w : exit;
        }
      }
    }
    if (thrown != null && exit != null && exit.kind() == Kind.EXIT_ALWAYS) {
      thrown = null; // the exit covers throws already
    }
    if (enter == null && exit == null && thrown == null) {
      return mv;
    }
    changed = true;
    Integer locals = maxLocals.get(name + descriptor);
    return new WovenMethod(mv, owner, access, descriptor, enter, exit, thrown, fields, locals == null ? 0 : locals);
  }

  /**
   * A weave that reads {@code this} or a field needs an instance method; constructors only take exits; a weave of
   * a type's subtypes goes on public instance methods.
   */
  private boolean usable(JdkWeave w, int access, String name) {
    boolean isStatic = (access & Opcodes.ACC_STATIC) != 0;
    if (w.isHierarchy() && (isStatic || (access & Opcodes.ACC_PUBLIC) == 0)) {
      return false;
    }
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
