package dynamo.obs.examples.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void parsesEveryValueType() {
    Object parsed = Json.parse(" {\"s\":\"a\\\"b\\\\c\\n\\u00e9\",\"i\":-42,\"d\":1.5e2,\"t\":true,\"f\":false,"
        + "\"n\":null,\"a\":[1,[],{}]} ");
    Map<String, Object> expected = Json.object("s", "a\"b\\c\né", "i", -42L, "d", 150.0, "t", true,
        "f", false, "n", null, "a", List.of(1L, List.of(), Map.of()));
    assertEquals(expected, parsed);
  }

  @Test
  void writesCompactJsonKeepingFieldOrder() {
    Map<String, Object> object = Json.object("z", 1, "a", Arrays.asList("x\"\t\u0001", null, 2.5, false));
    assertEquals("{\"z\":1,\"a\":[\"x\\\"\\t\\u0001\",null,2.5,false]}", Json.write(object));
  }

  @Test
  void roundTripsWhatItWrites() {
    Map<String, Object> object = Json.object("text", "line\r\nbreak / slash", "nested",
        Json.object("list", List.of(1L, 2L), "empty", ""));
    assertEquals(object, Json.parse(Json.write(object)));
  }

  @Test
  void rejectsMalformedText() {
    for (String bad : List.of("", "{", "{\"a\":}", "[1,]", "{\"a\" 1}", "tru", "\"open", "01x", "1 2", "-",
        "{'a':1}", "\"\\x\"", "1.", "[1 2]")) {
      assertThrows(Json.ParseException.class, () -> Json.parse(bad), bad);
    }
  }

  @Test
  void refusesValuesJsonCannotHold() {
    assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
  }
}
