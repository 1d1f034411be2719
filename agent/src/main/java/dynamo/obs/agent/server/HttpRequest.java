package dynamo.obs.agent.server;

import java.util.Locale;
import java.util.Map;

/** A parsed request head: method, path (without query), version and lower-cased header names. */
public record HttpRequest(String method, String path, String version, Map<String, String> headers) {

  public String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  /** Whether a comma-separated header (Accept, Accept-Encoding) lists {@code token}. */
  public boolean headerHas(String name, String token) {
    String v = header(name);
    return v != null && v.toLowerCase(Locale.ROOT).contains(token);
  }
}
