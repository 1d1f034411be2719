package dynamo.obs.agent.export;

import java.util.List;
import java.util.function.Consumer;

/** Sends one batch to a collector and says, later, whether the collector took it. */
interface BatchExporter<T> {
  /** Starts sending; {@code done} gets null when the collector accepted the batch, else why not. */
  void export(List<T> batch, Consumer<Throwable> done);

  /** Where the batches go, for log lines. */
  String destination();

  void shutdown();
}
