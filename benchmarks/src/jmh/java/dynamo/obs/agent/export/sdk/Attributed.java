package dynamo.obs.agent.export.sdk;

import io.opentelemetry.api.common.AttributesBuilder;

/** Puts a plain value (String, Long, Integer, Double, Boolean) under its typed OTel attribute key. */
final class Attributed {
  private Attributed() {}

  static void put(AttributesBuilder b, String key, Object value) {
    if (value instanceof String) {
      b.put(key, (String) value);
    } else if (value instanceof Long || value instanceof Integer) {
      b.put(key, ((Number) value).longValue());
    } else if (value instanceof Number) {
      b.put(key, ((Number) value).doubleValue());
    } else if (value instanceof Boolean) {
      b.put(key, (Boolean) value);
    } else if (value != null) {
      b.put(key, value.toString());
    }
  }
}
