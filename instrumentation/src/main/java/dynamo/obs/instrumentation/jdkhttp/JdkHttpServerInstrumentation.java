package dynamo.obs.instrumentation.jdkhttp;

import dynamo.obs.instrumentation.InstrumentationModule;
import dynamo.obs.instrumentation.JdkWeave;
import dynamo.obs.instrumentation.JdkWeave.Kind;
import java.util.List;

/**
 * The JDK's {@code com.sun.net.httpserver} server. Its one implementation class,
 * {@code sun.net.httpserver.ServerImpl}, sits behind both {@code HttpServer} and
 * {@code HttpsServer}, so weaving it covers every server, whoever wrote the handlers.
 */
public final class JdkHttpServerInstrumentation implements InstrumentationModule {
  static final String NAME = "jdk-httpserver";
  private static final String SERVER = "sun.net.httpserver.ServerImpl";
  private static final String EXCHANGE = "sun.net.httpserver.ExchangeImpl";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "JDK com.sun.net.httpserver servers: routes served (health endpoints) and every inference request"
        + " (frontend metrics, x-request-id)";
  }

  @Override
  public List<JdkWeave> jdkWeaves() {
    return List.of(
        new JdkWeave(SERVER, "createContext", "(Ljava/lang/String;", Kind.EXIT, "contextCreated", "this", "arg0"),
        new JdkWeave(SERVER, "removeContext", "(Ljava/lang/String;)", Kind.EXIT, "contextRemoved", "this", "arg0"),
        new JdkWeave(SERVER, "removeContext", "(Lcom/sun/net/httpserver/HttpContext;)", Kind.EXIT, "contextRemoved",
            "this", "arg0"),
        new JdkWeave(SERVER, "start", "()V", Kind.EXIT, "serverStarted", "this"),
        new JdkWeave(SERVER, "stop", "(I)V", Kind.ENTER, "serverStopped", "this"),
        // one per request, whoever wrote the handler (class, lambda, behind filters)
        new JdkWeave(EXCHANGE, "<init>", "(Ljava/lang/String;Ljava/net/URI;", Kind.EXIT, "exchangeStarted",
            "this", "arg0", "arg1", "field:reqHdrs"),
        new JdkWeave(EXCHANGE, "getRequestBody", "()", Kind.EXIT_RETURN, "requestBody", "this"),
        new JdkWeave(EXCHANGE, "sendResponseHeaders", "(IJ)V", Kind.ENTER, "responseHeaders",
            "this", "arg0", "field:rspHdrs"),
        new JdkWeave(EXCHANGE, "getResponseBody", "()", Kind.EXIT_RETURN, "responseBody", "this"),
        new JdkWeave(EXCHANGE, "close", "()V", Kind.EXIT_ALWAYS, "exchangeClosed", "this"),
        // the runnable that parses and dispatches one request: when it returns, the thread is free
        new JdkWeave("sun.net.httpserver.ServerImpl$Exchange", "run", "()V", Kind.EXIT_ALWAYS, "exchangeRunEnded"),
        // a handler that throws: the server drops the connection without closing the exchange
        new JdkWeave("com.sun.net.httpserver.Filter$Chain", "doFilter", "(Lcom/sun/net/httpserver/HttpExchange;)V",
            Kind.EXIT_THROWN, "handlerFailed"));
  }

  @Override
  public void afterInstall(java.lang.instrument.Instrumentation inst) {
    JdkHttpServerDiscovery.reportRunningServers(inst);
  }
}
