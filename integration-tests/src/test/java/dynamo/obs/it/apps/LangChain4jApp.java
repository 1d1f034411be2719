package dynamo.obs.it.apps;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A LangChain4j worker with no observability code: LangChain4j's OpenAI client pointed at an
 * OpenAI-compatible frontend (first argument, e.g. {@code http://127.0.0.1:8000/v1}). Each
 * {@code go} line on stdin makes one unary and one streamed call, then prints what it got.
 */
public final class LangChain4jApp {
  private LangChain4jApp() {
  }

  public static void main(String[] args) throws Exception {
    String base = args[0];
    OpenAiChatModel chat = OpenAiChatModel.builder().baseUrl(base).apiKey("none").modelName("LC-Unary").build();
    OpenAiStreamingChatModel streaming = OpenAiStreamingChatModel.builder().baseUrl(base).apiKey("none")
        .modelName("LC-Stream").build();
    System.out.println("READY");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (!line.trim().equals("go")) {
        continue;
      }
      String answer = chat.chat("hello");
      AtomicInteger partials = new AtomicInteger();
      CountDownLatch done = new CountDownLatch(1);
      streaming.chat("hello", new StreamingChatResponseHandler() {
        @Override
        public void onPartialResponse(String partial) {
          partials.incrementAndGet();
        }

        @Override
        public void onCompleteResponse(ChatResponse response) {
          done.countDown();
        }

        @Override
        public void onError(Throwable error) {
          System.out.println("ERROR " + error);
          done.countDown();
        }
      });
      done.await(20, TimeUnit.SECONDS);
      System.out.println("GOT unary=" + answer.replace('\n', ' ') + " partials=" + partials.get());
    }
  }
}
