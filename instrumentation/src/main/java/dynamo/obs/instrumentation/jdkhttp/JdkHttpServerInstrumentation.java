package dynamo.obs.instrumentation.jdkhttp;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import com.sun.net.httpserver.HttpContext;
import dynamo.obs.bootstrap.Hooks;
import dynamo.obs.instrumentation.InstrumentationModule;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

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
    return "JDK com.sun.net.httpserver servers: routes served (health endpoints)";
  }

  @Override
  public ElementMatcher<? super TypeDescription> typeMatcher() {
    return named("sun.net.httpserver.ServerImpl");
  }

  @Override
  public List<AdviceBinding> advice() {
    String self = JdkHttpServerInstrumentation.class.getName();
    return List.of(
        new AdviceBinding(named("createContext").and(takesArgument(0, String.class)), self + "$CreateContextAdvice"),
        new AdviceBinding(named("removeContext").and(takesArguments(String.class)), self + "$RemoveContextByPathAdvice"),
        new AdviceBinding(named("removeContext").and(takesArguments(HttpContext.class)), self + "$RemoveContextAdvice"),
        new AdviceBinding(named("start").and(takesArguments(0)), self + "$StartAdvice"),
        new AdviceBinding(named("stop").and(takesArguments(int.class)), self + "$StopAdvice"));
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
}
