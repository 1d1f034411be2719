package dynamo.obs.agent.weaving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.bytebuddy.jar.asm.AnnotationVisitor;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import org.junit.jupiter.api.Test;

/**
 * Advice is inlined into the application's classes (and the JDK's), whose class loaders see the bootstrap API and
 * the instrumented library but never the agent's own classes: a reference from advice code to
 * {@code dynamo.obs.agent.*} or to the agent's relocated libraries would fail in the application. And every advice
 * method suppresses what it throws, so the installer's one exception handler ({@code Dispatch.failed}) gets it.
 * Both are checked here over every advice class of the agent, read from its class files.
 */
class AdviceIsolationTest {
  private static final String ADVICE = "Lnet/bytebuddy/asm/Advice$OnMethod";

  @Test
  void adviceCallsNothingOfTheAgentButTheBootstrapApiAndSuppressesWhatItThrows() throws Exception {
    List<String> problems = new ArrayList<>();
    int adviceMethods = 0;
    Path classes = Path.of(InstrumentationModule.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
        adviceMethods += check(f, problems);
      }
    }
    assertTrue(adviceMethods >= 30, "advice methods found: " + adviceMethods);
    assertEquals(List.of(), problems);
  }

  private static int check(Path file, List<String> problems) throws IOException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readAllBytes();
    }
    int[] found = {0};
    new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
      private String owner;

      @Override
      public void visit(int version, int access, String name, String signature, String superName, String[] ifaces) {
        owner = name;
      }

      @Override
      public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] ex) {
        String where = owner.replace('/', '.') + "." + name;
        List<String> refs = new ArrayList<>();
        boolean[] advice = {false};
        boolean[] suppressed = {false};
        return new MethodVisitor(Opcodes.ASM9) {
          @Override
          public AnnotationVisitor visitAnnotation(String desc, boolean visible) {
            if (!desc.startsWith(ADVICE)) {
              return null;
            }
            advice[0] = true;
            return new AnnotationVisitor(Opcodes.ASM9) {
              @Override
              public void visit(String key, Object value) {
                if (key.equals("suppress") && value instanceof Type t
                    && t.getInternalName().equals("java/lang/Throwable")) {
                  suppressed[0] = true;
                }
              }
            };
          }

          @Override
          public void visitMethodInsn(int opcode, String owner, String name, String desc, boolean itf) {
            refs.add(owner);
          }

          @Override
          public void visitFieldInsn(int opcode, String owner, String name, String desc) {
            refs.add(owner);
          }

          @Override
          public void visitTypeInsn(int opcode, String type) {
            refs.add(type);
          }

          @Override
          public void visitLdcInsn(Object value) {
            if (value instanceof Type t && t.getSort() == Type.OBJECT) {
              refs.add(t.getInternalName());
            } else if (value instanceof Handle h) {
              refs.add(h.getOwner());
            }
          }

          @Override
          public void visitInvokeDynamicInsn(String name, String desc, Handle bootstrap, Object... args) {
            refs.add("invokedynamic " + bootstrap.getOwner()); // a lambda would need a class of the agent's
          }

          @Override
          public void visitEnd() {
            if (!advice[0]) {
              return;
            }
            found[0]++;
            if (!suppressed[0]) {
              problems.add(where + " does not suppress Throwable");
            }
            for (String r : refs) {
              boolean agent = r.startsWith("dynamo/obs/") && !r.startsWith("dynamo/obs/bootstrap/");
              if (agent || r.startsWith("net/bytebuddy/") || r.startsWith("invokedynamic")) {
                problems.add(where + " refers to " + r);
              }
            }
          }
        };
      }
    }, ClassReader.SKIP_FRAMES);
    return found[0];
  }
}
