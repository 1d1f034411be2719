package dynamo.obs.examples;

import dynamo.obs.examples.frontend.FrontendServer;
import dynamo.obs.examples.http.PooledHttpServer;
import dynamo.obs.examples.router.RouterServer;
import dynamo.obs.examples.worker.WorkerServer;
import java.io.IOException;

/** A worker, a router and a frontend running in this JVM on free ports, serving {@link #MODELS}. */
public final class Deployment implements AutoCloseable {

  public static final String MODELS = "model-a,Org/Model-B";
  /** Tokens a generation produces when max_tokens does not cut it. */
  public static final int OUTPUT_TOKENS = 8;

  public final PooledHttpServer worker;
  public final PooledHttpServer router;
  public final PooledHttpServer frontend;

  public Deployment() throws IOException {
    worker = WorkerServer.start("--port=0", "--models=" + MODELS, "--ttft-ms=5", "--itl-ms=1",
        "--output-tokens=" + OUTPUT_TOKENS, "--worker-id=test-worker");
    router = RouterServer.start("--port=0", "--workers=http://127.0.0.1:" + worker.port(), "--mode=prefix");
    frontend = FrontendServer.start("--port=0", "--router=http://127.0.0.1:" + router.port(),
        "--models=" + MODELS);
  }

  public String frontendUrl() {
    return "http://127.0.0.1:" + frontend.port();
  }

  @Override
  public void close() {
    frontend.close();
    router.close();
    worker.close();
  }
}
