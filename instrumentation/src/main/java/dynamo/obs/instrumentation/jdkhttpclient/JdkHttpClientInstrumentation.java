package dynamo.obs.instrumentation.jdkhttpclient;

import dynamo.obs.instrumentation.InstrumentationModule;
import dynamo.obs.instrumentation.JdkWeave;
import dynamo.obs.instrumentation.JdkWeave.Kind;
import java.util.List;

/**
 * Outbound HTTP from inside a request: {@code java.net.http.HttpClient} (every send and sendAsync
 * goes through one method of its implementation) and {@code HttpURLConnection}. They carry the
 * request's propagation headers to the next process (SPEC §5).
 */
public final class JdkHttpClientInstrumentation implements InstrumentationModule {
  private static final String URL_CONNECTION = "sun.net.www.protocol.http.HttpURLConnection";

  @Override
  public String name() {
    return "jdk-httpclient";
  }

  @Override
  public String description() {
    return "java.net.http.HttpClient and HttpURLConnection: propagation headers (x-request-id, request-id,"
        + " x-frontend-send-ts-ns) on calls made inside a request";
  }

  @Override
  public List<JdkWeave> jdkWeaves() {
    return List.of(
        new JdkWeave("jdk.internal.net.http.HttpClientImpl", "sendAsync",
            "(Ljava/net/http/HttpRequest;Ljava/net/http/HttpResponse$BodyHandler;"
                + "Ljava/net/http/HttpResponse$PushPromiseHandler;Ljava/util/concurrent/Executor;)",
            Kind.ENTER_WRAP_ARG0, "outboundHttpRequest", "arg0"),
        new JdkWeave(URL_CONNECTION, "connect", "()", Kind.ENTER, "outboundUrlConnection", "this"),
        new JdkWeave(URL_CONNECTION, "getOutputStream", "()", Kind.ENTER, "outboundUrlConnection", "this"),
        new JdkWeave(URL_CONNECTION, "getInputStream", "()", Kind.ENTER, "outboundUrlConnection", "this"));
  }
}
