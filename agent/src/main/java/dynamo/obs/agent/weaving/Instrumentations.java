package dynamo.obs.agent.weaving;

import dynamo.obs.agent.targets.executors.ExecutorsInstrumentation;
import dynamo.obs.agent.targets.helidon.HelidonInstrumentation;
import dynamo.obs.agent.targets.jdkhttpclient.JdkHttpClientInstrumentation;
import dynamo.obs.agent.targets.jdkhttpserver.JdkHttpServerInstrumentation;
import dynamo.obs.agent.targets.jul.JulInstrumentation;
import dynamo.obs.agent.targets.log4j.Log4jInstrumentation;
import dynamo.obs.agent.targets.logback.LogbackInstrumentation;
import dynamo.obs.agent.targets.methods.LangChain4jEngineCalls;
import dynamo.obs.agent.targets.methods.MethodsInstrumentation;
import dynamo.obs.agent.targets.netty.NettyInstrumentation;
import dynamo.obs.agent.targets.otelapi.OpenTelemetryApiInstrumentation;
import dynamo.obs.agent.targets.routes.RoutesInstrumentation;
import dynamo.obs.agent.targets.servlet.ServletInstrumentation;
import dynamo.obs.agent.targets.systemport.SystemPortInstrumentation;
import dynamo.obs.agent.targets.undertow.UndertowInstrumentation;
import dynamo.obs.bootstrap.Dispatch;
import java.util.ArrayList;
import java.util.List;

/**
 * Every built-in target, in installation order: the one place a new target is registered. A target's number in
 * {@code Dispatch} is its name's place in {@link #names()}.
 */
public final class Instrumentations {
  private static final List<String> NAMES = names(all());

  private Instrumentations() {
  }

  /** The built-in modules (the user's method lists make one more at start: {@code methods}). */
  public static List<InstrumentationModule> all() {
    return List.of(new JdkHttpServerInstrumentation(), ServletInstrumentation.jakarta(), ServletInstrumentation.javax(),
        new JdkHttpClientInstrumentation(), new ExecutorsInstrumentation(), new JulInstrumentation(),
        new LogbackInstrumentation(), new Log4jInstrumentation(), new NettyInstrumentation(),
        new SystemPortInstrumentation(), new OpenTelemetryApiInstrumentation(), new UndertowInstrumentation(),
        new HelidonInstrumentation(), new RoutesInstrumentation());
  }

  /** Every switchable name, including {@code methods} (built from the user's method lists) and {@code langchain4j}. */
  public static List<String> names() {
    return NAMES;
  }

  private static List<String> names(List<InstrumentationModule> modules) {
    List<String> names = new ArrayList<>();
    for (InstrumentationModule m : modules) {
      names.add(m.name());
    }
    names.add(MethodsInstrumentation.NAME);
    names.add(LangChain4jEngineCalls.NAME);
    if (names.size() > Dispatch.MAX_TARGETS) {
      throw new IllegalStateException("more targets than Dispatch.MAX_TARGETS: " + names.size());
    }
    return List.copyOf(names);
  }

  /** The target's number in {@code Dispatch}; -1 for a name that is none. */
  public static int number(String name) {
    return NAMES.indexOf(name);
  }

  /** The name of target number {@code number}. */
  public static String name(int number) {
    return number >= 0 && number < NAMES.size() ? NAMES.get(number) : "target " + number;
  }
}
