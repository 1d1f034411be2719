package dynamo.obs.agent.logs;

import dynamo.obs.agent.config.LogFilter.Level;
import dynamo.obs.agent.log.AgentLog;
import dynamo.obs.agent.trace.ActiveSpan;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

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

  private AgentEvents() {}

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
      LogEvent event = event(target, level, message, fields, ActiveSpan.current());
      AgentLog.printLater(event);
      LogExport.current().emit(event);
    }
  }

  /** "request received" at INFO with {@code request_id}, {@code model}, {@code endpoint}, {@code request_type}. */
  public static void requestReceived(String requestId, String model, String endpoint, String requestType) {
    log(REQUEST_TARGET, Level.INFO, "request received",
        fields("request_id", requestId, "model", model, "endpoint", endpoint, "request_type", requestType));
  }

  /** "request completed" at INFO with {@code status} and {@code elapsed_ms}. */
  public static void requestCompleted(String status, long elapsedMs) {
    log(REQUEST_TARGET, Level.INFO, "request completed", fields("status", status, "elapsed_ms", elapsedMs));
  }

  /** A failed request's "request completed", at ERROR, with {@code error_type} and {@code error_detail} too. */
  public static void requestFailed(String status, String errorType, String errorDetail, long elapsedMs) {
    log(REQUEST_TARGET, Level.ERROR, "request completed", fields("status", status, "elapsed_ms", elapsedMs,
        "error_type", errorType, "error_detail", errorDetail));
  }

  /** {@code SPAN_FIRST_ENTRY}: {@code span} was entered for the first time (its ids, not the thread's). */
  public static void spanFirstEntry(ActiveSpan span) {
    spanRecord(span, "SPAN_FIRST_ENTRY", Map.of());
  }

  /** {@code SPAN_CLOSED} with {@code time.busy_us}, {@code time.idle_us} and {@code time.duration_us} (their sum). */
  public static void spanClosed(ActiveSpan span, long busyMicros, long idleMicros) {
    spanRecord(span, "SPAN_CLOSED", fields("time.busy_us", busyMicros, "time.idle_us", idleMicros,
        "time.duration_us", busyMicros + idleMicros));
  }

  /** Span records bypass DYN_LOG (Dynamo adds {@code span_event=trace}) and, like Dynamo's, stay on the console. */
  private static void spanRecord(ActiveSpan span, String message, Map<String, ?> fields) {
    if (spanRecords && span != null) {
      AgentLog.printLater(event(REQUEST_TARGET, Level.INFO, message, fields, span));
    }
  }

  private static LogEvent event(String target, Level level, String message, Map<String, ?> fields, ActiveSpan span) {
    return new LogEvent(LogEvent.epochNanos(Instant.now()), level, target, message == null ? "" : message, null,
        Thread.currentThread().getName(), null, 0, text(fields), span);
  }

  private static Map<String, String> text(Map<String, ?> fields) {
    if (fields == null || fields.isEmpty()) {
      return Map.of();
    }
    java.util.SortedMap<String, String> text = new TreeMap<>();
    fields.forEach((key, value) -> {
      if (key != null && value != null) {
        boolean nonFinite = (value instanceof Double && !Double.isFinite((Double) value))
            || (value instanceof Float && !Float.isFinite((Float) value));
        text.put(key, nonFinite ? "0" : String.valueOf(value));
      }
    });
    return Collections.unmodifiableSortedMap(text);
  }

  /** Alternating names and values, in order; null values are left out later. */
  private static Map<String, Object> fields(Object... namesAndValues) {
    Map<String, Object> fields = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      fields.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    return fields;
  }
}
