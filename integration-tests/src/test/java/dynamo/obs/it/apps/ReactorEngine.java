package dynamo.obs.it.apps;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Engine methods declared to return Reactor's {@code Flux} and {@code Mono} (not the Reactive Streams
 * interface): the caller keeps using Reactor's operators on what it gets, so the agent may not hand
 * it a wrapper of another type. Loaded only when first used (reactor-core is on the class path then).
 */
public final class ReactorEngine {
  public Flux<String> flux(ShapesEngine.Req r) {
    return Flux.range(0, r.tokens()).map(i -> "t" + i);
  }

  public Flux<String> failing(ShapesEngine.Req r) {
    return Flux.concat(Flux.range(0, r.tokens() - 1).map(i -> "t" + i),
        Flux.error(new IllegalStateException("engine failed")));
  }

  public Mono<String> mono(ShapesEngine.Req r) {
    return Mono.just("answer of " + r.tokens());
  }
}
