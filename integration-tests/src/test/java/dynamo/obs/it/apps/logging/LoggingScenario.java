package dynamo.obs.it.apps.logging;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the logging applications log, the same through each framework so that the tests expect the
 * same events: prints {@code READY}, waits for a line on stdin (the agent's instrumentation is then
 * active), logs the script named by the first argument, prints {@code DONE} and exits (with a second argument {@code stay}, once stdin closes).
 */
public final class LoggingScenario {
  /** One framework's way to log an event; levels are error, warn, info, debug, trace. */
  public interface Framework {
    void log(String logger, String level, String message, Throwable thrown, Map<String, String> fields);
  }

  public static final String APP = "com.acme.app";
  public static final String NOISY = "com.acme.noisy";
  public static final String OTHER = "org.other";
  public static final List<String> LEVELS = List.of("error", "warn", "info", "debug", "trace");
  public static final String MULTI_LINE = "multi\nline\ttab \"quoted\" \\ \u0001 end";
  public static final int HUGE = 100_000;
  public static final int THREADS = 8;
  public static final int PER_THREAD = 250;

  private LoggingScenario() {
  }

  public static void run(String[] args, Framework framework) throws Exception {
    System.out.println("READY");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    in.readLine();
    if (args[0].equals("threads")) {
      threads(framework);
    } else {
      basic(framework);
    }
    System.out.println("DONE");
    if (args.length > 1 && args[1].equals("stay")) {
      in.readLine(); // until stdin closes: the test still reads the agent's metrics
    }
  }

  /** Every level on three loggers, then the awkward events: one after the other, so the output is deterministic. */
  private static void basic(Framework f) {
    for (String logger : List.of(APP, NOISY, OTHER)) {
      for (String level : LEVELS) {
        f.log(logger, level, level + " from " + logger, null, Map.of());
      }
    }
    f.log(APP, "warn", MULTI_LINE, null, Map.of());
    f.log(APP, "error", "failed", new IllegalStateException("bad\nstate", new RuntimeException("root cause")),
        Map.of());
    f.log(APP, "info", "with fields", null, Map.of("user", "alice", "attempt", "42", "payload", "{\"a\":[1,2]}"));
    f.log(APP, "info", null, null, Map.of());
    f.log(APP, "info", "x".repeat(HUGE) + "END", null, Map.of());
  }

  private static void threads(Framework f) throws InterruptedException {
    // the framework initialises on its first event: events racing that are dropped (Log4j) or replayed later (SLF4J)
    f.log(APP, "info", "starting threads", null, Map.of());
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int n = t;
      threads.add(new Thread(() -> {
        for (int i = 0; i < PER_THREAD; i++) {
          f.log(APP, "info", "thread " + n + " event " + i, null, Map.of());
        }
      }, "logging-" + t));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
  }
}
