package dynamo.obs.it.ecosystem;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Test data as JSON (dashboards, Prometheus API answers, JSONL log lines), read strictly with Jackson — one value, no
 * trailing text, no duplicate keys: objects become {@link LinkedHashMap}s in document order, arrays {@link List}s,
 * numbers {@link Double}s.
 */
public final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private Json() {
  }

  public static Object parse(String text) {
    try {
      return normalized(MAPPER.readValue(text, Object.class));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Numbers as Double, objects with their order, recursively. */
  private static Object normalized(Object o) {
    return tree(o, v -> v instanceof Number n ? n.doubleValue() : v);
  }

  /**
   * A parsed document with string keys kept in their order, its lists copied, and every other value passed through
   * {@code scalar} (the Yaml reader shares this walk with its own rule for numbers).
   */
  static Object tree(Object o, UnaryOperator<Object> scalar) {
    if (o instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), tree(v, scalar)));
      return out;
    }
    if (o instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      l.forEach(v -> out.add(tree(v, scalar)));
      return out;
    }
    return scalar.apply(o);
  }

  @SuppressWarnings("unchecked")
  public static Map<String, Object> object(Object o) {
    if (!(o instanceof Map)) {
      throw new IllegalArgumentException("not a JSON object: " + o);
    }
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  public static List<Object> array(Object o) {
    if (!(o instanceof List)) {
      throw new IllegalArgumentException("not a JSON array: " + o);
    }
    return (List<Object>) o;
  }
}
