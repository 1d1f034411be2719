package dynamo.obs.it.ecosystem;

import dynamo.obs.examples.worker.WorkerServer;
import dynamo.obs.it.apps.DemoServiceApp;
import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.Http;
import dynamo.obs.it.support.Poll;
import dynamo.obs.it.support.SystemServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The deployment of examples/demo.sh — two workers, a router, a frontend — each a JVM with the agent
 * and its own system port, on free ports. Environment as demo.sh sets it (plus what a test adds).
 */
final class DemoDeployment implements AutoCloseable {
  static final List<String> MODELS = List.of("Qwen/Qwen3-0.6B", "meta-llama/Llama-3.1-8B-Instruct");
  static final String ROUTER_METHODS = "dynamo.obs.examples.router.WorkerPicker[pickWorker]";
  static final String WORKER_METHODS = "dynamo.obs.examples.engine.SimulatedEngine[generate]";

  /** A process of the deployment: its role (demo.sh's name), app port, system port. */
  record Member(String name, String job, AgentProcess process, int appPort, int systemPort) {
    SystemServer system() {
      return new SystemServer(process, systemPort);
    }
  }

  final List<Member> members = new ArrayList<>();
  final int frontendPort;

  private DemoDeployment(int frontendPort) {
    this.frontendPort = frontendPort;
  }

  /** Starts the four JVMs (in parallel: each returns at once) with {@code extraEnv} on every one. */
  static DemoDeployment start(Map<String, String> extraEnv) {
    return start(extraEnv, List.of(), List.of());
  }

  /** As {@link #start(Map)}, the frontend and the workers with flags besides demo.sh's. */
  static DemoDeployment start(Map<String, String> extraEnv, List<String> frontendFlags, List<String> workerFlags) {
    Path examples = examplesClasspath();
    String models = String.join(",", MODELS);
    int w1 = FreePort.pick();
    int w2 = FreePort.pick();
    int router = FreePort.pick();
    DemoDeployment d = new DemoDeployment(FreePort.pick());
    String workers = "--workers=http://127.0.0.1:" + w1 + ",http://127.0.0.1:" + w2;
    // worker-1 and worker-2 of demo.sh, with a faster engine so that a few seconds give many requests
    for (int i = 1; i <= 2; i++) {
      int port = i == 1 ? w1 : w2;
      List<String> worker = new ArrayList<>(List.of("worker", "--port=" + port, "--worker-id=worker-" + i,
          "--models=" + models, "--ttft-ms=20", "--itl-ms=5", "--output-tokens=48", "--jitter-ms=3"));
      worker.addAll(workerFlags);
      d.add("worker" + i, "dynamo-backend", port, "backend", Map.of("DYN_OBS_WORKER_METHODS", WORKER_METHODS),
          extraEnv, examples, worker.toArray(new String[0]));
    }
    d.add("router", "dynamo-router", router, "router", Map.of("DYN_OBS_ROUTER_METHODS", ROUTER_METHODS,
        "DYN_SYSTEM_STARTING_HEALTH_STATUS", "ready"), extraEnv, examples, "router", "--port=" + router, workers);
    List<String> frontend = new ArrayList<>(List.of("frontend", "--port=" + d.frontendPort,
        "--router=http://127.0.0.1:" + router, "--models=" + models));
    frontend.addAll(frontendFlags);
    d.add("frontend", "dynamo-frontend", d.frontendPort, "frontend", Map.of(), extraEnv, examples,
        frontend.toArray(new String[0]));
    return d;
  }

  private void add(String name, String job, int appPort, String component, Map<String, String> env,
      Map<String, String> extraEnv, Path examples, String... args) {
    int system = FreePort.pick();
    Map<String, String> all = new LinkedHashMap<>();
    all.put("DYN_SYSTEM_PORT", "" + system);
    all.put("DYN_SYSTEM_HOST", "127.0.0.1");
    all.put("DYN_COMPONENT", component);
    all.put("OTEL_SERVICE_NAME", "dynamo-" + component);
    all.putAll(env);
    all.putAll(extraEnv);
    AgentProcess p = AgentProcess.app(DemoServiceApp.class).classpath(examples).env(all).args(args).start();
    members.add(new Member(name, job, p, appPort, system));
  }

  Member member(String name) {
    return members.stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
  }

  /** Every server listens, every agent's instrumentation is active, and the frontend serves its models. */
  void awaitReady() {
    for (Member m : members) {
      m.process().awaitStdout(Pattern.compile("listening on port " + m.appPort()));
    }
    for (Member m : members) {
      m.system().awaitInstrumentationActive();
    }
    Member f = member("frontend");
    Poll.until("the frontend's /v1/models", () -> Http.get(frontendPort, "/v1/models").statusCode(), s -> s == 200,
        f.process());
  }

  /** Everything the JVMs printed, for failure messages. */
  String outputs() {
    StringBuilder sb = new StringBuilder();
    for (Member m : members) {
      sb.append(m.process().outputs()).append('\n');
    }
    return sb.toString();
  }

  @Override
  public void close() {
    for (Member m : members) {
      m.process().close();
    }
  }

  private static Path examplesSnapshot;

  /**
   * The examples' classes for the JVMs' class path: where the test class path has them (the installed
   * jar, or examples/target in a reactor build), copied once so a concurrent rebuild cannot pull the jar
   * from under running JVMs.
   */
  static synchronized Path examplesClasspath() {
    if (examplesSnapshot != null) {
      return examplesSnapshot;
    }
    try {
      Path where = Paths.get(WorkerServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isDirectory(where)) {
        examplesSnapshot = where;
      } else {
        Path copy = Repo.scratch("examples").resolve("dynamo-obs-examples.jar");
        Files.copy(where, copy, StandardCopyOption.REPLACE_EXISTING);
        examplesSnapshot = copy;
      }
      return examplesSnapshot;
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
