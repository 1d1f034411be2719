package dynamo.obs.agent.cli;

import dynamo.obs.instrumentation.InstrumentationModule;
import dynamo.obs.instrumentation.Instrumentations;
import java.util.Locale;

/**
 * What the agent instruments, as Markdown: printed by {@code java -jar dynamo-obs.jar instrumentations}
 * and kept in {@code docs/instrumentations.md} (a test fails when the two differ).
 */
public final class InstrumentationList {
  private InstrumentationList() {}

  public static String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("# Instrumentations\n\n");
    sb.append("Generated from the agent's code (`java -jar dynamo-obs.jar instrumentations`); do not edit by hand.\n");
    sb.append("Each is on by default; switch one off with its variable.\n\n");
    sb.append("| Name | Switch | Woven types | What it observes |\n");
    sb.append("|---|---|---|---|\n");
    for (InstrumentationModule m : Instrumentations.all()) {
      sb.append("| `").append(m.name()).append("` | `DYN_OBS_INSTRUMENTATION_")
          .append(m.name().toUpperCase(Locale.ROOT).replace('-', '_')).append("_ENABLED` | ");
      String sep = "";
      for (InstrumentationModule.TypeAdvice t : m.typeAdvice()) {
        sb.append(sep).append('`').append(t.types()).append('`');
        sep = "<br>";
      }
      sb.append(" | ").append(m.description()).append(" |\n");
    }
    return sb.toString();
  }
}
