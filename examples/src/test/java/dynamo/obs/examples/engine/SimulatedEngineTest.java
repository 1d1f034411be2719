package dynamo.obs.examples.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

class SimulatedEngineTest {

  private final SimulatedEngine engine = new SimulatedEngine(Duration.ZERO, Duration.ZERO, 6, Duration.ZERO);

  @Test
  void streamsTheConfiguredLengthThenStops() {
    RecordingSink sink = new RecordingSink();
    engine.generate(request("four words of prompt", null), sink);
    assertEquals(6, sink.tokens.size());
    assertFalse(sink.tokens.get(0).startsWith(" "), "the first token has no leading space");
    assertTrue(sink.tokens.get(1).startsWith(" "));
    assertEquals("stop 5 6", sink.end);
  }

  @Test
  void maxTokensCutsTheGenerationShort() {
    RecordingSink sink = new RecordingSink();
    engine.generate(request("prompt", 2), sink);
    assertEquals(2, sink.tokens.size());
    assertEquals("length 1 2", sink.end);
  }

  @Test
  void iteratorYieldsTheSameTokensAsTheCallback() {
    RecordingSink sink = new RecordingSink();
    engine.generate(request("same prompt", null), sink);
    List<String> iterated = new ArrayList<>();
    engine.generateIterator(request("same prompt", null)).forEachRemaining(iterated::add);
    assertEquals(sink.tokens, iterated);
  }

  @Test
  void interruptionCancelsTheGeneration() {
    SimulatedEngine slow = new SimulatedEngine(Duration.ofSeconds(10), Duration.ZERO, 6, Duration.ZERO);
    RecordingSink sink = new RecordingSink();
    Thread.currentThread().interrupt();
    slow.generate(request("prompt", null), sink);
    assertTrue(Thread.interrupted(), "the interrupt flag is kept for the caller");
    assertInstanceOf(CancellationException.class, sink.error);
    assertEquals(null, sink.end);

    Iterator<String> tokens = slow.generateIterator(request("prompt", null));
    Thread.currentThread().interrupt();
    assertThrows(CancellationException.class, tokens::next);
    assertTrue(Thread.interrupted());
  }

  @Test
  void countsPromptTokensDeterministically() {
    assertEquals(0, SimulatedEngine.promptTokens("  "));
    assertEquals(1, SimulatedEngine.promptTokens("one"));
    assertEquals(13, SimulatedEngine.promptTokens("a b c d e f g h i j"));
  }

  private static GenerateRequest request(String prompt, Integer maxTokens) {
    return new GenerateRequest("m", prompt, maxTokens, true, "req-1");
  }

  private static final class RecordingSink implements TokenSink {
    final List<String> tokens = new ArrayList<>();
    String end;
    Throwable error;

    @Override
    public void onToken(String text) {
      tokens.add(text);
    }

    @Override
    public void onComplete(String finishReason, int promptTokens, int completionTokens) {
      end = finishReason + " " + promptTokens + " " + completionTokens;
    }

    @Override
    public void onError(Throwable e) {
      error = e;
    }
  }
}
