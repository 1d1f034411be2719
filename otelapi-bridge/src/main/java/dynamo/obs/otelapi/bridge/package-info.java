/**
 * The application's OpenTelemetry API bridged to the agent: classes compiled against
 * {@code opentelemetry-api} 1.x that the agent defines in the class loader of the application's API
 * (they are stored in the agent jar as plain class files, not relocated: they implement the application's
 * own interfaces) and that reach the agent through {@code dynamo.obs.bootstrap.otel.OpenTelemetryBridge}
 * only. They use only what every 1.x version has since 1.4, so they serve whichever version the
 * application bundles.
 */
package dynamo.obs.otelapi.bridge;
