package dynamo.obs.agent.targets.otelapi;

import dynamo.obs.agent.weaving.LibraryClasses;

/**
 * The bridge's classes ({@code dynamo.obs.otelapi.bridge}) defined in the class loader of an application's
 * OpenTelemetry API ({@link LibraryClasses}). They are stored in the agent jar as {@code .bridgeclass} files, as
 * compiled (not relocated: they implement the application's interfaces).
 */
final class ApplicationClasses {
  static final String PACKAGE = "dynamo.obs.otelapi.bridge.";
  /** Every class of the bridge; each refers only to the others, the API and the bootstrap API. */
  private static final String[] NAMES = {"ApplicationScope", "ApplicationSpan", "ApplicationSpanBuilder",
      "ApplicationTracer", "ApplicationTracerProvider", "ApplicationOpenTelemetry", "ApplicationContextStorage"};

  private ApplicationClasses() {
  }

  /** Defines the bridge in {@code loader} (classes already there are kept) and returns the named class. */
  static Class<?> define(ClassLoader loader, String simpleName) throws Exception {
    for (String n : NAMES) {
      String name = PACKAGE + n;
      if (!LibraryClasses.definedBy(name, loader)) {
        LibraryClasses.define(loader, name, LibraryClasses.bytes(name, ".bridgeclass"));
      }
    }
    return Class.forName(PACKAGE + simpleName, true, loader);
  }
}
