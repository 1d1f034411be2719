package dynamo.obs.examples.frontend;

import com.sun.net.httpserver.HttpExchange;
import dynamo.obs.examples.http.Responses;
import java.io.IOException;

/** A request the frontend refuses, answered with OpenAI's error object and the matching HTTP status. */
final class OpenAiError extends Exception {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String type;
  private final String param;
  private final String code;

  private OpenAiError(int status, String type, String message, String param, String code) {
    super(message);
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
  }

  /** 400: the request is malformed or a field is invalid; {@code param} names the field, if any. */
  static OpenAiError invalid(String message, String param) {
    return new OpenAiError(400, "invalid_request_error", message, param, null);
  }

  /** 404 for a served model asked for on an endpoint it does not serve. */
  static OpenAiError notServedHere(String model, String what) {
    return new OpenAiError(404, "not_found_error", "The model `" + model + "` does not serve " + what + ".",
        "model", "model_not_found");
  }

  static OpenAiError unknownModel(String model) {
    return new OpenAiError(404, "not_found_error", "The model `" + model + "` does not exist.", "model",
        "model_not_found");
  }

  /** 529: the frontend has as many requests in flight as it takes (Dynamo's overload answer). */
  static OpenAiError overloaded(int limit) {
    return new OpenAiError(529, "overloaded_error", "The frontend is serving its limit of " + limit
        + " requests; retry shortly.", null, null);
  }

  /** 500: the generation failed on the worker. */
  static OpenAiError internal(String message) {
    return new OpenAiError(500, "server_error", message, null, null);
  }

  /** 501: a feature the deployment does not implement (as Dynamo answers deprecated fields). */
  static OpenAiError notImplemented(String message, String param) {
    return new OpenAiError(501, "not_implemented", message, param, null);
  }

  /** 503: the router or a worker could not serve the request. */
  static OpenAiError unavailable(String message) {
    return new OpenAiError(503, "service_unavailable", message, null, null);
  }

  /** The error object, also sent as the last SSE event when a stream fails after it started. */
  Object body() {
    return Responses.errorBody(type, getMessage(), param, code);
  }

  void send(HttpExchange exchange) throws IOException {
    Responses.sendJson(exchange, status, body());
  }
}
