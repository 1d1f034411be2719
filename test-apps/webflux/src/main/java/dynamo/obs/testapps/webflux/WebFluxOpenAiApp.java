package dynamo.obs.testapps.webflux;

import dynamo.obs.testapps.Answer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.reactive.context.ReactiveWebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An OpenAI-shaped service on Spring Boot 3.5 WebFlux (Reactor Netty), no observability code, started from its main
 * class on a plain class path:
 * <ul>
 *   <li>{@code POST /v1/chat/completions}: an annotated controller taking the body as a {@code String}; streams as
 *       {@code Flux<ServerSentEvent<String>>}, JSON as {@code ResponseEntity<String>};
 *   <li>{@code POST /v1/completions}: a functional route ({@code RouterFunction}) reading
 *       {@code bodyToMono(String.class)}; streams as a {@code Flux<String>} body of type {@code text/event-stream};
 *   <li>{@code GET /v1/models};
 *   <li>with {@code -Dtestapp.health=true}, {@code GET /health}: a functional route.
 * </ul>
 * Spring writes the events' framing itself ({@code data:} and the value, without a space), so the streamed bodies
 * carry the events of {@link Answer} rather than its exact bytes; pauses are {@code delayElement}s. Bodies up to
 * 16 MB are read ({@code spring.codec.max-in-memory-size}; Spring's 256 KB default answers a long prompt 413). Optional
 * argument: the port (default: any free one). Prints {@code READY <port>}.
 */
@SpringBootApplication
public class WebFluxOpenAiApp {
  public static void main(String[] args) {
    SpringApplication app = new SpringApplication(WebFluxOpenAiApp.class);
    app.setDefaultProperties(Map.of("server.port", args.length > 0 ? args[0] : "0", "server.address", "127.0.0.1",
        "spring.main.banner-mode", "off", "spring.codec.max-in-memory-size", "16MB"));
    app.run();
  }

  @Bean
  ApplicationListener<ReactiveWebServerInitializedEvent> readyLine() {
    return event -> System.out.println("READY " + event.getWebServer().getPort());
  }

  /** The events of a streamed answer, each after its pause. */
  static Flux<Answer.Event> events(Answer answer) {
    return Flux.fromIterable(answer.events()).concatMap(e -> e.delayMs() > 0
        ? Mono.just(e).delayElement(Duration.ofMillis(e.delayMs()))
        : Mono.just(e));
  }

  @RestController
  static class ChatController {
    @PostMapping(Answer.CHAT_PATH)
    ResponseEntity<?> chat(@RequestHeader(name = Answer.SCENARIO_HEADER, required = false) String scenario,
        @RequestBody(required = false) String body) {
      Answer answer = Answer.to(true, scenario, body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8));
      switch (answer.kind()) {
        case FAIL :
          throw answer.failure();
        case JSON :
          return ResponseEntity.status(answer.status()).contentType(MediaType.APPLICATION_JSON).body(answer.body());
        default :
          Flux<ServerSentEvent<String>> events = events(answer).map(e -> ServerSentEvent.builder(e.data()).build());
          return ResponseEntity.ok().contentType(MediaType.TEXT_EVENT_STREAM).body(events);
      }
    }

    @GetMapping(Answer.MODELS_PATH)
    ResponseEntity<String> models() {
      return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(Answer.models().body());
    }
  }

  @Bean
  RouterFunction<ServerResponse> completionsRoute() {
    RouterFunctions.Builder routes = RouterFunctions.route()
        .POST(Answer.COMPLETIONS_PATH, WebFluxOpenAiApp::completions);
    if (Answer.servesHealth()) {
      routes.GET(Answer.HEALTH_PATH, request -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
          .bodyValue(Answer.health().body()));
    }
    return routes.build();
  }

  static Mono<ServerResponse> completions(ServerRequest request) {
    return request.bodyToMono(String.class).defaultIfEmpty("").flatMap(body -> {
      Answer answer = Answer.to(false, request.headers().firstHeader(Answer.SCENARIO_HEADER),
          body.getBytes(StandardCharsets.UTF_8));
      switch (answer.kind()) {
        case FAIL :
          return Mono.error(answer.failure());
        case JSON :
          return ServerResponse.status(answer.status()).contentType(MediaType.APPLICATION_JSON)
              .bodyValue(answer.body());
        default :
          return ServerResponse.ok().contentType(MediaType.TEXT_EVENT_STREAM)
              .body(events(answer).map(Answer.Event::data), String.class);
      }
    });
  }
}
