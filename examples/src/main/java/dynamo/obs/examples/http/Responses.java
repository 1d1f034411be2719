package dynamo.obs.examples.http;

import com.sun.net.httpserver.HttpExchange;
import dynamo.obs.examples.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Whole (non-streamed) responses shared by the example servers.
 *
 * <p>Errors use OpenAI's error object, {@code {"error":{"message","type","param","code"}}}, on every server, so
 * a client of the frontend sees one error shape whichever hop failed.
 */
public final class Responses {

  private Responses() {
  }

  public static void sendJson(HttpExchange exchange, int status, Object json) throws IOException {
    send(exchange, status, "application/json", Json.write(json));
  }

  public static void sendText(HttpExchange exchange, int status, String text) throws IOException {
    send(exchange, status, "text/plain; charset=utf-8", text);
  }

  public static void sendError(HttpExchange exchange, int status, String type, String message) throws IOException {
    sendError(exchange, status, type, message, null, null);
  }

  public static void sendError(HttpExchange exchange, int status, String type, String message, String param,
      String code) throws IOException {
    sendJson(exchange, status, errorBody(type, message, param, code));
  }

  public static Object errorBody(String type, String message, String param, String code) {
    return Json.object("error", Json.object("message", message, "type", type, "param", param, "code", code));
  }

  /**
   * Answers 404 or 405 unless the request is exactly {@code method} on the handler's own path; the JDK server
   * routes by path prefix, so {@code /v1/models/x} would otherwise reach the {@code /v1/models} handler.
   */
  public static boolean accepts(HttpExchange exchange, String method) throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (!path.equals(exchange.getHttpContext().getPath())) {
      sendError(exchange, 404, "not_found_error", "no route for " + path);
      return false;
    }
    if (!exchange.getRequestMethod().equals(method)) {
      exchange.getResponseHeaders().set("Allow", method);
      sendError(exchange, 405, "invalid_request_error", path + " only accepts " + method);
      return false;
    }
    return true;
  }

  public static String readBody(HttpExchange exchange) throws IOException {
    return new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
  }

  private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
