package dynamo.obs.instrumentation.jdkhttp;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import dynamo.obs.bootstrap.Hooks;
import dynamo.obs.instrumentation.InstrumentationModule;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.List;
import java.util.Map;
import net.bytebuddy.asm.Advice;

/**
 * The JDK's {@code com.sun.net.httpserver} server. Its one implementation class,
 * {@code sun.net.httpserver.ServerImpl}, sits behind both {@code HttpServer} and
 * {@code HttpsServer}, so weaving it covers every server, whoever wrote the handlers.
 */
public final class JdkHttpServerInstrumentation implements InstrumentationModule {
  static final String NAME = "jdk-httpserver";

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
  public List<TypeAdvice> typeAdvice() {
    String self = JdkHttpServerInstrumentation.class.getName();
    return List.of(
        TypeAdvice.named("sun.net.httpserver.ServerImpl", List.of(
            new AdviceBinding(named("createContext").and(takesArgument(0, String.class)), self + "$CreateContextAdvice"),
            new AdviceBinding(named("removeContext").and(takesArguments(String.class)), self + "$RemoveContextByPathAdvice"),
            new AdviceBinding(named("removeContext").and(takesArguments(HttpContext.class)), self + "$RemoveContextAdvice"),
            new AdviceBinding(named("start").and(takesArguments(0)), self + "$StartAdvice"),
            new AdviceBinding(named("stop").and(takesArguments(int.class)), self + "$StopAdvice"))),
        // One per request, whoever wrote the handler (class, lambda, behind filters).
        TypeAdvice.named("sun.net.httpserver.ExchangeImpl", List.of(
            new AdviceBinding(isConstructor().and(takesArgument(0, String.class)).and(takesArgument(1, URI.class)),
                self + "$ExchangeStartAdvice"),
            new AdviceBinding(named("getRequestBody").and(takesArguments(0)), self + "$RequestBodyAdvice"),
            new AdviceBinding(named("sendResponseHeaders").and(takesArguments(int.class, long.class)),
                self + "$ResponseHeadersAdvice"),
            new AdviceBinding(named("getResponseBody").and(takesArguments(0)), self + "$ResponseBodyAdvice"),
            new AdviceBinding(named("close").and(takesArguments(0)), self + "$ExchangeCloseAdvice"))),
        // The runnable that parses and dispatches one request: when it returns, the thread is free.
        TypeAdvice.named("sun.net.httpserver.ServerImpl$Exchange", List.of(
            new AdviceBinding(named("run").and(takesArguments(0)), self + "$ExchangeRunAdvice"))),
        // A handler that throws: the server drops the connection without closing the exchange.
        TypeAdvice.named("com.sun.net.httpserver.Filter$Chain", List.of(
            new AdviceBinding(named("doFilter").and(takesArguments(HttpExchange.class)), self + "$HandlerFailureAdvice"))));
  }

  @Override
  public void afterInstall(java.lang.instrument.Instrumentation inst) {
    JdkHttpServerDiscovery.reportRunningServers(inst);
  }

  @SuppressWarnings("unused")
  public static final class CreateContextAdvice {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.This Object server, @Advice.Argument(0) String path, @Advice.Thrown Throwable thrown) {
      if (thrown == null) {
        Hooks.get().httpServerContextCreated(server, path);
      }
    }
  }

  @SuppressWarnings("unused")
  public static final class RemoveContextByPathAdvice {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.This Object server, @Advice.Argument(0) String path, @Advice.Thrown Throwable thrown) {
      if (thrown == null) {
        Hooks.get().httpServerContextRemoved(server, path);
      }
    }
  }

  @SuppressWarnings("unused")
  public static final class RemoveContextAdvice {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.This Object server, @Advice.Argument(0) HttpContext context, @Advice.Thrown Throwable thrown) {
      if (thrown == null && context != null) {
        Hooks.get().httpServerContextRemoved(server, context.getPath());
      }
    }
  }

  @SuppressWarnings("unused")
  public static final class StartAdvice {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.This Object server, @Advice.Thrown Throwable thrown) {
      if (thrown == null) {
        Hooks.get().httpServerStarted(server);
      }
    }
  }

  @SuppressWarnings("unused")
  public static final class StopAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.This Object server) {
      Hooks.get().httpServerStopped(server);
    }
  }

  @SuppressWarnings("unused")
  public static final class ExchangeStartAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@Advice.This Object exchange, @Advice.Argument(0) String method, @Advice.Argument(1) URI uri,
        @Advice.FieldValue("reqHdrs") Map<String, List<String>> headers) {
      Hooks.get().jdkExchangeStarted(exchange, method, uri, headers);
    }
  }

  @SuppressWarnings("unused")
  public static final class RequestBodyAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@Advice.This Object exchange, @Advice.Return(readOnly = false) InputStream body) {
      body = Hooks.get().jdkRequestBody(exchange, body);
    }
  }

  @SuppressWarnings("unused")
  public static final class ResponseHeadersAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.This Object exchange, @Advice.Argument(0) int status,
        @Advice.FieldValue("rspHdrs") Map<String, List<String>> headers) {
      Hooks.get().jdkResponseHeaders(exchange, status, headers);
    }
  }

  @SuppressWarnings("unused")
  public static final class ResponseBodyAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@Advice.This Object exchange, @Advice.Return(readOnly = false) OutputStream body) {
      body = Hooks.get().jdkResponseBody(exchange, body);
    }
  }

  @SuppressWarnings("unused")
  public static final class ExchangeCloseAdvice {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.This Object exchange) {
      Hooks.get().jdkExchangeClosed(exchange);
    }
  }

  @SuppressWarnings("unused")
  public static final class HandlerFailureAdvice {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Thrown Throwable thrown) {
      if (thrown != null) {
        Hooks.get().jdkHandlerFailed(thrown);
      }
    }
  }

  @SuppressWarnings("unused")
  public static final class ExchangeRunAdvice {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit() {
      Hooks.get().jdkExchangeRunEnded();
    }
  }
}
