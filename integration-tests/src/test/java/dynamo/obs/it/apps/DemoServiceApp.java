package dynamo.obs.it.apps;

import dynamo.obs.examples.frontend.FrontendServer;
import dynamo.obs.examples.router.RouterServer;
import dynamo.obs.examples.worker.WorkerServer;
import java.util.Arrays;

/**
 * One process of the demo deployment (examples/): {@code frontend|router|worker} followed by that
 * server's flags. A launcher only because the test JVMs start main classes of the test classes; the
 * servers are the examples' own, with no observability code. Needs the examples jar on the class path.
 */
public final class DemoServiceApp {
  private DemoServiceApp() {
  }

  public static void main(String[] args) throws Exception {
    String[] flags = Arrays.copyOfRange(args, 1, args.length);
    switch (args[0]) {
      case "frontend" :
        FrontendServer.main(flags);
        break;
      case "router" :
        RouterServer.main(flags);
        break;
      case "worker" :
        WorkerServer.main(flags);
        break;
      default :
        throw new IllegalArgumentException("frontend, router or worker expected, not " + args[0]);
    }
  }
}
