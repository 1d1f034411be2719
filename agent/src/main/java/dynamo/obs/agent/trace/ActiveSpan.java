package dynamo.obs.agent.trace;

import java.util.function.Supplier;

/**
 * What a log line needs of the span the current thread is inside: ids as lower-case hex, the span's
 * name and the request ids it carries. {@link #current()} is null outside any request (or when
 * tracing is off).
 */
public interface ActiveSpan {
  String traceId();

  String spanId();

  /** The parent span's id, or null for a root span. */
  String parentId();

  String spanName();

  /** The W3C tracestate received with the request, or null. */
  String traceState();

  String xRequestId();

  String requestId();

  /** The span the current thread is inside, or null. */
  static ActiveSpan current() {
    return Source.current.get();
  }

  /** Installed once by the tracing runtime. */
  static void source(Supplier<ActiveSpan> source) {
    Source.current = source == null ? () -> null : source;
  }

  final class Source {
    private static volatile Supplier<ActiveSpan> current = () -> null;

    private Source() {
    }
  }
}
