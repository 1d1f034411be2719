package dynamo.obs.agent.weaving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.bootstrap.Dispatch;
import dynamo.obs.bootstrap.Handler;
import dynamo.obs.agent.weaving.JdkWeave.Kind;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent's own weaver on a class shaped like its JDK targets: every kind of call, loaded and
 * run by a real class loader (so the JVM's verifier checks the frames), with a handler that records.
 */
class JdkWeaverTest {
  private static final String T = WeaveTarget.class.getName();
  /** A target number no built-in target has. */
  private static final int TARGET = Dispatch.MAX_TARGETS - 1;
  private static final int EXCHANGE = 0;
  private static final int STARTED = 1;
  private static final int ENDED = 2;
  private static final int WRAP = 3;
  private static final int BODY = 4;
  private static final int STATUS = 5;
  private static final int FAILED = 6;
  private static final int CONSOLE = 7;
  private static final int SENT = 8;
  static final List<String> calls = new ArrayList<>();
  private static Class<?> woven;

  /** Records every call the woven code makes. */
  static final class Recording extends Handler {
    @Override
    public Object on(int event, Object a, Object b, Object c, Object d) {
      switch (event) {
        case EXCHANGE -> calls.add("exchange " + b + " " + c + " " + d);
        case STARTED -> {
          calls.add("started");
          return "token";
        }
        case ENDED -> calls.add("ended " + a);
        case FAILED -> calls.add("failed " + ((Throwable) a).getMessage());
        case CONSOLE -> {
          if (((java.util.logging.Handler) a).isLoggable((LogRecord) b)) {
            calls.add("console");
            return Boolean.TRUE;
          }
        }
        default -> calls.add("unexpected " + event);
      }
      return null;
    }

    @Override
    public void onData(int event, Object a, Object data, int i, int j, Object b) {
      calls.add(event == STATUS
          ? "status " + i + " " + data
          : event == SENT
              ? "sent " + ((byte[]) data).length + " " + i + " " + j
              : "unexpected " + event);
    }

    @Override
    public Object replace(int event, Object value, Object a, Object b) {
      if (event == WRAP) {
        calls.add("wrap");
        return (Runnable) () -> {
          calls.add("wrapped");
          ((Runnable) value).run();
        };
      }
      if (event == BODY) {
        calls.add("body");
        return new java.io.FilterInputStream((InputStream) value) {
        };
      }
      calls.add("unexpected " + event);
      return value;
    }
  }

  @BeforeAll
  static void weave() throws Exception {
    Dispatch.install(TARGET, new Recording());
    byte[] bytes;
    try (InputStream in = WeaveTarget.class.getResourceAsStream("WeaveTarget.class")) {
      bytes = in.readAllBytes();
    }
    byte[] out = JdkWeaver.weave(bytes, Stream.of(
        new JdkWeave(T, "<init>", "(Ljava/lang/String;Ljava/net/URI;", Kind.EXIT, EXCHANGE,
            "this", "arg0", "arg1", "field:headers"),
        new JdkWeave(T, "run", "(IZ)J", Kind.ENTER_TOKEN, STARTED, "this"),
        new JdkWeave(T, "run", "(IZ)J", Kind.EXIT_ALWAYS, ENDED, "token"),
        new JdkWeave(T, "execute", "(Ljava/lang/Runnable;)", Kind.ENTER_WRAP_ARG0, WRAP),
        new JdkWeave(T, "startStatic", "(Ljava/lang/Runnable;)", Kind.ENTER_WRAP_ARG0, WRAP),
        new JdkWeave(T, "body", "()", Kind.EXIT_RETURN, BODY, "this"),
        new JdkWeave(T, "sendResponseHeaders", "(IJ)V", Kind.ENTER, STATUS, "this", "arg0", "field:headers"),
        new JdkWeave(T, "doFilter", "(Z)V", Kind.EXIT_THROWN, FAILED),
        new JdkWeave(T, "send", "([BIIZ)V", Kind.EXIT, SENT, "this", "arg0", "field:sent", "arg2"),
        new JdkWeave(T, "send", "([BIIZ)V", Kind.EXIT_THROWN, FAILED, "this"),
        new JdkWeave(T, "publish", "(Ljava/util/logging/LogRecord;)V", Kind.ENTER_SKIP, CONSOLE, "this", "arg0"))
        .map(w -> w.forTarget(TARGET)).toList());
    assertNotNull(out, "the class was woven");
    woven = WovenClasses.define(T, out);
  }

  @AfterAll
  static void uninstall() {
    Dispatch.install(TARGET, null);
  }

  private static Object target() throws Exception {
    calls.clear();
    Object t = woven.getConstructor(String.class, URI.class).newInstance("POST", URI.create("/v1/x"));
    calls.clear();
    return t;
  }

  private static Object call(Object target, String name, Class<?>[] types, Object... args) throws Throwable {
    return WovenClasses.call(woven, target, name, types, args);
  }

  @Test
  void constructorsReportAtTheirEndWithAField() throws Exception {
    calls.clear();
    woven.getConstructor(String.class, URI.class).newInstance("GET", URI.create("/a"));
    assertEquals(List.of("exchange GET /a {x-request-id=[r1]}"), calls);
    calls.clear();
    // a constructor that throws reports nothing; the one it delegated to had reported at its end
    assertThrows(InvocationTargetException.class,
        () -> woven.getConstructor(String.class, URI.class, boolean.class).newInstance("PUT", URI.create("/b"), true));
    assertEquals(List.of("exchange PUT /b {x-request-id=[r1]}"), calls);
  }

  @Test
  void aTokenFromTheEntryReachesEveryExit() throws Throwable {
    Object t = target();
    assertEquals(100L + 0 + 1 + 4 + 6, call(t, "run", new Class<?>[]{int.class, boolean.class}, 5, false));
    assertEquals(List.of("started", "ended token"), calls);
    calls.clear();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> call(t, "run", new Class<?>[]{int.class, boolean.class}, 3, true));
    assertEquals("run failed", e.getMessage());
    assertEquals(List.of("started", "ended token"), calls);
  }

  @Test
  void theFirstArgumentIsReplaced() throws Throwable {
    Object t = target();
    List<String> ran = new ArrayList<>();
    call(t, "execute", new Class<?>[]{Runnable.class}, (Runnable) () -> ran.add("task"));
    Runnable stored = (Runnable) woven.getDeclaredField("task").get(t);
    stored.run();
    assertEquals(List.of("wrap", "wrapped"), calls);
    assertEquals(List.of("task"), ran);
    calls.clear();
    Runnable r = () -> {
    };
    Runnable back = (Runnable) call(null, "startStatic", new Class<?>[]{Runnable.class}, r);
    assertTrue(back != r, "a static method's argument is replaced too");
    assertEquals(List.of("wrap"), calls);
  }

  @Test
  void theReturnedValueIsReplaced() throws Throwable {
    Object t = target();
    InputStream in = (InputStream) call(t, "body", new Class<?>[0]);
    assertTrue(in instanceof java.io.FilterInputStream);
    assertEquals(3, in.readAllBytes().length);
    assertEquals(List.of("body"), calls);
  }

  @Test
  void primitiveArgumentsAndFieldsAtEntry() throws Throwable {
    Object t = target();
    call(t, "sendResponseHeaders", new Class<?>[]{int.class, long.class}, 201, 7L);
    assertEquals(List.of("status 201 {x-request-id=[r1]}"), calls);
  }

  @Test
  void onlyAThrowableLeavingTheMethodIsReported() throws Throwable {
    Object t = target();
    call(t, "doFilter", new Class<?>[]{boolean.class}, false);
    assertEquals(List.of(), calls, "the method's own handler caught its exception first");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> call(t, "doFilter", new Class<?>[]{boolean.class}, true));
    assertEquals("handler failed", e.getMessage());
    assertEquals(List.of("failed handler failed"), calls);
  }

  @Test
  void aMethodHasAnExitAtItsReturnsAndAnotherWhenItThrowsAndABooleanFieldIsAnInt() throws Throwable {
    Object t = target();
    Class<?>[] types = {byte[].class, int.class, int.class, boolean.class};
    call(t, "send", types, new byte[5], 1, 3, false);
    assertEquals(List.of("sent 5 1 3"), calls, "the field as set by the body: 1, then the length");
    calls.clear();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> call(t, "send", types, new byte[5], 0, 0, true));
    assertEquals("send failed", e.getMessage());
    assertEquals(List.of("failed send failed"), calls, "only the exit for a throw");
  }

  @Test
  void anEntryCanSkipTheMethod() throws Throwable {
    Object t = target();
    LogRecord record = new LogRecord(Level.INFO, "m");
    call(t, "publish", new Class<?>[]{LogRecord.class}, record);
    assertEquals(List.of("console"), calls);
    assertEquals(0, woven.getDeclaredField("published").getInt(t), "skipped: the agent printed the line");
    ((java.util.logging.Handler) t).setLevel(Level.OFF);
    calls.clear();
    call(t, "publish", new Class<?>[]{LogRecord.class}, record);
    assertEquals(List.of(), calls, "the handler's own level decides first");
    assertEquals(1, woven.getDeclaredField("published").getInt(t));
  }

  @Test
  void aClassWithNoMatchingMethodIsLeftAlone() throws Exception {
    byte[] bytes;
    try (InputStream in = WeaveTarget.class.getResourceAsStream("WeaveTarget.class")) {
      bytes = in.readAllBytes();
    }
    List<JdkWeave> missing = new java.util.ArrayList<>();
    JdkWeave absent = new JdkWeave(T, "absent", "()", Kind.ENTER, STARTED, "this");
    JdkWeave present = new JdkWeave(T, "run", "(IZ)J", Kind.ENTER_TOKEN, STARTED, "this");
    assertNull(JdkWeaver.weave(bytes, List.of(absent), missing::add));
    assertEquals(List.of(absent), missing, "a weave that found no method is told");
    missing.clear();
    assertNotNull(JdkWeaver.weave(bytes, List.of(present, absent), missing::add));
    assertEquals(List.of(absent), missing, "only the one that found none");
    assertSame(null, JdkWeaver.weave(bytes, List.of(
        new JdkWeave(T, "run", "(IZ)J", Kind.EXIT, EXCHANGE, "this", "field:absent"))),
        "a weave naming a field the class lacks is not applied");
  }

  /** doctor's check: this JDK's class files against the weaves, without loading or changing a class. */
  @Test
  void theWeavesThisJdkLacksAreFoundFromItsClassFiles() {
    String task = "java.util.concurrent.FutureTask";
    JdkWeave present = new JdkWeave(task, "run", "()V", Kind.ENTER_TOKEN, STARTED, "this");
    JdkWeave absentMethod = new JdkWeave(task, "absent", "()", Kind.ENTER, STARTED, "this");
    JdkWeave absentClass = new JdkWeave("java.util.concurrent.NoSuchTask", "run", "()V", Kind.ENTER,
        STARTED, "this");
    int feature = Runtime.version().feature();
    List<String> missing = JdkWeaver.missingOnThisJdk(List.of(present, absentMethod, absentClass,
        absentClass.since(feature + 1), absentMethod.before(feature)));
    assertEquals(2, missing.size(), String.valueOf(missing));
    assertTrue(missing.get(0).startsWith(task + " has no method absent()… on this JDK ("), missing.get(0));
    assertTrue(missing.get(1).startsWith("java.util.concurrent.NoSuchTask does not exist on this JDK"), missing.get(1));
    assertEquals(List.of(), JdkWeaver.missingOnThisJdk(List.of(present, absentMethod.since(feature + 1))),
        "a method of later JDKs is not looked for");
  }

  /**
   * doctor's check of a library's weaves against the application's classes: a method the class lacks is a version
   * the target does not support, unless the weave is optional (a method some versions have); a library that is not
   * there is no concern.
   */
  @Test
  void aLibraryWeaveOfAMethodItsClassLacksIsReportedUnlessOptional() {
    String task = "java.util.concurrent.FutureTask";
    JdkWeave present = new JdkWeave(task, "run", "()V", Kind.ENTER_TOKEN, STARTED, "this");
    JdkWeave absentMethod = new JdkWeave(task, "absent", "()", Kind.ENTER, STARTED, "this");
    JdkWeave absentLibrary = new JdkWeave("com.example.NoSuchLibrary", "run", "()V", Kind.ENTER, STARTED, "this");
    ClassLoader loader = getClass().getClassLoader();
    List<String> missing = JdkWeaver.missingIn(List.of(present, absentMethod, absentLibrary), loader);
    assertEquals(1, missing.size(), String.valueOf(missing));
    assertTrue(missing.get(0).startsWith(task + " has no method absent()…: a version of it that "), missing.get(0));
    assertTrue(absentMethod.optional().isOptional() && !absentMethod.isOptional());
    assertEquals(List.of(), JdkWeaver.missingIn(List.of(present, absentMethod.optional()), loader),
        "an optional weave's absent method is not reported");
  }
}
