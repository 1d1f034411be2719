package dynamo.obs.agent.server;

import java.nio.charset.StandardCharsets;

/** A complete response: written in one piece so small responses leave in one TCP segment. */
public record HttpResponse(int status, String contentType, byte[] body, String contentEncoding) {

  public static final String TEXT_UTF8 = "text/plain; charset=utf-8";

  public static HttpResponse text(int status, String body) {
    return new HttpResponse(status, TEXT_UTF8, body.getBytes(StandardCharsets.UTF_8), null);
  }

  static String reason(int status) {
    switch (status) {
      case 200:
        return "OK";
      case 400:
        return "Bad Request";
      case 404:
        return "Not Found";
      case 405:
        return "Method Not Allowed";
      case 408:
        return "Request Timeout";
      case 413:
        return "Payload Too Large";
      case 431:
        return "Request Header Fields Too Large";
      case 500:
        return "Internal Server Error";
      case 503:
        return "Service Unavailable";
      default:
        return "Status";
    }
  }
}
