package dynamo.obs.agent.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonCheckTest {
  @ParameterizedTest
  @ValueSource(strings = {"{}", " {\"a\":1} ", "{\"a\":[1,2.5,-3e4,true,false,null,{\"b\":\"\\u00e9\\n\"}]}"})
  void acceptsObjects(String json) {
    assertNull(JsonCheck.objectError(json));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "[]", "{", "{\"a\"}", "{\"a\":01}", "{\"a\":1,}", "{\"a\":1} x", "{'a':1}",
      "{\"a\":\"\u0001\"}", "{\"a\":tru}"})
  void rejectsEverythingElse(String json) {
    assertNotNull(JsonCheck.objectError(json));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "{", "{\"a\"", "{\"a\":", "{\"a\":1", "[1,", "\"ab", "\"a\\", "\"a\\u00",
      "{\"a\":[true", "{\"a\":1}", "-0.5e3"})
  void aValueOrTheStartOfOne(String json) {
    assertTrue(JsonCheck.isValueOrStart(json), json);
  }

  @ParameterizedTest
  @ValueSource(strings = {"-", "1.", "1e", "tr", "{\"a\":1.}", "[1,]", "{} x", "{\"a\" 1", "\"\u0001", "{\"a\":01",
      "\"\\x"})
  void neitherAValueNorTheStartOfOne(String json) {
    assertFalse(JsonCheck.isValueOrStart(json), json);
  }

  @ParameterizedTest
  @ValueSource(strings = {"42", "-0.5e3", "true", "false", "null", "\"q\"", "[1,{\"a\":[]}]", " {\"a\":1} "})
  void valuesOfAnyKindAreJson(String json) {
    assertTrue(JsonCheck.isValue(json));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "alice", "42abc", "01", "NaN", "nothing", "truefalse", "{\"a\":1", "1 2"})
  void wordsAndBrokenJsonAreNot(String text) {
    assertFalse(JsonCheck.isValue(text));
  }
}
