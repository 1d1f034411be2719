package dynamo.obs.agent.console;

import dynamo.obs.agent.applog.LogEvent;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Console lines the agent writes for every request (the request lifecycle events, the span records):
 * the request's thread only queues the event; one agent thread formats and writes them, several
 * lines per write. Keeps console I/O and its lock off the request path (ARCHITECTURE.md). Bounded:
 * beyond {@link #CAPACITY} waiting lines the newest is dropped and counted; at exit what waits is
 * written.
 */
final class BackgroundConsole {
  static final int CAPACITY = 65_536;
  private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final int KEPT_CHARS = 32 * 1024;
  private static final int MAX_KEPT_CHARS = 256 * 1024;
  /** The process' stderr and the charset it encodes text in, as the JDK chose it (JDK 19+: stderr.encoding). */
  private static final PrintStream STDERR = System.err;
  private static final Charset STDERR_CHARSET = stderrCharset();

  private final ConcurrentLinkedQueue<LogEvent> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();
  private final Function<LogEvent, String> format;
  private final Supplier<PrintStream> out;
  private final Thread thread;
  /** The text of one write, kept from write to write (guarded by this): no regrowth from a small buffer each time. */
  private StringBuilder lines = new StringBuilder(KEPT_CHARS);

  BackgroundConsole(Function<LogEvent, String> format, Supplier<PrintStream> out) {
    this.format = format;
    this.out = out;
    thread = new Thread(this::run, "dynamo-obs-console");
    thread.setDaemon(true);
    thread.start();
    Runtime.getRuntime().addShutdownHook(new Thread(this::flush, "dynamo-obs-console-flush"));
  }

  private static Charset stderrCharset() {
    for (String property : new String[]{"stderr.encoding", "sun.stderr.encoding"}) {
      String name = System.getProperty(property);
      if (name != null) {
        try {
          return Charset.forName(name);
        } catch (IllegalArgumentException e) {
          // unknown or malformed: as the JDK, the default
        }
      }
    }
    return Charset.defaultCharset();
  }

  void add(LogEvent event) {
    if (size.incrementAndGet() > CAPACITY) {
      size.decrementAndGet();
      if (dropped.getAndIncrement() == 0) {
        AgentLog.forTarget("dynamo_obs").once(AgentLog.Level.WARN, "console-full", "the console cannot keep up with"
            + " the request events (" + CAPACITY + " lines waiting): further ones are dropped from the console"
            + " (they are still exported); DYN_LOG=info,dynamo_obs.request=warn turns them off");
      }
      return;
    }
    queue.add(event);
  }

  /** Events waiting to be written (tests). */
  int waiting() {
    return size.get();
  }

  /** Events dropped because the console could not keep up (tests). */
  long dropped() {
    return dropped.get();
  }

  /** Writes everything queued so far, on the caller's thread. */
  void flush() {
    while (drain()) {
      // until empty
    }
  }

  private void run() {
    while (true) {
      try {
        if (!drain()) {
          LockSupport.parkNanos(this, IDLE_NANOS);
        }
      } catch (Throwable t) {
        LockSupport.parkNanos(this, IDLE_NANOS); // the console is unwritable: try again later
      }
    }
  }

  /** Writes what waits; false when nothing did. */
  private synchronized boolean drain() {
    LogEvent e = queue.poll();
    if (e == null) {
      return false;
    }
    StringBuilder lines = this.lines;
    lines.setLength(0);
    String nl = System.lineSeparator();
    int n = 0;
    for (; e != null; e = n < 256 ? queue.poll() : null) {
      size.decrementAndGet();
      lines.append(format.apply(e)).append(nl);
      n++;
    }
    PrintStream stream = out.get();
    if (stream == STDERR) {
      // the bytes at once: print(CharSequence) goes through the stream's BufferedWriter and charset encoder
      // in 8 KiB pieces, whose code, run fifty times a second, the JIT was still compiling minutes in
      byte[] bytes = lines.toString().getBytes(STDERR_CHARSET);
      stream.write(bytes, 0, bytes.length);
    } else {
      stream.print(lines);
    }
    stream.flush();
    if (lines.capacity() > MAX_KEPT_CHARS) {
      this.lines = new StringBuilder(KEPT_CHARS); // a run of long lines does not keep its memory
    }
    return true;
  }
}
