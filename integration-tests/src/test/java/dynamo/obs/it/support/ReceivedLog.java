package dynamo.obs.it.support;

import java.util.Map;

/**
 * One log record an OTLP receiver accepted, with its resource and scope folded in. The body is
 * text ({@code ""} when absent); trace and span ids are lower-case hex, {@code ""} outside a span;
 * attribute values as in {@link ReceivedSpan}.
 */
public record ReceivedLog(
    String serviceName,
    Map<String, Object> resourceAttributes,
    String scopeName,
    long timeUnixNano,
    long observedTimeUnixNano,
    int severityNumber,
    String severityText,
    String body,
    Map<String, Object> attributes,
    String traceId,
    String spanId) {
}
