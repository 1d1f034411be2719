package dynamo.obs.it.apps;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * An application that uses the OpenTelemetry API (only what 1.x versions share), as Spring AI or
 * LangChain4j do, and no SDK: on {@code /v1/chat/completions} it reads {@code Span.current()}, starts a span
 * {@code app.work} from {@code GlobalOpenTelemetry}'s tracer with attributes and an event, and inside it
 * {@code app.early} from a tracer it took at start; makes {@code app.work} and
 * a baggage entry current, calls the URL of its first argument with {@code java.net.http.HttpClient}, and
 * answers {@code current=<trace id>/<span id> app=<trace id>/<span id>}. Prints {@code READY <port>}.
 */
public final class OtelApiApp {
  private OtelApiApp() {
  }

  public static void main(String[] args) throws Exception {
    String next = args[0];
    HttpClient client = HttpClient.newHttpClient();
    // taken at start, as applications do, possibly before the agent's weaving of the API is in place
    Tracer early = GlobalOpenTelemetry.getTracer("com.acme.early");
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.createContext("/v1/chat/completions", ex -> {
      ex.getRequestBody().readAllBytes();
      Span current = Span.current();
      Tracer tracer = GlobalOpenTelemetry.getTracer("com.acme.chat", "1.0");
      Span work = tracer.spanBuilder("app.work").setAttribute("app.step", "retrieve").startSpan();
      String answer;
      try (Scope ignored = work.makeCurrent();
          Scope baggage = Baggage.current().toBuilder().put("tenant", "acme").build().makeCurrent()) {
        work.setAttribute(AttributeKey.longKey("app.documents"), 3L);
        work.addEvent("retrieved", Attributes.of(AttributeKey.stringKey("app.source"), "index"));
        early.spanBuilder("app.early").startSpan().end();
        String downstream = client.send(HttpRequest.newBuilder(URI.create(next)).GET().build(),
            HttpResponse.BodyHandlers.ofString()).body();
        work.setStatus(StatusCode.OK);
        answer = "current=" + current.getSpanContext().getTraceId() + "/" + current.getSpanContext().getSpanId()
            + " app=" + work.getSpanContext().getTraceId() + "/" + work.getSpanContext().getSpanId()
            + " downstream=" + downstream;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        answer = "interrupted";
      } finally {
        work.end();
      }
      byte[] out = answer.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, out.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(out);
      }
    });
    s.start();
    System.out.println("READY " + s.getAddress().getPort());
    new CountDownLatch(1).await();
  }
}
