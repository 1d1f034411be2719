package dynamo.obs.testapps.micronaut;

import dynamo.obs.testapps.Answer;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.sse.Event;
import io.micronaut.runtime.Micronaut;
import io.micronaut.runtime.server.EmbeddedServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An OpenAI-shaped service on Micronaut 4 (its Netty HTTP server, beans and routes built by annotation processing),
 * no observability code. One {@code @Controller}:
 * <ul>
 *   <li>{@code POST /v1/chat/completions}: the body bound as a {@code String}; streams as a
 *       {@code Flux<Event<String>>} (Micronaut writes the server-sent-event framing);
 *   <li>{@code POST /v1/completions}: the body bound as a {@code byte[]}; streams the same way;
 *   <li>{@code GET /v1/models};
 *   <li>with {@code -Dtestapp.health=true}, {@code GET /health} ({@link HealthController}).
 * </ul>
 * JSON answers are {@code HttpResponse<String>} of type {@code application/json}; pauses are
 * {@code delayElement}s. Optional argument: the port (default: any free one). Prints {@code READY <port>}.
 */
@Controller
public class MicronautOpenAiApp {
  public static void main(String[] args) {
    ApplicationContext context = Micronaut.build(new String[0])
        .mainClass(MicronautOpenAiApp.class)
        .banner(false)
        .properties(Map.of("micronaut.server.port", args.length > 0 ? args[0] : "-1",
            "micronaut.server.host", "127.0.0.1"))
        .start();
    System.out.println("READY " + context.getBean(EmbeddedServer.class).getPort());
  }

  @Post(uri = Answer.CHAT_PATH, consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON,
      MediaType.TEXT_EVENT_STREAM})
  HttpResponse<?> chat(@Nullable @Header(Answer.SCENARIO_HEADER) String scenario, @Nullable @Body String body) {
    return answer(Answer.to(true, scenario, body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8)));
  }

  @Post(uri = Answer.COMPLETIONS_PATH, consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON,
      MediaType.TEXT_EVENT_STREAM})
  HttpResponse<?> completions(@Nullable @Header(Answer.SCENARIO_HEADER) String scenario, @Nullable @Body byte[] body) {
    return answer(Answer.to(false, scenario, body == null ? new byte[0] : body));
  }

  @Get(uri = Answer.MODELS_PATH, produces = MediaType.APPLICATION_JSON)
  String models() {
    return Answer.models().body();
  }

  static HttpResponse<?> answer(Answer answer) {
    switch (answer.kind()) {
      case FAIL :
        throw answer.failure();
      case JSON :
        return HttpResponse.status(HttpStatus.valueOf(answer.status())).contentType(MediaType.APPLICATION_JSON_TYPE)
            .body(answer.body());
      default :
        Flux<Event<String>> events = Flux.fromIterable(answer.events()).concatMap(e -> e.delayMs() > 0
            ? Mono.just(e).delayElement(Duration.ofMillis(e.delayMs()))
            : Mono.just(e)).map(e -> Event.of(e.data()));
        return HttpResponse.ok(events).contentType(MediaType.TEXT_EVENT_STREAM_TYPE);
    }
  }

  /** The application's own health route, a controller of its own that exists with {@code -Dtestapp.health=true}. */
  @Controller
  @Requires(property = Answer.HEALTH_PROPERTY, value = "true")
  public static class HealthController {
    @Get(uri = Answer.HEALTH_PATH, produces = MediaType.APPLICATION_JSON)
    String health() {
      return Answer.health().body();
    }
  }
}
