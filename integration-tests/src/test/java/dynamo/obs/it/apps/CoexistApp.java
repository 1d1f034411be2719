package dynamo.obs.it.apps;

import static net.bytebuddy.matcher.ElementMatchers.named;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.FixedValue;

/**
 * An application that bundles its own (older) Byte Buddy, Prometheus client_java with its
 * exporter, and OpenTelemetry SDK, and uses each of them. It must run the same with the agent as
 * without, and must see nothing of the agent's classes. Prints {@code COEXIST OK …} (then runs
 * until killed) or {@code COEXIST FAILED …} and exits 1.
 */
public final class CoexistApp {
  private CoexistApp() {
  }

  /** What the app's own Byte Buddy subclasses and redefines. */
  public static class Greeter {
    public String greet() {
      return "hello from Greeter";
    }
  }

  public static void main(String[] args) throws Exception {
    List<String> details = new ArrayList<>();
    try {
      details.add(byteBuddy());
      details.add(prometheus());
      details.add(openTelemetry());
      details.add(agentInvisible());
    } catch (Throwable t) {
      System.out.println("COEXIST FAILED " + t);
      t.printStackTrace(System.out);
      System.out.flush();
      System.exit(1);
    }
    System.out.println("COEXIST OK " + String.join(" ", details));
    System.out.flush();
    new CountDownLatch(1).await(); // keep the exporter serving until the test ends the process
  }

  private static String byteBuddy() throws Exception {
    ClassLoader loader = CoexistApp.class.getClassLoader();
    Class<? extends Greeter> sub = new ByteBuddy()
        .subclass(Greeter.class)
        .method(named("greet")).intercept(FixedValue.value("hello from a subclass"))
        .make()
        .load(loader, ClassLoadingStrategy.Default.WRAPPER)
        .getLoaded();
    String a = sub.getDeclaredConstructor().newInstance().greet();
    check("hello from a subclass".equals(a), "Byte Buddy subclass returned " + a);
    Class<?> redefined = new ByteBuddy()
        .redefine(Greeter.class)
        .name(Greeter.class.getName() + "Redefined")
        .method(named("greet")).intercept(FixedValue.value("hello from a redefinition"))
        .make()
        .load(loader, ClassLoadingStrategy.Default.WRAPPER)
        .getLoaded();
    Object b = redefined.getMethod("greet").invoke(redefined.getDeclaredConstructor().newInstance());
    check("hello from a redefinition".equals(b), "Byte Buddy redefinition returned " + b);
    return "bytebuddy=" + version(ByteBuddy.class);
  }

  private static String prometheus() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    Counter counter = Counter.builder()
        .name("coexist_app_requests_total")
        .help("requests the coexist app counted itself")
        .labelNames("path")
        .register(registry);
    counter.labelValues("/hello").inc(3);
    HTTPServer server = HTTPServer.builder()
        .inetAddress(InetAddress.getLoopbackAddress())
        .port(0)
        .registry(registry)
        .buildAndStart();
    String text = fetch("http://127.0.0.1:" + server.getPort() + "/metrics");
    check(text.contains("coexist_app_requests_total{path=\"/hello\"} 3.0"),
        "own exporter output lacks the counter:\n" + text);
    check(!text.contains("dynamo_"), "own exporter shows agent metrics:\n" + text);
    return "prometheus=" + version(Counter.class) + " appMetricsPort=" + server.getPort();
  }

  private static String openTelemetry() {
    List<SpanData> ended = new CopyOnWriteArrayList<>();
    SpanExporter exporter = new SpanExporter() {
      @Override
      public CompletableResultCode export(Collection<SpanData> spans) {
        ended.addAll(spans);
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }
    };
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .addSpanProcessor(SimpleSpanProcessor.create(exporter))
        .build();
    Tracer tracer = provider.get("coexist-app");
    Span span = tracer.spanBuilder("coexist-span").startSpan();
    span.setAttribute("answer", 42L);
    span.end();
    provider.shutdown();
    check(ended.size() == 1 && ended.get(0).getName().equals("coexist-span"),
        "OpenTelemetry SDK exported " + ended);
    return "otel=" + version(SdkTracerProvider.class);
  }

  private static String agentInvisible() {
    ClassLoader app = CoexistApp.class.getClassLoader();
    for (String name : new String[]{
        "dynamo.obs.agent.AgentRuntime",
        "dynamo.obs.shaded.net.bytebuddy.ByteBuddy",
        "dynamo.obs.shaded.io.prometheus.metrics.core.metrics.Counter"}) {
      try {
        Class<?> c = Class.forName(name, false, app);
        throw new IllegalStateException("the application can load the agent's " + c + " from "
            + c.getClassLoader());
      } catch (ClassNotFoundException expected) {
        // isolated
      }
    }
    check(app.getResource("dynamo/obs/agent/AgentRuntime.class") == null,
        "the application can see dynamo/obs/agent/AgentRuntime.class");
    check(app.getResource("dynamo/obs/shaded/net/bytebuddy/ByteBuddy.class") == null,
        "the application can see the agent's Byte Buddy");
    return "agentClassesVisible=false";
  }

  private static String fetch(String url) throws Exception {
    HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
    c.setConnectTimeout(5000);
    c.setReadTimeout(10_000);
    try (InputStream in = c.getInputStream()) {
      check(c.getResponseCode() == 200, url + " answered " + c.getResponseCode());
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      c.disconnect();
    }
  }

  /** The jar a class was loaded from (file name), which shows the version the application bundles. */
  private static String version(Class<?> c) {
    String loc = String.valueOf(c.getProtectionDomain().getCodeSource().getLocation());
    return loc.substring(loc.lastIndexOf('/') + 1);
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalStateException(message);
    }
  }
}
