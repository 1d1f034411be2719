package dynamo.obs.instrumentation.jdkhttpclient;

import dynamo.obs.instrumentation.InstrumentationModule;
import dynamo.obs.instrumentation.JdkWeave;
import dynamo.obs.instrumentation.JdkWeave.Kind;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Outbound HTTP from inside a request: {@code java.net.http.HttpClient} and {@code HttpURLConnection}.
 * They carry the request's propagation headers to the next process (SPEC §5). Every send and
 * sendAsync of the HttpClient copies the user's request into the client's own request object, whose
 * system headers (Host, User-Agent, …) go out beside the user's: the headers are added there, so the
 * user's request is not copied a second time; a redirect or an authentication retry takes them
 * from the request it follows.
 */
public final class JdkHttpClientInstrumentation implements InstrumentationModule {
  private static final String URL_CONNECTION = "sun.net.www.protocol.http.HttpURLConnection";
  private static final String REQUEST_IMPL = "jdk.internal.net.http.HttpRequestImpl";

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
        // the client's copy of the user's request, made by every send and sendAsync
        new JdkWeave(REQUEST_IMPL, "<init>", "(Ljava/net/http/HttpRequest;Ljava/net/ProxySelector;)", Kind.EXIT,
            "outboundHttpRequest", "this"),
        // a redirect's or an authentication retry's request, made from the one it follows: (URI, String,
        // HttpRequestImpl, boolean) in JDK 17 up to 17.0.15 at least; later ones add an Optional<BiPredicate>
        // and keep the four-argument constructor calling it, so both are matched (by this prefix of their
        // descriptors) and a redirect's headers may be copied twice, to the same values
        new JdkWeave(REQUEST_IMPL, "<init>",
            "(Ljava/net/URI;Ljava/lang/String;Ljdk/internal/net/http/HttpRequestImpl;Z",
            Kind.EXIT, "outboundHttpRequestFollowed", "this", "arg2"),
        new JdkWeave(URL_CONNECTION, "connect", "()", Kind.ENTER, "outboundUrlConnection", "this"),
        new JdkWeave(URL_CONNECTION, "getOutputStream", "()", Kind.ENTER, "outboundUrlConnection", "this"),
        new JdkWeave(URL_CONNECTION, "getInputStream", "()", Kind.ENTER, "outboundUrlConnection", "this"));
  }

  /**
   * The client's request class and its system headers are internal: their package is opened to the
   * agent's module, and to nobody else.
   */
  @Override
  public void afterInstall(java.lang.instrument.Instrumentation inst) {
    Module agent = JdkHttpClientInstrumentation.class.getModule();
    ModuleLayer.boot().findModule("java.net.http").ifPresent(http -> inst.redefineModule(http, Set.of(),
        Map.of("jdk.internal.net.http.common", Set.of(agent)), Map.of("jdk.internal.net.http", Set.of(agent)),
        Set.of(), Map.of()));
  }
}
