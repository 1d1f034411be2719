package dynamo.obs.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MethodListTest {
  @Test
  void parsesOtelSyntaxPlusStar() {
    MethodList l = MethodList.parse(" com.acme.Router[route, pick] ; com.acme.Engine$Impl[*];");
    assertEquals(2, l.targets().size());
    assertEquals(new MethodList.Target("com.acme.Router", Set.of("route", "pick")), l.targets().get(0));
    assertTrue(l.targets().get(1).allMethods());
    assertEquals(List.of(), l.rejected());
  }

  @Test
  void rejectsMalformedSegmentsOneByOne() {
    MethodList l = MethodList.parse("a.B[m];.x.Y[m];a.B;a.B[];a.B[m,];a b.C[m];a.B[m][n];ok.C[run]");
    assertEquals(List.of("a.B", "ok.C"), l.targets().stream().map(MethodList.Target::className).toList());
    assertEquals(List.of(".x.Y[m]", "a.B", "a.B[]", "a.B[m,]", "a b.C[m]", "a.B[m][n]"), l.rejected());
  }
}
