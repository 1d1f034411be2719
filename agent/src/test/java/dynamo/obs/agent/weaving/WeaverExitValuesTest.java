package dynamo.obs.agent.weaving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dynamo.obs.agent.weaving.JdkWeave.Kind;
import dynamo.obs.bootstrap.Dispatch;
import dynamo.obs.bootstrap.Handler;
import dynamo.obs.weavetargets.StreamLikeTarget;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent's weaver gives exits what the method returned or threw and its arguments as they were on entry, boxes
 * the ints of an entry whose result decides, and weaves a type's subtypes by their class files' headers, in the
 * class loaders that see the library: each woven class is defined and run, so the JVM's verifier checks every frame.
 */
class WeaverExitValuesTest {
  private static final String T = StreamLikeTarget.class.getName();
  private static final int TARGET = Dispatch.MAX_TARGETS - 2;
  private static final int ENTERED = 0;
  private static final int READ = 1;
  private static final int LINE = 2;
  private static final int ERROR_SENT = 3;
  static final List<String> calls = new ArrayList<>();
  private static Class<?> woven;

  /** Records every call the woven code makes. */
  static final class Recording extends Handler {
    @Override
    public Object on(int event, Object a, Object b, Object c, Object d) {
      switch (event) {
        case ENTERED -> {
          calls.add("entered");
          return "call";
        }
        case LINE -> calls.add("line " + a + " " + b + " " + (c == null ? null : ((Throwable) c).getMessage()));
        case ERROR_SENT -> {
          calls.add("sendError " + b.getClass().getSimpleName() + " " + b);
          return (Integer) b == 404 ? Boolean.TRUE : null; // answered: the method does nothing
        }
        default -> calls.add("unexpected " + event);
      }
      return null;
    }

    @Override
    public void onData(int event, Object a, Object data, int i, int j, Object b) {
      calls.add(event == READ
          ? "read " + a + " off " + i + " count " + j + " " + (b == null ? null : ((Throwable) b).getMessage())
          : "unexpected " + event);
    }
  }

  private static byte[] classFile() throws Exception {
    try (InputStream in = StreamLikeTarget.class.getResourceAsStream("StreamLikeTarget.class")) {
      return in.readAllBytes();
    }
  }

  private static List<JdkWeave> weaves(String within) {
    List<JdkWeave> all = List.of(
        new JdkWeave(T, "readLine", "([BII)I", Kind.ENTER_TOKEN, ENTERED, "this"),
        new JdkWeave(T, "readLine", "([BII)I", Kind.EXIT_ALWAYS, READ, "token", "arg0", "thrown", "arg1", "return"),
        new JdkWeave(T, "line", "(Z)", Kind.ENTER_TOKEN, ENTERED, "this"),
        new JdkWeave(T, "line", "(Z)", Kind.EXIT_ALWAYS, LINE, "token", "return", "thrown"),
        new JdkWeave(T, "sendError", "(I)V", Kind.ENTER_SKIP, ERROR_SENT, "this", "arg0"));
    return all.stream().map(w -> within == null ? w.forTarget(TARGET) : w.forTarget(TARGET).subtypes(within))
        .toList();
  }

  @BeforeAll
  static void weave() throws Exception {
    Dispatch.install(TARGET, new Recording());
    byte[] out = JdkWeaver.weave(classFile(), weaves(null));
    assertNotNull(out, "the class was woven");
    woven = define(out);
  }

  private static Class<?> define(byte[] out) throws ClassNotFoundException {
    return WovenClasses.define(T, out);
  }

  @AfterAll
  static void uninstall() {
    Dispatch.install(TARGET, null);
  }

  private static Object call(Object target, String name, Class<?>[] types, Object... args) throws Throwable {
    return WovenClasses.call(target.getClass(), target, name, types, args);
  }

  private static Object target() throws Exception {
    calls.clear();
    return woven.getConstructor().newInstance();
  }

  @Test
  void anExitGetsTheArgumentsAsTheyWereOnEntryAndWhatWasReturned() throws Throwable {
    Object t = target();
    byte[] b = new byte[8];
    assertEquals(3, call(t, "readLine", new Class<?>[]{byte[].class, int.class, int.class}, b, 2, 6));
    assertEquals("abc", new String(b, 2, 3));
    assertEquals(List.of("entered", "read call off 2 count 3 null"), calls); // not off 5, where the body left it
  }

  @Test
  void anExitAtAThrowGetsTheThrowableAndNoValue() throws Throwable {
    Object t = target();
    assertThrows(IllegalArgumentException.class,
        () -> call(t, "readLine", new Class<?>[]{byte[].class, int.class, int.class}, new byte[1], 0, 0));
    assertEquals(List.of("entered", "read call off 0 count 0 nothing to read into"), calls);
    calls.clear();
    assertEquals("line 3", call(t, "line", new Class<?>[]{boolean.class}, false));
    assertThrows(IllegalStateException.class, () -> call(t, "line", new Class<?>[]{boolean.class}, true));
    assertEquals(List.of("entered", "line call line 3 null", "entered", "line call null line failed"), calls);
  }

  @Test
  void anEntryThatDecidesGetsItsIntsBoxed() throws Throwable {
    Object t = target();
    call(t, "sendError", new Class<?>[]{int.class}, 500);
    call(t, "sendError", new Class<?>[]{int.class}, 404); // answered by the handler: the body is skipped
    assertEquals(List.of("sendError Integer 500", "sendError Integer 404"), calls);
    assertEquals(1, t.getClass().getField("errors").getInt(t));
  }

  /**
   * The weaves above for {@code Runnable}'s subtypes in loaders that see {@code within}, and one for a method the
   * target does not declare (a subtype need not).
   */
  private static JdkWeaver subtypeWeaver(String within) {
    List<JdkWeave> subtypes = new ArrayList<>();
    for (JdkWeave w : weaves(null)) {
      subtypes.add(new JdkWeave(Runnable.class.getName(), w.method(), w.descriptor(), w.kind(), w.event(),
          w.values(), 0, 0, TARGET, within));
    }
    subtypes.add(new JdkWeave(Runnable.class.getName(), "close", "()V", Kind.ENTER, ENTERED, "this")
        .forTarget(TARGET).subtypes(within));
    return JdkWeaver.forLibraries(null, subtypes, (n, l) -> {
    }, w -> calls.add("missing " + w.method()));
  }

  /** What the weaver for {@code Runnable}'s subtypes in loaders that see {@code within} makes of the class. */
  private static byte[] asSubtype(String within, ClassLoader loader, String name, byte[] bytes) {
    return subtypeWeaver(within).transform(null, loader, name, null, null, bytes);
  }

  @Test
  void aTypesSubtypesAreWovenInTheLoadersThatSeeTheLibrary() throws Throwable {
    ClassLoader loader = WeaverExitValuesTest.class.getClassLoader();
    String library = WeaverExitValuesTest.class.getName();
    String internal = T.replace('.', '/');
    calls.clear();
    byte[] out = asSubtype(library, loader, internal, classFile());
    assertNotNull(out, "a class implementing Runnable, where the library is seen, is woven");
    assertEquals(List.of(), calls, "a subtype is not told to declare every method (it has no close())");
    Object t = define(out).getConstructor().newInstance();
    call(t, "sendError", new Class<?>[]{int.class}, 404);
    assertEquals(List.of("sendError Integer 404"), calls);
    assertNull(asSubtype("com.example.NotThere", loader, internal, classFile()), "a loader without the library");
    byte[] other;
    try (InputStream in = loader.getResourceAsStream("org/junit/jupiter/api/Assertions.class")) {
      other = in.readAllBytes();
    }
    assertNull(asSubtype(library, loader, "org/junit/jupiter/api/Assertions", other), "a class that is no Runnable");
    assertEquals(List.of(StreamLikeTarget.class), subtypeWeaver(library)
        .loadedSubtypes(new Class<?>[]{StreamLikeTarget.class, WeaveTarget.class, Runnable.class, String.class}),
        "of the loaded classes, the subtypes (not the interface, not the JDK's)");
  }

  @Test
  void aClassThatLacksAWeavesMethodIsToldOfItUnlessTheWeaveIsOptional() throws Exception {
    JdkWeave absent = new JdkWeave(T, "close", "()V", Kind.ENTER, ENTERED, "this").forTarget(TARGET);
    JdkWeave later = new JdkWeave(T, "reset", "()V", Kind.ENTER, ENTERED, "this").forTarget(TARGET).optional();
    calls.clear();
    JdkWeaver.forLibraries(null, List.of(absent, later, weaves(null).get(4)), (n, l) -> {
    }, w -> calls.add("missing " + w.method())).transform(null, getClass().getClassLoader(), T.replace('.', '/'), null,
        null, classFile());
    assertEquals(List.of("missing close"), calls);
  }
}
