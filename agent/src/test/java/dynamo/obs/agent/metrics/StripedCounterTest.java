package dynamo.obs.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StripedCounterTest {
  @Test
  void exposesWhatClientJavasCounterExposesForTheSameIncrements() throws IOException {
    PrometheusRegistry ours = new PrometheusRegistry();
    PrometheusRegistry theirs = new PrometheusRegistry();
    StripedCounter striped = StripedCounter.register(ours, "dynamo_frontend_requests_total",
        "Total number of LLM requests processed", "model", "endpoint", "status");
    Counter reference = Counter.builder().withoutExemplars().name("dynamo_frontend_requests_total")
        .help("Total number of LLM requests processed").labelNames("model", "endpoint", "status").register(theirs);
    for (String[] labels : List.of(new String[]{"m", "chat_completions", "success"},
        new String[]{"a", "completions", "error"}, new String[]{"m", "chat_completions", "error"})) {
      striped.labelValues(labels).inc();
      reference.labelValues(labels).inc();
      striped.labelValues(labels).inc(41);
      reference.labelValues(labels).inc(41);
    }
    striped.labelValues("a", "completions", "error").inc(0.5);
    reference.labelValues("a", "completions", "error").inc(0.5);
    assertEquals(Exposition.text(theirs, false), Exposition.text(ours, false));
    assertEquals(Exposition.text(theirs, true), Exposition.text(ours, true));
    assertEquals(42.5, striped.labelValues("a", "completions", "error").get());
    assertEquals(42, striped.labelValues("m", "chat_completions", "error").getLongValue());
  }

  @Test
  void refusesToDecreaseAndWrongLabelCounts() {
    StripedCounter c = new StripedCounter("c_total", "help", "model");
    assertThrows(IllegalArgumentException.class, () -> c.labelValues("m").inc(-1L));
    assertThrows(IllegalArgumentException.class, () -> c.labelValues("m").inc(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> c.labelValues("m", "extra"));
    assertEquals(0, c.labelValues("m").get());
  }

  @Test
  void countsEveryIncrementOfManyThreadsOnce() throws InterruptedException {
    StripedCounter c = new StripedCounter("tokens_total", "help", "model");
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      Thread thread = new Thread(() -> {
        for (int i = 0; i < 100_000; i++) {
          c.labelValues("m").inc(3);
        }
      });
      thread.start();
      threads.add(thread);
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(2_400_000L, c.labelValues("m").getLongValue());
    assertEquals(2_400_000.0, c.collect().getDataPoints().get(0).getValue());
  }
}
