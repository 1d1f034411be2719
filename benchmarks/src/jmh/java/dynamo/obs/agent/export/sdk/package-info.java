/**
 * The agent's adapters to the OpenTelemetry SDK's OTLP exporters as they were until the agent wrote
 * OTLP itself: its spans and log records as the SDK's {@code SpanData} and {@code LogRecordData}.
 * Kept only so that {@code OtlpEncodeBenchmark} can measure that path against the agent's own encoder.
 */
package dynamo.obs.agent.export.sdk;
