package dynamo.obs.agent.export;

import java.util.List;
import java.util.function.Consumer;

/** Sends one batch to a collector and says, later, whether the collector took it. */
interface BatchExporter<T> {
  /**
   * Starts sending; {@code done} gets null when the collector accepted the batch, a {@link Rejected}
   * when it refused the batch itself (sending it again would be refused again), else why not.
   */
  void export(List<T> batch, Consumer<Throwable> done);

  /** Where the batches go, for log lines. */
  String destination();

  void shutdown();

  /** The collector refused the batch for what it contains (malformed, too large): not to be sent again. */
  final class Rejected extends java.io.IOException {
    Rejected(String message) {
      super(message);
    }
  }
}
