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

  /** The lifecycle events' names are in order, and their values give what the sorting of any pairs gives. */
  @Test
  void presortedNamesGiveWhatSortingGives() {
    for (String[] names : List.of(AgentEvents.RECEIVED_FIELDS, AgentEvents.COMPLETED_FIELDS,
        AgentEvents.FAILED_FIELDS)) {
      List<String> sorted = new ArrayList<>(List.of(names));
      sorted.sort(null);
      assertEquals(sorted, List.of(names));
      for (int mask = 0; mask < 1 << names.length; mask++) {
        Object[] values = new Object[names.length];
        Object[] pairs = new Object[2 * names.length];
        for (int i = 0; i < names.length; i++) {
          values[i] = (mask & 1 << i) == 0 ? null : i % 3 == 0 ? (Object) (long) i : i % 3 == 1 ? "v" + i : Double.NaN;
          pairs[2 * (names.length - 1 - i)] = names[i]; // given in reverse: of() sorts them
          pairs[2 * (names.length - 1 - i) + 1] = values[i];
        }
        Map<String, String> expected = SortedFields.of(pairs);
        Map<String, String> f = SortedFields.sorted(names, values);
        assertEquals(new ArrayList<>(expected.entrySet()), new ArrayList<>(f.entrySet()));
      }
    }
  }
}
