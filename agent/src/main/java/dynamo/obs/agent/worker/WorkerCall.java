package dynamo.obs.agent.worker;

import dynamo.obs.agent.applog.AgentEvents;
import dynamo.obs.agent.trace.SpanValues;
import dynamo.obs.agent.trace.TraceSpan;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One engine call: ends exactly once, at the end of its result (SPEC §4) — a return, an exception,
 * a completed future, an exhausted iterator or stream, a completed publisher, or the completion of
 * the token handler it was given — or when cancelled.
 */
public final class WorkerCall {
  enum End {
    OK, ERROR, CANCELLED
  }

  private final WorkerRuntime runtime;
  final WorkerMetrics.ModelSeries series;
  private final long startNanos;
  private final InboundRequest inbound;
  /** The {@code engine.generate} span, when tracing is on. */
  private final TraceSpan span;
  /** The id of the request the call serves (its span's too), or null: then it writes no lifecycle lines, as upstream. */
  private final String requestId;
  private final AtomicInteger state = new AtomicInteger();
  private volatile long firstTokenNanos;
  private int tokens;
  /** Handler objects bound to this call, released when it ends. */
  private Object[] handlers;
  boolean awaitsHandler;

  WorkerCall(WorkerRuntime runtime, WorkerMetrics.ModelSeries series, long startNanos, InboundRequest inbound,
      TraceSpan span, String requestId) {
    this.runtime = runtime;
    this.span = span;
    this.requestId = requestId;
    this.series = series;
    this.startNanos = startNanos;
    this.inbound = inbound;
    series.requests.inc();
    series.inflight.inc();
    if (inbound != null) {
      inbound.countInto(series.requestBytes, series.responseBytes);
    }
    if (requestId != null) {
      AgentEvents.workerRequestReceived(requestId);
    }
  }

  boolean traced() {
    return span != null;
  }

  /** What the engine's response said of itself (-1 / null when it did not say). */
  void reported(long inputTokens, long outputTokens, String finishReason) {
    if (inputTokens >= 0) {
      span.set(SpanValues.INPUT_TOKENS, inputTokens);
    }
    if (outputTokens >= 0 && tokens == 0) {
      span.set(SpanValues.OUTPUT_TOKENS, outputTokens);
    }
    if (finishReason != null) {
      span.set("finish_reason", finishReason.toLowerCase(Locale.ROOT));
    }
  }

  void bind(Object handler) {
    Object[] h = handlers;
    if (h == null) {
      handlers = new Object[]{handler};
    } else {
      Object[] more = Arrays.copyOf(h, h.length + 1);
      more[h.length] = handler;
      handlers = more;
    }
    awaitsHandler = true;
  }

  /** One streamed item (a token, a chunk). */
  void token() {
    if (state.get() != 0) {
      return;
    }
    tokens++;
    if (firstTokenNanos == 0) {
      long now = System.nanoTime();
      firstTokenNanos = now;
      runtime.metrics().firstResponse((now - startNanos) / 1e9);
    }
  }

  int tokens() {
    return tokens;
  }

  void end(End end) {
    if (!state.compareAndSet(0, 1)) {
      return;
    }
    try {
      series.inflight.dec();
      series.duration.observe((System.nanoTime() - startNanos) / 1e9);
      if (end == End.ERROR) {
        series.generateErrors().inc();
      } else if (end == End.CANCELLED) {
        series.cancellations.inc();
      }
      if (requestId != null) {
        AgentEvents.workerRequestCompleted(requestId); // inside the span, before it ends
      }
      if (span != null) {
        endSpan(end);
      }
    } finally {
      Object[] h = handlers;
      if (h != null) {
        for (Object o : h) {
          runtime.release(o, this);
        }
      }
    }
  }

  private void endSpan(End end) {
    if (tokens > 0 || span.attribute("output_tokens") == null) {
      span.set(SpanValues.OUTPUT_TOKENS, tokens);
    }
    long first = firstTokenNanos;
    if (first != 0) {
      span.set(SpanValues.TTFT_MS, SpanValues.millis(first - startNanos));
    }
    if (end == End.ERROR) {
      span.error("error");
    } else if (end == End.CANCELLED) {
      span.set("finish_reason", "cancelled");
      span.error("cancelled");
    }
    span.end();
  }

  boolean ended() {
    return state.get() != 0;
  }
}
