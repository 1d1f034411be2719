package dynamo.obs.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class FlagsTest {

  private static final String USAGE = """
      Usage: demo [--name=value ...]
        --port=9000     port
        --models=a,b    models
        --share=0.5     share
      """;

  @Test
  void readsDeclaredFlagsAndFallsBackToDefaults() {
    Flags flags = Flags.parse(new String[]{"--port=1234", "--models=x, y,,z"}, USAGE);
    assertEquals(1234, flags.integer("port", 9000, 0));
    assertEquals(List.of("x", "y", "z"), flags.list("models", "a"));
    assertEquals(0.5, flags.fraction("share", 0.5));
  }

  @Test
  void rejectsUndeclaredMalformedAndOutOfRangeFlags() {
    assertThrows(Flags.FlagException.class, () -> Flags.parse(new String[]{"--prot=1"}, USAGE));
    assertThrows(Flags.FlagException.class, () -> Flags.parse(new String[]{"--port"}, USAGE));
    assertThrows(Flags.FlagException.class, () -> Flags.parse(new String[]{"port=1"}, USAGE));
    Flags flags = Flags.parse(new String[]{"--port=-1", "--share=1.5"}, USAGE);
    assertThrows(Flags.FlagException.class, () -> flags.integer("port", 9000, 0));
    assertThrows(Flags.FlagException.class, () -> flags.fraction("share", 0.5));
  }
}
