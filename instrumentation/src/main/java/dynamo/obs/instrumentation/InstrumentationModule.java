package dynamo.obs.instrumentation;

import java.util.List;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * One instrumentation: which types it weaves, which advice goes on which methods, and what to do
 * once it is installed. Its kebab-case {@link #name()} is its on/off switch:
 * {@code DYN_OBS_INSTRUMENTATION_<NAME>_ENABLED} with {@code -} → {@code _}.
 */
public interface InstrumentationModule {

  /** Advice class (by name, so it is never loaded just to be referenced) for a set of methods. */
  record AdviceBinding(ElementMatcher<? super MethodDescription> methods, String adviceClass) {}

  /** The advice woven into the types one matcher selects. */
  record TypeAdvice(ElementMatcher<? super TypeDescription> types, List<AdviceBinding> advice) {}

  String name();

  /** One sentence for the generated list of instrumentations in docs/. */
  String description();

  List<TypeAdvice> typeAdvice();

  /**
   * Called once the transformer is installed (and already-loaded classes retransformed): catch up
   * on state the application created before the advice was in place.
   */
  default void afterInstall(java.lang.instrument.Instrumentation inst) {}
}
