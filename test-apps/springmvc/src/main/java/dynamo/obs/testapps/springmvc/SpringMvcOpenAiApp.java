package dynamo.obs.testapps.springmvc;

import dynamo.obs.testapps.Answer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.servlet.context.ServletWebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * An OpenAI-shaped service on Spring Boot 3.5 MVC (embedded Tomcat), no observability code, started from its main
 * class on a plain class path:
 * <ul>
 *   <li>{@code POST /v1/chat/completions}: an annotated controller taking the body as a {@code String}; streams with
 *       an {@code SseEmitter} fed from a thread of its own, JSON as {@code ResponseEntity<String>};
 *   <li>{@code POST /v1/completions}: a functional route ({@code RouterFunction} of {@code WebMvc.fn}) reading
 *       {@code body(String.class)}; streams with {@code ServerResponse.sse};
 *   <li>{@code GET /v1/models}.
 * </ul>
 * Spring writes the events' framing itself ({@code data:} and the value, without a space), so the streamed bodies
 * carry the events of {@link Answer} rather than its exact bytes; pauses are slept on the stream's thread. Optional
 * argument: the port (default: any free one). Prints {@code READY <port>}.
 */
@SpringBootApplication
public class SpringMvcOpenAiApp {
  /** Where streams are written from, as an application hands an {@code SseEmitter} to its engine's thread. */
  static final ExecutorService STREAMS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "stream");
    t.setDaemon(true);
    return t;
  });

  public static void main(String[] args) {
    SpringApplication app = new SpringApplication(SpringMvcOpenAiApp.class);
    app.setDefaultProperties(Map.of("server.port", args.length > 0 ? args[0] : "0", "server.address", "127.0.0.1",
        "spring.main.banner-mode", "off"));
    app.run();
  }

  @Bean
  ApplicationListener<ServletWebServerInitializedEvent> readyLine() {
    return event -> System.out.println("READY " + event.getWebServer().getPort());
  }

  /** One event sent, after its pause. */
  interface EventSender {
    void send(String data) throws IOException;
  }

  /** Every event sent: null; else why the stream ended early (the client gone: an {@code IOException}). */
  static Exception sendAll(Answer answer, EventSender sender) {
    try {
      for (Answer.Event e : answer.events()) {
        if (e.delayMs() > 0) {
          Thread.sleep(e.delayMs());
        }
        sender.send(e.data());
      }
      return null;
    } catch (IOException | IllegalStateException clientGone) {
      return clientGone;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e;
    }
  }

  @RestController
  static class ChatController {
    @PostMapping(Answer.CHAT_PATH)
    Object chat(@RequestHeader(name = Answer.SCENARIO_HEADER, required = false) String scenario,
        @RequestBody(required = false) String body) {
      Answer answer = Answer.to(true, scenario, body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8));
      switch (answer.kind()) {
        case FAIL :
          throw answer.failure();
        case JSON :
          return ResponseEntity.status(answer.status()).contentType(MediaType.APPLICATION_JSON).body(answer.body());
        default :
          SseEmitter emitter = new SseEmitter(0L);
          STREAMS.execute(() -> {
            Exception gone = sendAll(answer, data -> emitter.send(SseEmitter.event().data(data)));
            if (gone == null) {
              emitter.complete();
            } else {
              emitter.completeWithError(gone); // as Spring's guides do when a send fails
            }
          });
          return emitter;
      }
    }

    @GetMapping(Answer.MODELS_PATH)
    ResponseEntity<String> models() {
      return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(Answer.models().body());
    }
  }

  @Bean
  RouterFunction<ServerResponse> completionsRoute() {
    return RouterFunctions.route().POST(Answer.COMPLETIONS_PATH, SpringMvcOpenAiApp::completions).build();
  }

  static ServerResponse completions(ServerRequest request) throws Exception {
    String body = request.body(String.class);
    Answer answer = Answer.to(false, request.headers().firstHeader(Answer.SCENARIO_HEADER),
        body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8));
    switch (answer.kind()) {
      case FAIL :
        throw answer.failure();
      case JSON :
        return ServerResponse.status(answer.status()).contentType(MediaType.APPLICATION_JSON).body(answer.body());
      default :
        return ServerResponse.sse(sse -> STREAMS.execute(() -> {
          if (sendAll(answer, sse::data) == null) {
            sse.complete();
          }
        }));
    }
  }
}
