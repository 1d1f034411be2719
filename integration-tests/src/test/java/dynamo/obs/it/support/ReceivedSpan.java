package dynamo.obs.it.support;

import java.util.Map;

/**
 * One span an OTLP receiver accepted, with its resource and scope folded in. Ids are lower-case
 * hex, {@code ""} when absent; {@code kind} and {@code statusCode} are the OTLP enum names without
 * their prefix ({@code SERVER}, {@code ERROR}); attribute values are String, Long, Double or Boolean
 * (lists and maps for OTLP arrays and key-value lists).
 */
public record ReceivedSpan(
    String serviceName,
    Map<String, Object> resourceAttributes,
    String scopeName,
    String name,
    String kind,
    String traceId,
    String spanId,
    String parentSpanId,
    long startEpochNanos,
    long endEpochNanos,
    Map<String, Object> attributes,
    String statusCode,
    String statusMessage,
    String traceState) {
}
