package dynamo.obs.agent.targets.methods;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.isMethod;
import static net.bytebuddy.matcher.ElementMatchers.isOverriddenFrom;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;

import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.agent.weaving.InstrumentationModule;
import dynamo.obs.agent.weaving.TargetId;
import dynamo.obs.bootstrap.Dispatch;
import dynamo.obs.bootstrap.Handler;
import java.util.HashSet;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import net.bytebuddy.description.type.TypeDescription;

/**
 * Implementations of token handler interfaces: the callbacks a worker method receives and calls
 * with its tokens ({@code onToken}, {@code onNext}, {@code onPartialResponse}…, then a completion or
 * an error). Installed for interfaces found on worker methods' parameters once those are woven.
 */
public final class TokenHandlerInstrumentation implements InstrumentationModule {
  private final List<String> interfaces;

  public TokenHandlerInstrumentation(List<String> interfaces) {
    this.interfaces = interfaces;
  }

  @Override
  public String name() {
    return MethodsInstrumentation.NAME;
  }

  @Override
  public String description() {
    return "implementations of token handlers passed to worker methods";
  }

  /** The methods target's handler, which {@link MethodsInstrumentation} made, hears these too. */
  @Override
  public Handler handler(AgentServices services) {
    return null;
  }

  @Override
  public List<TypeAdvice> typeAdvice() {
    String[] names = interfaces.toArray(new String[0]);
    return List.of(TypeAdvice.subtypesOf(new HashSet<>(interfaces),
        List.of(new AdviceBinding(isMethod().and(not(isAbstract()))
            .and(isOverriddenFrom(namedOneOf(names).<TypeDescription>and(isInterface()))),
            TokenHandlerInstrumentation.class.getName() + "$HandlerAdvice"))));
  }

  @SuppressWarnings("unused")
  public static final class HandlerAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@TargetId int target, @Advice.This Object handler, @Advice.Origin("#m") String method,
        @Advice.Origin("#d") String descriptor,
        @Advice.Argument(value = 0, optional = true, typing = Assigner.Typing.DYNAMIC) Object first) {
      Dispatch.on(handler, method, descriptor, first, target, MethodsInstrumentation.HANDLER_INVOKED);
    }
  }
}
