package dynamo.obs.agent.export;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * Packs batches of items for a collector and sends them, saying later whether the collector took them.
 *
 * @param <T> an item
 * @param <P> a batch of items as it waits and travels (encoded)
 */
interface BatchExporter<T, P> {
  /** The batch as it will wait and be sent; called once per batch, on the export thread. */
  P pack(List<T> items);

  /** One batch of pieces packed one after another (in that order); called once per batch of several pieces. */
  P join(List<P> pieces);

  /**
   * Starts sending the packed items from {@code from} on (those before it were dropped while the batch
   * waited); {@code done} gets null when the collector accepted them, a {@link Rejected} when it refused
   * the batch itself (sending it again would be refused again), else why not.
   */
  void export(P batch, int from, Consumer<Throwable> done);

  /** Where the batches go, for log lines. */
  String destination();

  void shutdown();

  /** The collector refused the batch for what it contains (malformed, too large): not to be sent again. */
  final class Rejected extends IOException {
    Rejected(String message) {
      super(message);
    }
  }
}
