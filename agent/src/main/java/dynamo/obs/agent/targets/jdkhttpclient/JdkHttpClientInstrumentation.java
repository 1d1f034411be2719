package dynamo.obs.agent.targets.jdkhttpclient;

import dynamo.obs.agent.context.RequestContext;
import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.agent.weaving.InstrumentationModule;
import dynamo.obs.bootstrap.Handler;
import java.lang.instrument.Instrumentation;
import dynamo.obs.agent.weaving.JdkWeave;
import dynamo.obs.agent.weaving.JdkWeave.Kind;
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
  static final String NAME = "jdk-httpclient";
  /** (the client's request object): made from the user's request by send or sendAsync. */
  static final int REQUEST = 0;
  /** (request, the request it follows): a redirect's or an authentication retry's request was made. */
  static final int REQUEST_FOLLOWED = 1;
  /** (connection): an {@code HttpURLConnection} is about to connect. */
  static final int URL_CONNECTION = 2;

  private static final String URL_CONNECTION_CLASS = "sun.net.www.protocol.http.HttpURLConnection";
  private static final String REQUEST_IMPL = "jdk.internal.net.http.HttpRequestImpl";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "java.net.http.HttpClient and HttpURLConnection: propagation headers (x-request-id, request-id,"
        + " x-frontend-send-ts-ns) on calls made inside a request";
  }

  @Override
  public Handler handler(AgentServices services) {
    return new Handler() {
      @Override
      public Object on(int event, Object a, Object b, Object c, Object d) throws Throwable {
        switch (event) {
          case REQUEST -> RequestContext.onHttpRequest(a);
          case REQUEST_FOLLOWED -> RequestContext.onHttpRequestFollowed(a, b);
          case URL_CONNECTION -> RequestContext.onUrlConnection(a);
          default -> {
          }
        }
        return null;
      }
    };
  }

  @Override
  public List<JdkWeave> jdkWeaves() {
    return List.of(
        // the client's copy of the user's request, made by every send and sendAsync
        new JdkWeave(REQUEST_IMPL, "<init>", "(Ljava/net/http/HttpRequest;Ljava/net/ProxySelector;)", Kind.EXIT,
            REQUEST, "this"),
        // a redirect's or an authentication retry's request, made from the one it follows: (URI, String,
        // HttpRequestImpl, boolean) in JDK 17 up to 17.0.15 at least; later ones add an Optional<BiPredicate>
        // and keep the four-argument constructor calling it, so both are matched (by this prefix of their
        // descriptors) and a redirect's headers may be copied twice, to the same values
        new JdkWeave(REQUEST_IMPL, "<init>",
            "(Ljava/net/URI;Ljava/lang/String;Ljdk/internal/net/http/HttpRequestImpl;Z",
            Kind.EXIT, REQUEST_FOLLOWED, "this", "arg2"),
        new JdkWeave(URL_CONNECTION_CLASS, "connect", "()", Kind.ENTER, URL_CONNECTION, "this"),
        new JdkWeave(URL_CONNECTION_CLASS, "getOutputStream", "()", Kind.ENTER, URL_CONNECTION, "this"),
        new JdkWeave(URL_CONNECTION_CLASS, "getInputStream", "()", Kind.ENTER, URL_CONNECTION, "this"));
  }

  /**
   * The client's request class and its system headers are internal: their package is opened to the
   * agent's module, and to nobody else.
   */
  @Override
  public void afterInstall(Instrumentation inst) {
    Module agent = JdkHttpClientInstrumentation.class.getModule();
    ModuleLayer.boot().findModule("java.net.http").ifPresent(http -> inst.redefineModule(http, Set.of(),
        Map.of("jdk.internal.net.http.common", Set.of(agent)), Map.of("jdk.internal.net.http", Set.of(agent)),
        Set.of(), Map.of()));
  }
}
