package dynamo.obs.instrumentation;

import dynamo.obs.instrumentation.executors.ExecutorsInstrumentation;
import dynamo.obs.instrumentation.jdkhttp.JdkHttpServerInstrumentation;
import dynamo.obs.instrumentation.jdkhttpclient.JdkHttpClientInstrumentation;
import dynamo.obs.instrumentation.jul.JulInstrumentation;
import dynamo.obs.instrumentation.log4j.Log4jInstrumentation;
import dynamo.obs.instrumentation.logback.LogbackInstrumentation;
import dynamo.obs.instrumentation.methods.LangChain4jEngineCalls;
import dynamo.obs.instrumentation.methods.MethodsInstrumentation;
import dynamo.obs.instrumentation.otelapi.OpenTelemetryApiInstrumentation;
import dynamo.obs.instrumentation.servlet.ServletInstrumentation;
import java.util.ArrayList;
import java.util.List;

/** Every built-in instrumentation, in installation order. */
public final class Instrumentations {
  private Instrumentations() {}

  public static List<InstrumentationModule> all() {
    return List.of(new JdkHttpServerInstrumentation(), ServletInstrumentation.jakarta(), ServletInstrumentation.javax(),
        new JdkHttpClientInstrumentation(), new ExecutorsInstrumentation(), new JulInstrumentation(),
        new LogbackInstrumentation(), new Log4jInstrumentation(), new OpenTelemetryApiInstrumentation());
  }

  /** Every switchable name, including {@code methods} (built from the user's method lists). */
  public static List<String> names() {
    List<String> names = new ArrayList<>();
    for (InstrumentationModule m : all()) {
      names.add(m.name());
    }
    names.add(MethodsInstrumentation.NAME);
    names.add(LangChain4jEngineCalls.NAME);
    return names;
  }
}
