package dynamo.obs.agent.targets.jdkhttpserver;

import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.agent.weaving.InstrumentationModule;
import dynamo.obs.agent.weaving.JdkWeave;
import dynamo.obs.agent.weaving.JdkWeave.Kind;
import dynamo.obs.bootstrap.Handler;
import java.lang.instrument.Instrumentation;
import java.util.List;

/**
 * The JDK's {@code com.sun.net.httpserver} server. Its one implementation class, {@code sun.net.httpserver.ServerImpl},
 * sits behind both {@code HttpServer} and {@code HttpsServer}, so weaving it covers every server, whoever wrote the
 * handlers. Woven by the agent's own weaver; the events go to {@link JdkHttpServerHandler}.
 */
public final class JdkHttpServerInstrumentation implements InstrumentationModule {
  static final String NAME = "jdk-httpserver";
  private static final String SERVER = "sun.net.httpserver.ServerImpl";
  private static final String EXCHANGE = "sun.net.httpserver.ExchangeImpl";

  // events: (arguments of Dispatch.on, or what Dispatch.onData / replace is given)
  /** (server, path). */
  static final int CONTEXT_CREATED = 0;
  /** (server, path or HttpContext). */
  static final int CONTEXT_REMOVED = 1;
  /** (server, its public HttpServer or HttpsServer). */
  static final int STARTED = 2;
  /** (server). */
  static final int STOPPED = 3;
  /** (exchange, method, URI, request headers). */
  static final int EXCHANGE_STARTED = 4;
  /** replace: the request body stream, (exchange). */
  static final int REQUEST_BODY = 5;
  /** onData: (exchange, response headers, status). */
  static final int RESPONSE_HEADERS = 6;
  /** replace: the response body stream, (exchange). */
  static final int RESPONSE_BODY = 7;
  /** (exchange). */
  static final int EXCHANGE_CLOSED = 8;
  /** (): the server finished running a request on this thread (its handler returned or threw). */
  static final int RUN_ENDED = 9;
  /** (throwable): a handler or filter threw out of the server's filter chain on this thread. */
  static final int HANDLER_FAILED = 10;
  /** (request line, request headers): the server read a request's headers. */
  static final int HEADERS_READ = 11;
  /**
   * (exchange task, request line, message, its raw output stream): the server is about to reject a request (a 404
   * when no context takes it); returns non-null when the agent answered it instead (the rejection then does nothing).
   */
  static final int REJECTING = 12;

  /** Whether the handler answers requests no context takes: it reads the server's connection internals then. */
  private volatile boolean answersUnrouted;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "JDK com.sun.net.httpserver servers: routes served (health endpoints), every inference request"
        + " (frontend metrics, x-request-id), and on a frontend /metrics, health and live where no context of the"
        + " application takes them";
  }

  @Override
  public List<Supported> supports() {
    return List.of(new Supported("JDK HttpServer", "JDK 17+", "com.sun.net.httpserver.HttpServer", null, null));
  }

  @Override
  public Handler handler(AgentServices services) {
    JdkHttpServerHandler handler = new JdkHttpServerHandler(services);
    answersUnrouted = handler.answersUnrouted();
    return handler;
  }

  @Override
  public List<JdkWeave> jdkWeaves() {
    return List.of(
        new JdkWeave(SERVER, "createContext", "(Ljava/lang/String;", Kind.EXIT, CONTEXT_CREATED, "this", "arg0"),
        new JdkWeave(SERVER, "removeContext", "(Ljava/lang/String;)", Kind.EXIT, CONTEXT_REMOVED, "this", "arg0"),
        new JdkWeave(SERVER, "removeContext", "(Lcom/sun/net/httpserver/HttpContext;)", Kind.EXIT, CONTEXT_REMOVED,
            "this", "arg0"),
        new JdkWeave(SERVER, "start", "()V", Kind.EXIT, STARTED, "this", "field:wrapper"),
        new JdkWeave(SERVER, "stop", "(I)V", Kind.ENTER, STOPPED, "this"),
        // one per request, whoever wrote the handler (class, lambda, behind filters)
        new JdkWeave(EXCHANGE, "<init>", "(Ljava/lang/String;Ljava/net/URI;", Kind.EXIT, EXCHANGE_STARTED,
            "this", "arg0", "arg1", "field:reqHdrs"),
        new JdkWeave(EXCHANGE, "getRequestBody", "()", Kind.EXIT_RETURN, REQUEST_BODY, "this"),
        new JdkWeave(EXCHANGE, "sendResponseHeaders", "(IJ)V", Kind.ENTER, RESPONSE_HEADERS,
            "this", "field:rspHdrs", "arg0"),
        new JdkWeave(EXCHANGE, "getResponseBody", "()", Kind.EXIT_RETURN, RESPONSE_BODY, "this"),
        new JdkWeave(EXCHANGE, "close", "()V", Kind.EXIT_ALWAYS, EXCHANGE_CLOSED, "this"),
        // the runnable that parses and dispatches one request: when it returns, the thread is free
        new JdkWeave("sun.net.httpserver.ServerImpl$Exchange", "run", "()V", Kind.EXIT_ALWAYS, RUN_ENDED),
        // a handler that throws: the server drops the connection without closing the exchange
        new JdkWeave("com.sun.net.httpserver.Filter$Chain", "doFilter", "(Lcom/sun/net/httpserver/HttpExchange;)V",
            Kind.EXIT_THROWN, HANDLER_FAILED),
        // a frontend's own port answers the system status server's routes where no context of the application does
        new JdkWeave("sun.net.httpserver.Request", "headers", "()", Kind.EXIT, HEADERS_READ,
            "field:startLine", "field:hdrs"),
        new JdkWeave("sun.net.httpserver.ServerImpl$Exchange", "reject", "(ILjava/lang/String;Ljava/lang/String;)V",
            Kind.ENTER_SKIP, REJECTING, "this", "arg1", "arg2", "field:rawout"));
  }

  @Override
  public void afterInstall(Instrumentation inst) {
    if (answersUnrouted) {
      JdkHttpServerDiscovery.openServerPackage(inst);
    }
    JdkHttpServerDiscovery.reportRunningServers(inst);
  }
}
