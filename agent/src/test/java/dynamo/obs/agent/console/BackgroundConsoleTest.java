package dynamo.obs.agent.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.agent.applog.LogEvent;
import dynamo.obs.agent.config.LogFilter.Level;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The console thread's queue: every line written once, each thread's in its order, and bounded. */
class BackgroundConsoleTest {
  private static LogEvent event(String message) {
    return new LogEvent(0, Level.INFO, "t", message, null, "main", null, 0, Map.of(), null);
  }

  @Test
  @Timeout(60)
  void linesFromManyThreadsAreEachWrittenOnceInTheirThreadsOrder() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    BackgroundConsole console = new BackgroundConsole(e -> e.message, () -> out);
    int threads = 4;
    int each = 40_000; // more than the queue holds: it fills and empties while the console thread writes
    List<Thread> adders = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread a = new Thread(() -> {
        for (int i = 0; i < each; i++) {
          while (console.waiting() > BackgroundConsole.CAPACITY / 2) {
            Thread.onSpinWait(); // the console thread catches up: nothing is to be dropped here
          }
          console.add(event(id + ":" + i));
        }
      });
      adders.add(a);
      a.start();
    }
    for (Thread a : adders) {
      a.join();
    }
    console.flush();
    int[] next = new int[threads];
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    for (String line : lines) {
      String[] parts = line.split(":");
      int t = Integer.parseInt(parts[0]);
      assertEquals(next[t]++, Integer.parseInt(parts[1]), "thread " + t + "'s lines in order");
    }
    for (int t = 0; t < threads; t++) {
      assertEquals(each, next[t], "every line of thread " + t);
    }
    assertEquals(0, console.dropped());
  }

  @Test
  void whenTheConsoleCannotWriteTheNewestLinesBeyondTheCapacityAreDroppedAndCounted() throws Exception {
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    OutputStream blocking = new OutputStream() {
      @Override
      public void write(int b) {
        write(new byte[]{(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        writing.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        bytes.write(b, off, len);
      }
    };
    PrintStream out = new PrintStream(blocking, true, StandardCharsets.UTF_8);
    BackgroundConsole console = new BackgroundConsole(e -> e.message, () -> out);
    console.add(event("first"));
    assertTrue(writing.await(10, TimeUnit.SECONDS), "the console thread writes the first line");
    for (int i = 0; i < BackgroundConsole.CAPACITY + 5; i++) {
      console.add(event("line " + i));
    }
    assertEquals(5, console.dropped(), "the queue held CAPACITY lines beside the one being written");
    release.countDown();
    console.flush();
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(1 + BackgroundConsole.CAPACITY, lines.size());
    assertEquals("first", lines.get(0));
    assertEquals("line " + (BackgroundConsole.CAPACITY - 1), lines.get(lines.size() - 1), "the newest were dropped");
  }
}
