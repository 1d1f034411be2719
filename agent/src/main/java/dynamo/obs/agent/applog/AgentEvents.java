package dynamo.obs.agent.applog;

import dynamo.obs.agent.config.LogFilter.Level;
import dynamo.obs.agent.console.AgentLog;
import dynamo.obs.agent.trace.ActiveSpan;
import java.time.Instant;
import java.util.Map;

/**
 * Events the agent logs itself, with fields: the request lifecycle (SPEC §6) and the span lifecycle
 * records of {@code DYN_LOGGING_SPAN_EVENTS}. Callers pass plain values. An event is printed on
 * stderr in the console form (readable or JSONL, through {@link AgentLog}) and sent to
 * {@link LogExport} like an application's, inside the span the calling thread is in.
 *
 * <p>Field values: booleans and numbers are JSON booleans and numbers in JSONL (a non-finite
 * number is 0, as in Dynamo); a null value leaves the field out; anything else is its text, and a
 * text that is itself JSON is embedded as JSON, as Dynamo does.
 */
public final class AgentEvents {
  /** Target of the request lifecycle events and of the span records. */
  public static final String REQUEST_TARGET = "dynamo_obs.request";

  private static volatile boolean spanRecords;

  private AgentEvents() {
  }

  /**
   * Set once at start: whether span records are written ({@code DYN_LOGGING_SPAN_EVENTS} with
   * {@code DYN_LOGGING_JSONL}: Dynamo writes them in its JSONL form only).
   */
  public static void configure(boolean writeSpanRecords) {
    spanRecords = writeSpanRecords;
  }

  /** An event of the agent under {@code target} at {@code level}, if {@code DYN_LOG} lets it through. */
  public static void log(String target, Level level, String message, Map<String, ?> fields) {
    if (AgentLog.enabled(target, level)) {
      Object[] pairs = new Object[fields == null ? 0 : 2 * fields.size()];
      if (fields != null) {
        int i = 0;
        for (Map.Entry<String, ?> f : fields.entrySet()) {
          pairs[i++] = f.getKey();
          pairs[i++] = f.getValue();
        }
      }
      emit(target, level, message, pairs);
    }
  }

  /** The event, its fields given as alternating names and values ({@link SortedFields#of}). */
  private static void emit(String target, Level level, String message, Object... fields) {
    emitFields(target, level, message, SortedFields.of(fields));
  }

  private static void emitFields(String target, Level level, String message, Map<String, String> fields) {
    LogEvent event = event(target, level, message, fields, ActiveSpan.current());
    AgentLog.printLater(event);
    LogExport.current().emit(event);
  }

  // the lifecycle events' field names, in the order the console writes them (SortedFields.sorted)
  static final String[] RECEIVED_FIELDS = {"endpoint", "model", "request_id", "request_type"};
  static final String[] COMPLETED_FIELDS = {"elapsed_ms", "endpoint", "model", "request_id", "request_type", "status"};
  static final String[] FAILED_FIELDS = {"elapsed_ms", "endpoint", "error_detail", "error_type", "model", "request_id",
      "request_type", "status"};

  /** Whether the request lifecycle events at {@code level} are written ({@code DYN_LOG} for their target). */
  public static boolean logged(Level level) {
    return AgentLog.enabled(REQUEST_TARGET, level);
  }

  /** "request received" at INFO with {@code request_id}, {@code model}, {@code endpoint}, {@code request_type}. */
  public static void requestReceived(String requestId, String model, String endpoint, String requestType) {
    if (AgentLog.enabled(REQUEST_TARGET, Level.INFO)) {
      emitFields(REQUEST_TARGET, Level.INFO, "request received",
          SortedFields.sorted(RECEIVED_FIELDS, endpoint, model, requestId, requestType));
    }
  }

  /**
   * "request completed" at INFO with the fields of "request received" and {@code status}, {@code elapsed_ms}
   * (upstream's {@code InflightGuard} drop in lib/llm/src/http/service/metrics.rs).
   */
  public static void requestCompleted(String requestId, String model, String endpoint, String requestType,
      String status, long elapsedMs) {
    if (AgentLog.enabled(REQUEST_TARGET, Level.INFO)) {
      emitFields(REQUEST_TARGET, Level.INFO, "request completed",
          SortedFields.sorted(COMPLETED_FIELDS, elapsedMs, endpoint, model, requestId, requestType, status));
    }
  }

  /**
   * A failed request's "request completed", at ERROR, with {@code error_type} and upstream's
   * {@code error_detail} for it too.
   */
  public static void requestFailed(String requestId, String model, String endpoint, String requestType,
      String status, String errorType, long elapsedMs) {
    if (AgentLog.enabled(REQUEST_TARGET, Level.ERROR)) {
      emitFields(REQUEST_TARGET, Level.ERROR, "request completed",
          SortedFields.sorted(FAILED_FIELDS, elapsedMs, endpoint,
              errorDetail(errorType), errorType, model, requestId, requestType, status));
    }
  }

  /**
   * A worker's "request received" at INFO with its {@code request_id} alone, as upstream's worker writes it however
   * the request ends (lib/runtime/src/pipeline/network/ingress/push_handler.rs, {@code handle_payload_shared}).
   */
  public static void workerRequestReceived(String requestId) {
    workerRequestEvent("request received", requestId);
  }

  /** A worker's "request completed" at INFO with its {@code request_id} alone ({@code RequestMetricsGuard}'s drop). */
  public static void workerRequestCompleted(String requestId) {
    workerRequestEvent("request completed", requestId);
  }

  private static void workerRequestEvent(String message, String requestId) {
    if (AgentLog.enabled(REQUEST_TARGET, Level.INFO)) {
      emitFields(REQUEST_TARGET, Level.INFO, message, SortedFields.sorted(REQUEST_ID_FIELD, requestId));
    }
  }

  static final String[] REQUEST_ID_FIELD = {"request_id"};

  /** Upstream's {@code error_detail} of an {@code error_type} (InflightGuard's drop, metrics.rs). */
  static String errorDetail(String errorType) {
    switch (errorType == null ? "" : errorType) {
      case "cancelled" :
        return "cancelled before completion";
      case "response_timeout" :
        return "backend stream inactivity timeout";
      case "internal" :
        return "internal server error during processing";
      case "validation" :
        return "invalid request parameters";
      case "not_found" :
        return "model or resource not found";
      case "overload" :
        return "service overloaded or rate limited";
      case "unavailable" :
        return "no backend worker available";
      case "not_implemented" :
        return "requested feature not implemented";
      default :
        return "unknown error";
    }
  }

  /** {@code SPAN_FIRST_ENTRY}: {@code span} was entered for the first time (its ids, not the thread's). */
  public static void spanFirstEntry(ActiveSpan span) {
    spanRecord(span, "SPAN_FIRST_ENTRY", Map.of());
  }

  /** {@code SPAN_CLOSED} with {@code time.busy_us}, {@code time.idle_us} and {@code time.duration_us} (their sum). */
  public static void spanClosed(ActiveSpan span, long busyMicros, long idleMicros) {
    spanRecord(span, "SPAN_CLOSED", SortedFields.of("time.busy_us", busyMicros, "time.idle_us", idleMicros,
        "time.duration_us", busyMicros + idleMicros));
  }

  /** Span records bypass DYN_LOG (Dynamo adds {@code span_event=trace}) and, like Dynamo's, stay on the console. */
  private static void spanRecord(ActiveSpan span, String message, Map<String, String> fields) {
    if (spanRecords && span != null) {
      AgentLog.printLater(event(REQUEST_TARGET, Level.INFO, message, fields, span));
    }
  }

  private static LogEvent event(String target, Level level, String message, Map<String, String> fields,
      ActiveSpan span) {
    return new LogEvent(LogEvent.epochNanos(Instant.now()), level, target, message == null ? "" : message, null,
        Thread.currentThread().getName(), null, 0, fields, span);
  }
}
