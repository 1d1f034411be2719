package dynamo.obs.agent.export;

import java.util.List;
import java.util.function.Consumer;

/** Sends one batch to a collector and says, later, whether the collector took it. */
interface BatchExporter<T> {
  /** Starts sending; {@code done} gets true when the collector accepted the batch, false otherwise. */
  void export(List<T> batch, Consumer<Boolean> done);

  /** Where the batches go, for log lines. */
  String destination();

  void shutdown();
}
