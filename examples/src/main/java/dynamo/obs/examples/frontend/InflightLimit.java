package dynamo.obs.examples.frontend;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many generations the frontend serves at once ({@code --max-inflight}); one more is refused with 529, as
 * Dynamo's frontend refuses work beyond its busy threshold. Zero: no limit.
 */
final class InflightLimit {

  private final int max;
  private final AtomicInteger inflight = new AtomicInteger();

  InflightLimit(int max) {
    this.max = max;
  }

  /** Takes a place, or throws the 529 when none is free. */
  void admit() throws OpenAiError {
    if (inflight.incrementAndGet() > max && max > 0) {
      inflight.decrementAndGet();
      throw OpenAiError.overloaded(max);
    }
  }

  void release() {
    inflight.decrementAndGet();
  }
}
