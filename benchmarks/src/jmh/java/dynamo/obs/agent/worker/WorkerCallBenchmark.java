package dynamo.obs.agent.worker;

import dynamo.obs.agent.config.Config.HealthStatus;
import dynamo.obs.agent.health.HealthState;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the woven advice of a worker method hands to the runtime (benchmarks/jmh.sh): the start
 * and end of an engine call that returns plainly, and one streamed token through the Iterator
 * wrapper and through a token handler ({@code handlerInvoked}). The advice's own
 * {@code @Advice.AllArguments} array is built here as the woven code builds it, per call.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class WorkerCallBenchmark {
  /** An engine request as applications have them: the model behind a getter. */
  public static final class GenerateRequest {
    private final String model;

    GenerateRequest(String model) {
      this.model = model;
    }

    public String getModel() {
      return model;
    }
  }

  /** A token handler interface, as found on a worker method's parameters. */
  public interface TokenSink {
    void onToken(String text);

    void onComplete();
  }

  public static final class Sink implements TokenSink {
    @Override
    public void onToken(String text) {}

    @Override
    public void onComplete() {}
  }

  /** An endless token source: the stream never runs out while measured. */
  static final class Tokens implements Iterator<String> {
    @Override
    public boolean hasNext() {
      return true;
    }

    @Override
    public String next() {
      return " sea";
    }
  }

  // @Advice.Origin("#t|#m|#r"): declaring type, method, return type
  static final String ENGINE = "dynamo.obs.examples.engine.SimulatedEngine";
  static final String PLAIN_SITE = ENGINE + "|complete|java.lang.String";
  static final String ITERATOR_SITE = ENGINE + "|generateIterator|java.util.Iterator";
  static final String HANDLER_SITE = ENGINE + "|generate|void";

  private WorkerRuntime runtime;
  private final GenerateRequest request = new GenerateRequest("Qwen/Qwen3-0.6B");
  private final Iterator<String> source = new Tokens();
  private Iterator<String> wrapped;
  private final Sink sink = new Sink();

  @Setup(Level.Trial)
  public void setup() {
    HealthState health = new HealthState(HealthStatus.NOTREADY, List.of(), false, System.nanoTime());
    ComponentIdentity id = new ComponentIdentity("dynamo", "backend", "generate", "7f3a9c21d4e5b608", "1");
    runtime = new WorkerRuntime(id, id, null, 64, new PrometheusRegistry(), health, () -> {});
    runtime.workerTypeWoven(Set.of(TokenSink.class.getName()));
    plainReturn(); // the model's series exist before measuring
  }

  /** A call streaming through an Iterator, open for the whole measurement iteration. */
  @SuppressWarnings("unchecked")
  @Setup(Level.Iteration)
  public void openCalls() {
    Object call = runtime.workerCallStarted(ITERATOR_SITE, new Object[] {request});
    wrapped = (Iterator<String>) runtime.workerCallEnded(call, source, null);
    wrapped.next(); // the first token (time to first response); the rest are plain tokens
    Object handlerCall = runtime.workerCallStarted(HANDLER_SITE, new Object[] {request, sink});
    runtime.workerCallEnded(handlerCall, null, null); // returns at once; the handler ends the call
    runtime.handlerInvoked(sink, "onToken", TOKEN_DESCRIPTOR, "tok");
  }

  @TearDown(Level.Iteration)
  public void closeCalls() {
    runtime.handlerInvoked(sink, "onComplete", "(Ljava/lang/String;II)V", null);
  }

  /** workerCallStarted + workerCallEnded for a method that returns its result plainly. */
  @Benchmark
  public Object plainReturn() {
    Object[] args = {request}; // what @Advice.AllArguments builds
    Object call = runtime.workerCallStarted(PLAIN_SITE, args);
    return runtime.workerCallEnded(call, "The sea is wide and calm tonight.", null);
  }

  /** One token through the Iterator wrapper. */
  @Benchmark
  public String iteratorToken() {
    return wrapped.next();
  }

  /** The same iterator unwrapped: what next() costs without the agent. */
  @Benchmark
  public String iteratorTokenUnwrapped() {
    return source.next();
  }

  /** The method descriptor the advice passes (a constant: nothing is built per token). */
  private static final String TOKEN_DESCRIPTOR = "(Ljava/lang/String;)V";

  /** One token through a bound handler, as the advice hands it over. */
  @Benchmark
  public Object handlerToken() {
    runtime.handlerInvoked(sink, "onToken", TOKEN_DESCRIPTOR, "tok");
    return sink;
  }
}
