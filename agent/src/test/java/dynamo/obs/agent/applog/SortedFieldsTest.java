package dynamo.obs.agent.applog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SortedFieldsTest {
  @Test
  void pairsSortedByNameAsText() {
    Map<String, String> f = SortedFields.of("status", "success", "elapsed_ms", 12L, "model", "m", "error_type", null,
        "ratio", Double.NaN, null, "x", "b", Float.POSITIVE_INFINITY, "flag", true);
    assertEquals(List.of("b", "elapsed_ms", "flag", "model", "ratio", "status"), new ArrayList<>(f.keySet()));
    assertEquals(new TreeMap<>(Map.of("status", "success", "elapsed_ms", "12", "model", "m", "ratio", "0", "b", "0",
        "flag", "true")), new TreeMap<>(f), "null values and names left out, non-finite numbers 0");
    assertEquals("12", f.get("elapsed_ms"));
    assertNull(f.get("error_type"));
    List<String> seen = new ArrayList<>();
    f.forEach((k, v) -> seen.add(k + "=" + v));
    assertEquals(List.of("b=0", "elapsed_ms=12", "flag=true", "model=m", "ratio=0", "status=success"), seen);
  }

  @Test
  void aNameGivenTwiceKeepsItsLastValueAndNothingIsEmpty() {
    Map<String, String> f = SortedFields.of("a", "1", "c", "3", "a", "2");
    assertEquals(2, f.size());
    assertEquals("2", f.get("a"));
    assertTrue(SortedFields.of().isEmpty());
    assertTrue(SortedFields.of("only", null).isEmpty());
    assertEquals(Map.of("z", "26"), SortedFields.of("z", 26));
  }
}
