package dynamo.obs.agent;

import java.lang.instrument.Instrumentation;
import java.util.jar.JarFile;

/**
 * First class of the isolated agent class loader. It defines the bootstrap API before any class
 * that refers to it is loaded (the verifier of such a class would otherwise resolve it too early),
 * then starts the runtime.
 */
public final class AgentStarter {
  private AgentStarter() {
  }

  public static void start(Instrumentation inst, JarFile jar, String args, long startNanos) throws Exception {
    BootstrapInjector.inject(inst, jar);
    AgentRuntime.start(inst, startNanos);
  }
}
