package dynamo.obs.agent.applog;

import dynamo.obs.agent.config.LogFilter;
import dynamo.obs.agent.console.LogLines;
import dynamo.obs.agent.trace.ActiveSpan;
import java.text.MessageFormat;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.MissingResourceException;
import java.util.ResourceBundle;
import java.util.TreeMap;

/**
 * Application log events of java.util.logging, Logback and Log4j 2 (SPEC §6), as their woven
 * loggers hand them over: level-filtered by {@code DYN_LOG}, joined to the span the logging thread
 * is in, sent to {@link LogExport}; with {@code DYN_LOGGING_JSONL}, printed by the frameworks'
 * console handlers and appenders as Dynamo JSONL instead of their own text.
 *
 * <p>Each thread keeps the events being dispatched on it, innermost last. A console appender runs
 * inside the dispatch and prints the innermost event. An event logged during the dispatch of
 * another under the same logger name is a bridge handing the same event to a second framework
 * (JUL to SLF4J, the Log4j API to Logback …): it is not captured twice. Events of the agent's
 * relocated libraries and of its threads are printed but never exported (an export failure that
 * is logged would be exported, fail, be logged …), and whatever the agent logs while it captures or
 * prints is left to the framework alone.
 */
public final class LogCapture {
  /** Logger names of the libraries inside the agent jar. */
  static final String AGENT_LIBRARIES = "dynamo.obs.shaded.";
  /** Names of the agent's threads. */
  static final String AGENT_THREADS = "dynamo-obs";

  private final LogFilter filter;
  private final boolean jsonl;
  private final boolean localTime;
  private final ThreadLocal<Dispatch> dispatches = ThreadLocal.withInitial(Dispatch::new);

  public LogCapture(LogFilter filter, boolean jsonl, boolean localTime) {
    this.filter = filter;
    this.jsonl = jsonl;
    this.localTime = localTime;
  }

  /**
   * A woven logger dispatches an event (see {@link LogEvents#LOG}); returns the token for
   * {@link #ended}, or null when nothing was opened.
   */
  public Object started(LogFramework framework, int level, String logger, String message, Object[] parameters,
      ResourceBundle bundle, Throwable thrown, Instant time, StackTraceElement location, Map<String, String> fields) {
    if (!jsonl && LogExport.current() == LogExport.NONE) {
      return null; // the default: nothing leaves the process and the console is the framework's
    }
    Dispatch dispatch = dispatches.get();
    if (dispatch.busy || dispatch.depth == Dispatch.MAX_DEPTH) {
      return null;
    }
    String target = logger == null ? "" : logger;
    Frame enclosing = dispatch.top();
    LogEvent event;
    if (enclosing != null && enclosing.target.equals(target)) {
      event = enclosing.event; // a bridge passing the same event on
    } else {
      LogFilter.Level severity = framework.level(level);
      event = filter.enabled(target, severity)
          ? capture(dispatch, severity, target, message, parameters, bundle, thrown, time, location, fields)
          : null;
    }
    return dispatch.push(target, event);
  }

  /** The framework has dispatched the event {@code token} stands for. */
  public void ended(Object token) {
    Frame frame = (Frame) token;
    if (frame == null) {
      return; // the call began before the framework's class was woven: its start was never reported
    }
    frame.owner.depth = frame.index; // also closes inner frames whose end was never reported
    frame.event = null;
    frame.line = null;
  }

  /**
   * A console handler or appender is about to render the event dispatched on this thread: with
   * JSONL on, prints it (nothing when DYN_LOG filtered it out) and returns true so the framework
   * skips its own text. False when JSONL is off or no dispatch is open on this thread (an
   * asynchronous appender, a handler called directly): the framework prints as it always does.
   */
  public boolean consoleLine(boolean stderr) {
    if (!jsonl) {
      return false;
    }
    Dispatch dispatch = dispatches.get();
    Frame frame = dispatch.top();
    if (dispatch.busy || frame == null) {
      return false;
    }
    if (frame.event != null) {
      dispatch.busy = true;
      try {
        if (frame.line == null) {
          frame.line = LogLines.jsonl(frame.event, localTime); // one rendering for every console appender
        }
        LogLines.print(stderr ? System.err : System.out, frame.line);
      } finally {
        dispatch.busy = false;
      }
    }
    return true;
  }

  private LogEvent capture(Dispatch dispatch, LogFilter.Level severity, String target, String message,
      Object[] parameters, ResourceBundle bundle, Throwable thrown, Instant time, StackTraceElement location,
      Map<String, String> fields) {
    String thread = Thread.currentThread().getName();
    boolean agents = target.startsWith(AGENT_LIBRARIES) || thread.startsWith(AGENT_THREADS);
    if (agents && !jsonl) {
      return null;
    }
    dispatch.busy = true;
    try {
      LogEvent event = new LogEvent(LogEvent.epochNanos(time == null ? Instant.now() : time), severity, target,
          message(message, parameters, bundle), thrown, thread, location == null ? null : location.getFileName(),
          location == null ? 0 : Math.max(0, location.getLineNumber()), copy(fields), ActiveSpan.current());
      if (!agents) {
        LogExport.current().emit(event);
      }
      return event;
    } finally {
      dispatch.busy = false;
    }
  }

  /**
   * The message text, formatted as JUL's {@code Formatter.formatMessage} does: the bundle's text for
   * the key, then {@code {0}}-style parameters if the text has any. Other frameworks pass the
   * formatted message and neither parameters nor bundle.
   */
  static String message(String message, Object[] parameters, ResourceBundle bundle) {
    if (message == null) {
      return "";
    }
    String text = message;
    if (bundle != null) {
      try {
        text = bundle.getString(message);
      } catch (MissingResourceException e) {
        // the key is the text
      }
    }
    if (parameters == null || parameters.length == 0) {
      return text;
    }
    for (int i = text.indexOf('{'); i >= 0 && i + 1 < text.length(); i = text.indexOf('{', i + 1)) {
      char next = text.charAt(i + 1);
      if (next >= '0' && next <= '9') {
        try {
          return MessageFormat.format(text, parameters);
        } catch (RuntimeException e) {
          return text; // a bad pattern, or a parameter whose toString throws
        }
      }
    }
    return text;
  }

  /** The framework's map may change after the event (and the event lives on in the export queue). */
  private static Map<String, String> copy(Map<String, String> fields) {
    if (fields == null || fields.isEmpty()) {
      return Map.of();
    }
    Map<String, String> copy = new TreeMap<>();
    fields.forEach((key, value) -> {
      if (key != null && value != null) {
        copy.put(key, value);
      }
    });
    return Collections.unmodifiableMap(copy);
  }

  /** One thread's events being dispatched, innermost last; frames are reused from event to event. */
  private static final class Dispatch {
    /** Deeper nesting is a framework logging from its own appenders again and again: left alone. */
    static final int MAX_DEPTH = 8;

    final Frame[] frames = new Frame[MAX_DEPTH];
    int depth;
    /** The agent is capturing or printing on this thread: whatever is logged meanwhile is not ours. */
    boolean busy;

    Frame top() {
      return depth == 0 ? null : frames[depth - 1];
    }

    Frame push(String target, LogEvent event) {
      Frame frame = frames[depth];
      if (frame == null) {
        frame = new Frame(this, depth);
        frames[depth] = frame;
      }
      frame.target = target;
      frame.event = event;
      frame.line = null;
      depth++;
      return frame;
    }
  }

  /** One event being dispatched: null {@code event} means the console prints nothing for it. */
  private static final class Frame {
    final Dispatch owner;
    final int index;
    String target;
    LogEvent event;
    String line;

    Frame(Dispatch owner, int index) {
      this.owner = owner;
      this.index = index;
    }
  }
}
