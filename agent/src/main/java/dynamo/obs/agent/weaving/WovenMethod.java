package dynamo.obs.agent.weaving;

import dynamo.obs.agent.weaving.JdkWeave.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * One woven method. Locals of its own (the exit's token) go after the method's own, so every
 * stack map frame of the body is extended to declare them; the exception handler of
 * {@link Kind#EXIT_ALWAYS} and {@link Kind#EXIT_THROWN} covers the whole body and comes last in
 * the exception table, after the method's own handlers. A method may have one exit at its returns and, beside it, one
 * {@link Kind#EXIT_THROWN} for when it throws.
 */
final class WovenMethod extends MethodVisitor {
  static final String DISPATCH = "dynamo/obs/bootstrap/Dispatch";
  private static final String ON = "(Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;II)"
      + "Ljava/lang/Object;";
  private static final String ON_DATA = "(Ljava/lang/Object;Ljava/lang/Object;IILjava/lang/Object;II)V";
  private static final String REPLACE = "(Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;II)Ljava/lang/Object;";
  private final String owner;
  private final boolean isStatic;
  private final Type[] args;
  private final Type returnType;
  private final JdkWeave enter;
  private final JdkWeave exit;
  /** The exit call of the exception handler: {@code exit} itself when it covers throws, or an EXIT_THROWN beside it. */
  private final JdkWeave thrownExit;
  private final Map<String, String> fields;
  private final boolean handler;
  private final Label tryStart = new Label();
  private final Label tryEnd = new Label();
  private final Label catchStart = new Label();
  private final Object[] initialLocals;
  private final int tokenSlot;
  /**
   * The first of the locals kept for the exits (the token, then the arguments the exits are given, as they were on
   * entry: the body may reuse an argument's slot, as {@code off++} does), declared in every frame of the body.
   */
  private final int extraStart;
  private final List<Object> extraTypes = new ArrayList<>();
  /** Per argument, the slot of its copy on entry, or -1. */
  private final int[] argCopy;
  /** Where an exit's {@code return} value is kept for its call, and after it the {@code thrown} throwable. */
  private final int returnSlot;
  private final int thrownSlot;
  /** The exception handler's call is being made ({@code thrown} is there, {@code return} is not). */
  private boolean inHandler;
  /** An exit's call is being made (its arguments are the copies made on entry). */
  private boolean atExit;
  private boolean started;

  WovenMethod(MethodVisitor next, String owner, int access, String descriptor, JdkWeave enter,
      JdkWeave exit, JdkWeave thrownExit, Map<String, String> fields, int bodyLocals) {
    super(Opcodes.ASM9, next);
    this.owner = owner;
    this.isStatic = (access & Opcodes.ACC_STATIC) != 0;
    this.args = Type.getArgumentTypes(descriptor);
    this.returnType = Type.getReturnType(descriptor);
    this.enter = enter;
    this.exit = exit;
    this.fields = fields;
    this.thrownExit = thrownExit != null
        ? thrownExit
        : exit != null && (exit.kind() == Kind.EXIT_ALWAYS || exit.kind() == Kind.EXIT_THROWN) ? exit : null;
    this.handler = this.thrownExit != null;
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
    int past = Math.max(slots, bodyLocals); // past the body's own locals
    this.extraStart = past;
    this.tokenSlot = enter != null && enter.kind() == Kind.ENTER_TOKEN ? past++ : -1;
    if (tokenSlot >= 0) {
      extraTypes.add("java/lang/Object");
    }
    this.argCopy = new int[args.length];
    java.util.Arrays.fill(argCopy, -1);
    for (JdkWeave w : new JdkWeave[]{exit, this.thrownExit}) {
      for (String v : w == null ? List.<String>of() : w.values()) {
        if (v.startsWith("arg")) {
          int index = Integer.parseInt(v.substring(3));
          if (argCopy[index] < 0 && args[index].getSize() == 1) {
            argCopy[index] = past++;
            extraTypes.add(frameType(args[index]));
          }
        }
      }
    }
    this.returnSlot = past;
    this.thrownSlot = past + 1;
    if (exit != null && exit.values().contains("return") && (exit.kind() == Kind.EXIT_RETURN
        || returnType.getSize() == 2)) {
      throw new IllegalArgumentException("return is given at an exit that keeps the value, of an int or reference: "
          + exit);
    }
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
    for (int i = 0; i < args.length; i++) {
      if (argCopy[i] >= 0) {
        super.visitVarInsn(args[i].getOpcode(Opcodes.ILOAD), argSlot(i));
        super.visitVarInsn(args[i].getOpcode(Opcodes.ISTORE), argCopy[i]);
      }
    }
    super.visitLabel(tryStart);
  }

  @Override
  public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
    start();
    if (!extraTypes.isEmpty() && type == Opcodes.F_NEW) {
      Object[] extended = withExtras(local, numLocal);
      super.visitFrame(type, extended.length, extended, numStack, stack);
      return;
    }
    super.visitFrame(type, numLocal, local, numStack, stack);
  }

  /** The frame's locals, padded with TOP up to the first kept local, then the kept ones. */
  private Object[] withExtras(Object[] local, int numLocal) {
    List<Object> out = new ArrayList<>(numLocal + 4 + extraTypes.size());
    int slots = 0;
    for (int i = 0; i < numLocal; i++) {
      Object l = local[i];
      if (slots >= extraStart) {
        break; // cannot happen: the kept locals are past every local of the body
      }
      out.add(l);
      slots += (l == Opcodes.LONG || l == Opcodes.DOUBLE) ? 2 : 1;
    }
    while (slots < extraStart) {
      out.add(Opcodes.TOP);
      slots++;
    }
    out.addAll(extraTypes);
    return out.toArray();
  }

  /** The slot of argument {@code index}. */
  private int argSlot(int index) {
    int slot = isStatic ? 0 : 1;
    for (int i = 0; i < index; i++) {
      slot += args[i].getSize();
    }
    return slot;
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
        case EXIT, EXIT_ALWAYS -> {
          if (opcode != Opcodes.RETURN && exit.values().contains("return")) {
            super.visitInsn(Opcodes.DUP);
            super.visitVarInsn(returnType.getOpcode(Opcodes.ISTORE), returnSlot);
          }
          atExit = true;
          callAndForget(exit);
          atExit = false;
        }
        case EXIT_RETURN -> {
          // stack: the value, which Dispatch.replace takes first
          atExit = true;
          replace(exit);
          atExit = false;
          if (!returnType.getInternalName().equals("java/lang/Object")) {
            super.visitTypeInsn(Opcodes.CHECKCAST, returnType.getInternalName());
          }
        }
        default -> {
        }
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
  public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap,
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
      Object[] locals = extraTypes.isEmpty() ? initialLocals : withExtras(initialLocals, initialLocals.length);
      super.visitFrame(Opcodes.F_NEW, locals.length, locals, 1, new Object[]{"java/lang/Throwable"});
      if (thrownExit.kind() == Kind.EXIT_THROWN) {
        super.visitInsn(Opcodes.DUP); // the throwable goes first, and on
      } else if (thrownExit.values().contains("thrown")) {
        super.visitInsn(Opcodes.DUP);
        super.visitVarInsn(Opcodes.ASTORE, thrownSlot);
      }
      inHandler = true;
      atExit = true;
      callAndForget(thrownExit);
      atExit = false;
      inHandler = false;
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
    if (w.kind() == Kind.ENTER_SKIP || w.kind() == Kind.ENTER_TOKEN) { // a result is needed: ints go boxed
      if (w.values().size() > 4) {
        throw new IllegalArgumentException("more values than Dispatch takes: " + w);
      }
      for (int i = 0; i < 4; i++) {
        String v = i < w.values().size() ? w.values().get(i) : null;
        push(v);
        if (v != null && isInt(v)) {
          super.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Integer", "valueOf", "(I)Ljava/lang/Integer;",
              false);
        }
      }
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
    if (v.equals("return")) {
      return isIntSort(returnType.getSort());
    }
    if (v.startsWith("field:")) {
      String d = fields.get(v.substring(6));
      return d != null && d.length() == 1 && "ZBCSI".indexOf(d.charAt(0)) >= 0;
    }
    if (!v.startsWith("arg")) {
      return false;
    }
    return isIntSort(args[Integer.parseInt(v.substring(3))].getSort());
  }

  private static boolean isIntSort(int sort) {
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
    } else if (v.equals("return")) {
      if (returnType.getSort() == Type.VOID) {
        throw new IllegalArgumentException("a void method returns nothing to give");
      }
      if (!inHandler) {
        super.visitVarInsn(returnType.getOpcode(Opcodes.ILOAD), returnSlot);
      } else {
        super.visitInsn(isInt(v) ? Opcodes.ICONST_0 : Opcodes.ACONST_NULL); // it threw: no value
      }
    } else if (v.equals("thrown")) {
      if (inHandler) {
        super.visitVarInsn(Opcodes.ALOAD, thrownSlot);
      } else {
        super.visitInsn(Opcodes.ACONST_NULL); // it returned
      }
    } else if (v.startsWith("field:")) {
      String name = v.substring(6);
      String descriptor = fields.get(name);
      if (descriptor.length() == 1 && !isInt(v)) {
        throw new IllegalArgumentException("a field given to Dispatch must be a reference or an int: " + v);
      }
      super.visitVarInsn(Opcodes.ALOAD, 0);
      super.visitFieldInsn(Opcodes.GETFIELD, owner, name, descriptor);
    } else if (v.startsWith("arg")) {
      int index = Integer.parseInt(v.substring(3));
      Type t = args[index];
      if (t.getSort() == Type.LONG || t.getSort() == Type.FLOAT || t.getSort() == Type.DOUBLE) {
        throw new IllegalArgumentException("Dispatch takes references and ints, not " + t + ": " + v);
      }
      // at an exit, the argument as it was on entry
      super.visitVarInsn(t.getOpcode(Opcodes.ILOAD), atExit && argCopy[index] >= 0 ? argCopy[index] : argSlot(index));
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
