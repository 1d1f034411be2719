package dynamo.obs.agent.cli;

import dynamo.obs.agent.weaving.InstrumentationModule;
import dynamo.obs.agent.weaving.Instrumentations;
import dynamo.obs.agent.targets.methods.LangChain4jEngineCalls;
import dynamo.obs.agent.targets.methods.MethodsInstrumentation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the agent instruments, as Markdown: printed by {@code java -jar dynamo-obs.jar instrumentations}
 * and kept in {@code docs/instrumentations.md} (a test fails when the two differ).
 */
public final class InstrumentationList {
  private InstrumentationList() {
  }

  private static void row(StringBuilder sb, String name, String types, String description) {
    sb.append("| `").append(name).append("` | `DYN_OBS_INSTRUMENTATION_")
        .append(name.toUpperCase(Locale.ROOT).replace('-', '_')).append("_ENABLED` | ").append(types).append(" | ")
        .append(description).append(" |\n");
  }

  public static String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("# Instrumentations\n\n");
    sb.append("Generated from the agent's code (`java -jar dynamo-obs.jar instrumentations`); do not edit by hand.\n");
    sb.append("Each is on by default; switch one off with its variable. Classes named here (the JDK's and\n");
    sb.append("libraries' known by name) and the subtypes listed as such are woven by the agent's own weaver;\n");
    sb.append("the types in matcher form and those of a method list by Byte Buddy, which is loaded only once a\n");
    sb.append("class they can match appears (or at start for method lists).\n\n");
    sb.append("| Name | Switch | Woven types | What it observes |\n");
    sb.append("|---|---|---|---|\n");
    for (InstrumentationModule m : Instrumentations.all()) {
      sb.append("| `").append(m.name()).append("` | `DYN_OBS_INSTRUMENTATION_")
          .append(m.name().toUpperCase(Locale.ROOT).replace('-', '_')).append("_ENABLED` | ");
      String sep = "";
      Set<String> named = new LinkedHashSet<>();
      for (dynamo.obs.agent.weaving.JdkWeave w : m.jdkWeaves()) {
        named.add(w.type());
      }
      for (dynamo.obs.agent.weaving.JdkWeave w : m.earlyWeaves()) {
        named.add(w.type());
      }
      Set<String> subtypes = new LinkedHashSet<>();
      for (dynamo.obs.agent.weaving.JdkWeave w : m.libraryWeaves()) {
        (w.isHierarchy() ? subtypes : named).add(w.type());
      }
      if (!subtypes.isEmpty()) {
        sb.append("subtypes of `").append(String.join("`, `", subtypes)).append('`');
        sep = "<br>";
      }
      for (String type : named) {
        sb.append(sep).append('`').append(type).append('`');
        sep = "<br>";
      }
      for (InstrumentationModule.TypeAdvice t : m.typeAdvice()) {
        sb.append(sep).append('`').append(t.types()).append('`');
        sep = "<br>";
      }
      sb.append(" | ").append(m.description()).append(" |\n");
    }
    row(sb, MethodsInstrumentation.NAME, "subtypes of the classes named in `DYN_OBS_ROUTER_METHODS` / "
        + "`DYN_OBS_WORKER_METHODS`; implementations of the handler interfaces their methods take",
        new MethodsInstrumentation(Map.of(), Map.of()).description());
    row(sb, LangChain4jEngineCalls.NAME, "subtypes of `" + String.join("`, `",
        new TreeSet<>(LangChain4jEngineCalls.WORKER_METHODS.keySet())) + "`",
        LangChain4jEngineCalls.DESCRIPTION);
    stacks(sb);
    return sb.toString();
  }

  /** Every HTTP stack a module supports, the versions, and which module does what with it. */
  private static void stacks(StringBuilder sb) {
    sb.append("\n## HTTP stacks and versions\n\n");
    sb.append("What each instrumentation supports, by stack (`netty`, `jakarta-servlet`, `javax-servlet`,\n");
    sb.append("`jdk-httpserver`: frontend request metrics; `routes`: readiness before the first request). A version\n");
    sb.append("outside these ranges, or no supported server listening 10 s after start in a process that names no\n");
    sb.append("worker or router methods, gives one WARN naming what was found; `java -jar dynamo-obs.jar doctor\n");
    sb.append("--class-path <the application's class path>` says the same before a deployment.\n\n");
    sb.append("| Stack | Versions | Instrumentation | Recognised by |\n");
    sb.append("|---|---|---|---|\n");
    Map<String, List<String>> rows = new LinkedHashMap<>();
    for (InstrumentationModule m : Instrumentations.all()) {
      for (InstrumentationModule.Supported s : m.supports()) {
        rows.computeIfAbsent(s.stack(), k -> new ArrayList<>())
            .add("| " + s.stack() + " | " + s.versions() + " | `" + m.name() + "` | `" + s.marker() + "` |\n");
      }
    }
    rows.values().forEach(r -> r.forEach(sb::append));
  }
}
