package dynamo.obs.agent.weaving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Serializable;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.matcher.ElementMatchers;
import org.junit.jupiter.api.Test;

/** The super-type index answers as Byte Buddy's hierarchy matcher does, reading only class file headers. */
class SuperTypeIndexTest {
  private static final ClassLoader LOADER = SuperTypeIndexTest.class.getClassLoader();

  /** A class whose match comes through a super class and an interface of this module's own. */
  abstract static class Rows extends AbstractList<String> implements Marked {
  }

  interface Marked extends Serializable {
  }

  static final class MarkedRows extends Rows {
    @Override
    public String get(int index) {
      return null;
    }

    @Override
    public int size() {
      return 0;
    }
  }

  private static final List<Class<?>> TYPES = List.of(Object.class, String.class, StringBuilder.class,
      ArrayList.class, AbstractList.class, List.class, java.util.HashMap.class,
      java.util.concurrent.ConcurrentHashMap.class,
      PrintWriter.class, java.io.Writer.class, java.io.BufferedReader.class, InputStream.class,
      java.io.FileInputStream.class, Thread.class, Rows.class, MarkedRows.class, Marked.class, Map.Entry.class,
      java.util.AbstractMap.SimpleEntry.class, java.util.concurrent.ThreadPoolExecutor.class);

  private static final List<Set<String>> SETS = List.of(Set.of("java.util.Collection"),
      Set.of("java.util.Map", "java.lang.Iterable"), Set.of("java.io.Closeable"), Set.of("java.io.Writer"),
      Set.of(Marked.class.getName()), Set.of("java.lang.Appendable", "java.lang.Runnable"), Set.of("java.lang.Object"));

  @Test
  void everySetAnswersAsByteBuddysHierarchyMatcher() {
    SuperTypeIndex index = new SuperTypeIndex();
    List<AgentBuilder.RawMatcher> matchers = new ArrayList<>();
    for (Set<String> s : SETS) {
      matchers.add(index.subtypesOf(s, ElementMatchers.any(), ElementMatchers.any()));
    }
    int matched = 0;
    for (Class<?> c : TYPES) {
      TypeDescription type = TypeDescription.ForLoadedType.of(c);
      for (int i = 0; i < SETS.size(); i++) {
        boolean expected = new InstrumentationModule.TypeAdvice.SubtypeOf(SETS.get(i)).matches(type);
        assertEquals(expected, matchers.get(i).matches(type, LOADER, null, null, null), c + " in " + SETS.get(i));
        matched += expected ? 1 : 0;
      }
    }
    assertTrue(matched > 10, "the cases include matches: " + matched);
  }

  @Test
  void anInterfaceOrTheBootstrapLoaderNeverMatches() {
    SuperTypeIndex index = new SuperTypeIndex();
    AgentBuilder.RawMatcher lists = index.subtypesOf(Set.of("java.util.List"), ElementMatchers.any(),
        ElementMatchers.any());
    assertFalse(lists.matches(TypeDescription.ForLoadedType.of(List.class), LOADER, null, null, null));
    assertFalse(lists.matches(TypeDescription.ForLoadedType.of(ArrayList.class), null, null, null, null));
    assertTrue(lists.matches(TypeDescription.ForLoadedType.of(ArrayList.class), LOADER, null, null, null));
  }

  @Test
  void aClassBeingDefinedIsReadFromItsTransformationAndAMissingSuperTypeIsNoMatch() throws Exception {
    SuperTypeIndex index = new SuperTypeIndex();
    AgentBuilder.RawMatcher collections = index.subtypesOf(Set.of("java.util.Collection"), ElementMatchers.any(),
        ElementMatchers.any());
    AgentBuilder.RawMatcher missing = index.subtypesOf(Set.of("no.such.Base"), ElementMatchers.any(),
        ElementMatchers.any());
    // a class no loader has: only its transformation's class files know it
    byte[] orphan = new ByteBuddy().subclass(AbstractList.class).name("generated.Orphan")
        .implement(new ByteBuddy().makeInterface().name("no.such.Iface").make().getTypeDescription())
        .make().getBytes();
    index.recordingClassFiles(AgentBuilder.PoolStrategy.Default.FAST).typePool(new ClassFileLocator.Compound(
        ClassFileLocator.Simple.of("generated.Orphan", orphan), ClassFileLocator.ForClassLoader.of(LOADER)), LOADER);
    TypeDescription type = new TypeDescription.Latent("generated.Orphan", 0, null);
    assertTrue(collections.matches(type, LOADER, null, null, null));
    assertFalse(missing.matches(type, LOADER, null, null, null));
    index.transformationDone();
  }

  @Test
  void theHeaderNamesTheDirectSuperTypes() throws IOException {
    TypeHierarchy.Header h = new TypeHierarchy.Header(classFile(Rows.class));
    assertFalse(h.isInterface);
    assertArrayEquals(new String[]{"java.util.AbstractList", Marked.class.getName()}, h.superTypes);
    TypeHierarchy.Header i = new TypeHierarchy.Header(classFile(Marked.class));
    assertTrue(i.isInterface);
    assertArrayEquals(new String[]{"java.lang.Object", "java.io.Serializable"}, i.superTypes);
    assertArrayEquals(new String[0], new TypeHierarchy.Header(classFile(Object.class)).superTypes);
  }

  private static byte[] classFile(Class<?> c) throws IOException {
    return ClassFileLocator.ForClassLoader.read(c);
  }
}
