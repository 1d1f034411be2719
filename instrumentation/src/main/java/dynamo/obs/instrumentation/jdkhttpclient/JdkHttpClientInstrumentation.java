package dynamo.obs.instrumentation.jdkhttpclient;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dynamo.obs.bootstrap.Hooks;
import dynamo.obs.instrumentation.InstrumentationModule;
import java.net.http.HttpRequest;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Outbound HTTP from inside a request: {@code java.net.http.HttpClient} (every send and sendAsync
 * goes through one private method of its implementation) and {@code HttpURLConnection}. They carry
 * the request's propagation headers to the next process (SPEC §5).
 */
public final class JdkHttpClientInstrumentation implements InstrumentationModule {
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
  public List<TypeAdvice> typeAdvice() {
    String self = JdkHttpClientInstrumentation.class.getName();
    return List.of(
        TypeAdvice.named("jdk.internal.net.http.HttpClientImpl", List.of(
            new AdviceBinding(named("sendAsync").and(takesArguments(4)), self + "$SendAdvice"))),
        TypeAdvice.named("sun.net.www.protocol.http.HttpURLConnection", List.of(
            new AdviceBinding(namedOneOf("connect", "getOutputStream", "getInputStream").and(takesArguments(0)),
                self + "$ConnectAdvice"))));
  }

  @SuppressWarnings("unused")
  public static final class SendAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.Argument(value = 0, readOnly = false, typing = Assigner.Typing.DYNAMIC) HttpRequest request) {
      request = (HttpRequest) Hooks.get().outboundHttpRequest(request);
    }
  }

  @SuppressWarnings("unused")
  public static final class ConnectAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.This Object connection) {
      Hooks.get().outboundUrlConnection(connection);
    }
  }
}
