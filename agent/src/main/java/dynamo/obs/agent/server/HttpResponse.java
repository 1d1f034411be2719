package dynamo.obs.agent.server;

import java.nio.charset.StandardCharsets;

/** A complete response: written in one piece so small responses leave in one TCP segment. */
public record HttpResponse(int status, String contentType, byte[] body, String contentEncoding) {

  public static final String TEXT_UTF8 = "text/plain; charset=utf-8";

  public static HttpResponse text(int status, String body) {
    return new HttpResponse(status, TEXT_UTF8, body.getBytes(StandardCharsets.UTF_8), null);
  }

  /**
   * The response as it goes on the wire, head and body in one array: {@code Connection: keep-alive} or {@code close};
   * for a HEAD request the head only, its {@code Content-Length} the body's.
   */
  public byte[] wire(boolean keepAlive, boolean headOnly) {
    StringBuilder head = new StringBuilder(160);
    head.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
    head.append("Content-Type: ").append(contentType).append("\r\n");
    head.append("Content-Length: ").append(body.length).append("\r\n");
    if (contentEncoding != null) {
      head.append("Content-Encoding: ").append(contentEncoding).append("\r\n");
    }
    if (status == 405) {
      head.append("Allow: GET, HEAD\r\n");
    }
    head.append(keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n");
    head.append("\r\n");
    byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
    int bodyLen = headOnly ? 0 : body.length;
    byte[] all = new byte[h.length + bodyLen];
    System.arraycopy(h, 0, all, 0, h.length);
    System.arraycopy(body, 0, all, h.length, bodyLen);
    return all;
  }

  static String reason(int status) {
    switch (status) {
      case 200 :
        return "OK";
      case 400 :
        return "Bad Request";
      case 404 :
        return "Not Found";
      case 405 :
        return "Method Not Allowed";
      case 408 :
        return "Request Timeout";
      case 413 :
        return "Payload Too Large";
      case 431 :
        return "Request Header Fields Too Large";
      case 500 :
        return "Internal Server Error";
      case 503 :
        return "Service Unavailable";
      default :
        return "Status";
    }
  }
}
