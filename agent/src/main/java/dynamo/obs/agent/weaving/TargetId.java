package dynamo.obs.agent.weaving;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the advice parameter that receives the target's number: the weaver binds it to a constant when it weaves
 * (the target's place in {@link Instrumentations#names()}), so advice hands it to {@code Dispatch} without knowing
 * it, and one advice class can serve two targets (jakarta and javax servlets).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface TargetId {
}
