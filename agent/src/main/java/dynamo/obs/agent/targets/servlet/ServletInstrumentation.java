package dynamo.obs.agent.targets.servlet;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.agent.weaving.InstrumentationModule;
import dynamo.obs.agent.weaving.TargetId;
import dynamo.obs.bootstrap.Dispatch;
import dynamo.obs.bootstrap.Handler;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Servlet containers: Jakarta Servlet 5/6 ({@code jakarta.servlet}: Jetty 11/12, Tomcat 10+) and,
 * as a second instrumentation with the same advice, Servlet 3/4
 * ({@code javax.servlet}: Jetty 9/10, Tomcat 9). Types are matched by name and the advice names
 * none of the API's types — requests, responses, streams arrive as {@code Object} — so one set of
 * advice serves both packages, and the runtime reads the few values it needs per request through
 * the API's public interfaces.
 *
 * <p>Woven: the outermost filter or servlet of each request (start, end, handler failure), the
 * request's {@code getInputStream} and {@code startAsync}, the response's {@code getOutputStream}
 * and {@code getWriter}, and the reads and writes of the container's streams, where the bytes of
 * the bodies pass — also those a response writer encodes — without wrapping anything.
 */
public final class ServletInstrumentation implements InstrumentationModule {
  // events, with the arguments of Dispatch.on or Dispatch.onData (a, data, i, j, b)
  /** (request, response): returns non-null when this call serves the request (its exit then reports). */
  static final int SERVICE_ENTERED = 0;
  /** (throwable or null): the call that serves the request returned or threw. */
  static final int SERVICE_EXITED = 1;
  /** (request, async context): {@code startAsync} returned. */
  static final int ASYNC_STARTED = 2;
  /** (request or response, stream / reader / writer): {@code getInputStream}, {@code getOutputStream} … returned. */
  static final int IO_OPENED = 3;
  /** (stream or writer): a read, write, flush, close or writer call began; returns its call token or null. */
  static final int IO_ENTERED = 4;
  /** (call, throwable): a flush, close or writer call ended. */
  static final int IO_EXITED = 5;
  /** onData (call, -, the byte or -1, -, throwable): {@code read()} returned, or {@code write(int)} ended. */
  static final int BYTE_EXITED = 6;
  /** onData (call, byte[], off, len or -1, throwable): bytes were read or written. */
  static final int BYTES_EXITED = 7;
  /** onData (call, ByteBuffer, its position before, -, throwable): a buffer was read into or written from. */
  static final int BUFFER_EXITED = 8;
  /** (writer or reader): a writer's write of characters or a reader's read began; returns its call token or null. */
  static final int CHARS_ENTERED = 9;
  /** onData (call, char[] or String, off, len or -1, throwable): characters were written or read. */
  static final int CHARS_EXITED = 10;
  /** onData (call, -, the character or -1, -, throwable): one character was written or read. */
  static final int CHAR_EXITED = 11;
  /** (call, the line or null, throwable): a reader's {@code readLine()} returned. */
  static final int LINE_EXITED = 12;
  /**
   * (response): {@code sendError(404)} was called; returns non-null when the agent answered instead (a system status
   * route on a frontend's port), and the call then does nothing.
   */
  static final int NOT_FOUND_SENT = 13;
  /** (request, response): Jetty 9 to 11's ErrorHandler is about to render an error page; non-null: answered. */
  static final int ERROR_PAGE = 14;
  /**
   * (method, path, Accept, Accept-Encoding): Jetty 12's core answers 404 to a request; returns the agent's answer to
   * write instead ({@link ServletPortRoutes#coreNotFound}), or null.
   */
  static final int CORE_NOT_FOUND = 15;

  private final String name;
  private final String pkg;
  private final String containers;

  private ServletInstrumentation(String name, String pkg, String containers) {
    this.name = name;
    this.pkg = pkg;
    this.containers = containers;
  }

  /** {@code jakarta.servlet} (Servlet 5 and later). */
  public static ServletInstrumentation jakarta() {
    return new ServletInstrumentation("jakarta-servlet", "jakarta.servlet.",
        "Jakarta Servlet 5/6 containers (jakarta.servlet: Jetty 11/12, Tomcat 10+)");
  }

  /** {@code javax.servlet} (Servlet 3.0 to 4). */
  public static ServletInstrumentation javax() {
    return new ServletInstrumentation("javax-servlet", "javax.servlet.",
        "Servlet 3/4 containers (javax.servlet: Jetty 9/10, Tomcat 9)");
  }

  /** A container loads the servlet API before any servlet, filter, request or stream class of its own. */
  @Override
  public List<String> triggers() {
    return List.of(pkg.replace('.', '/') + "Servlet");
  }

  @Override
  public String name() {
    return name;
  }

  /** The containers tested with this package's servlets (Tomcat and Jetty moved from javax to jakarta). */
  @Override
  public List<Supported> supports() {
    boolean jakarta = pkg.startsWith("jakarta.");
    return List.of(
        new Supported("Tomcat", jakarta ? "10.0–11" : "9", "org.apache.catalina.connector.Connector",
            jakarta ? "10.0" : "9.0", jakarta ? "12" : "10"),
        new Supported("Jetty", jakarta ? "11–12" : "9.4–10", "org.eclipse.jetty.server.Server", jakarta ? "11" : "9.4",
            jakarta ? "13" : "11"));
  }

  @Override
  public Handler handler(AgentServices services) {
    return new ServletHandler(services, name);
  }

  @Override
  public String description() {
    return containers + ", sync and async servlets behind any filters: every inference request (frontend"
        + " metrics, x-request-id, endpoint health), bodies seen where the container's streams pass their bytes; on a"
        + " frontend /metrics, health and live where the container answers 404 (sendError, Jetty's error handler"
        + (pkg.startsWith("jakarta.") ? ", Jetty 12's core" : "") + ")";
  }

  @Override
  public List<TypeAdvice> typeAdvice() {
    List<TypeAdvice> all = new ArrayList<>(servletTypeAdvice());
    if (pkg.startsWith("jakarta.")) {
      // Jetty 12's core, whichever servlet environments it hosts: the 404 of a request no context takes. Once, with
      // the jakarta target (Jetty 12's ee10 and ee11 environments; ee9 too).
      all.add(TypeAdvice.named("org.eclipse.jetty.server.Response", List.of(
          new AdviceBinding(named("writeError").and(isStatic()).and(takesArguments(6)).and(takesArgument(3, int.class)),
              ServletInstrumentation.class.getName() + "$JettyCoreNotFoundAdvice"))));
    }
    return all;
  }

  private List<TypeAdvice> servletTypeAdvice() {
    String self = ServletInstrumentation.class.getName();
    String enter = self + "$IoEnter";
    String charsEnter = self + "$CharsEnter";
    ElementMatcher.Junction<MethodDescription> concrete = isPublic().and(not(isStatic())).and(not(isAbstract()));
    ElementMatcher.Junction<MethodDescription> requestAndResponse = takesArgument(0, named(pkg + "ServletRequest"))
        .and(takesArgument(1, named(pkg + "ServletResponse")));
    return List.of(
        TypeAdvice.subtypesOf(Set.of(pkg + "Servlet", pkg + "Filter"), List.of(
            new AdviceBinding(concrete.and(named("service")).and(takesArguments(2)).and(requestAndResponse),
                self + "$ServiceAdvice"),
            new AdviceBinding(concrete.and(named("doFilter")).and(takesArguments(3)).and(requestAndResponse),
                self + "$ServiceAdvice"))),
        TypeAdvice.subtypesOf(Set.of(pkg + "ServletRequest"), List.of(
            new AdviceBinding(concrete.and(namedOneOf("getInputStream", "getReader")).and(takesArguments(0)),
                self + "$IoOpenedAdvice"),
            new AdviceBinding(concrete.and(named("startAsync")), self + "$AsyncStartedAdvice"))),
        TypeAdvice.subtypesOf(Set.of(pkg + "ServletResponse"), List.of(
            new AdviceBinding(concrete.and(namedOneOf("getOutputStream", "getWriter")).and(takesArguments(0)),
                self + "$IoOpenedAdvice"),
            new AdviceBinding(concrete.and(named("sendError")).and(takesArgument(0, int.class))
                .and(takesArguments(1).or(takesArguments(2))), self + "$NotFoundAdvice"))),
        // Jetty 9 to 11 render the 404 of a request no context takes here, after a sendError outside any servlet
        TypeAdvice.named("org.eclipse.jetty.server.handler.ErrorHandler", List.of(
            new AdviceBinding(named("handle").and(takesArguments(4)).and(takesArgument(2, named(pkg
                + "http.HttpServletRequest"))), self + "$ErrorPageAdvice"))),
        TypeAdvice.subtypesOf(Set.of(pkg + "ServletInputStream"), List.of(
            new AdviceBinding(concrete.and(named("read")).and(takesArguments(0)), enter, self + "$ReadByteExit"),
            new AdviceBinding(concrete.and(named("read").and(takesArguments(byte[].class)).or(
                namedOneOf("read", "readLine").and(takesArguments(byte[].class, int.class, int.class)))),
                enter, self + "$ReadBytesExit"),
            new AdviceBinding(concrete.and(named("read")).and(takesArguments(ByteBuffer.class)),
                self + "$BufferAdvice"))),
        TypeAdvice.subtypesOf(Set.of(pkg + "ServletOutputStream"), List.of(
            new AdviceBinding(concrete.and(named("write")).and(takesArguments(int.class)), enter,
                self + "$WriteByteExit"),
            new AdviceBinding(concrete.and(named("write")).and(takesArguments(byte[].class)), enter,
                self + "$WriteArrayExit"),
            new AdviceBinding(concrete.and(named("write")).and(takesArguments(byte[].class, int.class, int.class)),
                enter, self + "$WriteBytesExit"),
            new AdviceBinding(concrete.and(named("write")).and(takesArguments(ByteBuffer.class)),
                self + "$BufferAdvice"),
            new AdviceBinding(concrete.and(namedOneOf("flush", "close")).and(takesArguments(0)), enter,
                self + "$CallExit"))),
        // A response writer mostly encodes into the container's output stream: then its calls only
        // tell which request that stream belongs to when it is first written to. One that encodes
        // into the container's buffers itself (Tomcat's) is seen by the characters of its writes.
        TypeAdvice.subtypesOf(Set.of("java.io.PrintWriter"), Set.of(pkg + "ServletResponse"), List.of(
            new AdviceBinding(concrete.and(namedOneOf("print", "println", "printf", "format", "append",
                "flush", "close")), enter, self + "$CallExit"),
            new AdviceBinding(concrete.and(named("write")).and(takesArguments(int.class)), charsEnter,
                self + "$CharExit"),
            new AdviceBinding(
                concrete.and(named("write")).and(takesArguments(char[].class).or(takesArguments(String.class))),
                charsEnter, self + "$WholeCharsExit"),
            new AdviceBinding(concrete.and(named("write")).and(takesArguments(char[].class, int.class, int.class)
                .or(takesArguments(String.class, int.class, int.class))), charsEnter, self + "$CharsExit"))),
        // A request reader mostly decodes what the servlet input stream reads (seen there); one that
        // reads the container's buffers itself (Tomcat's) is seen by what its reads return.
        TypeAdvice.subtypesOf(Set.of("java.io.BufferedReader"), Set.of(pkg + "ServletRequest"), List.of(
            new AdviceBinding(concrete.and(named("read")).and(takesArguments(0)), charsEnter, self + "$ReadCharExit"),
            new AdviceBinding(concrete.and(named("read")).and(takesArguments(char[].class)
                .or(takesArguments(char[].class, int.class, int.class))), charsEnter, self + "$ReadCharsExit"),
            new AdviceBinding(concrete.and(named("readLine")).and(takesArguments(0)), charsEnter,
                self + "$ReadLineExit"))));
  }

  @SuppressWarnings("unused")
  public static final class ServiceAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@TargetId int target, @Advice.Argument(0) Object request, @Advice.Argument(1) Object response) {
      return Dispatch.on(request, response, null, null, target, SERVICE_ENTERED);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.Enter Object serving, @Advice.Thrown Throwable thrown) {
      if (serving != null) {
        Dispatch.on(thrown, null, null, null, target, SERVICE_EXITED);
      }
    }
  }

  /** {@code sendError(404)}: skipped when the agent answered a system status route in its place. */
  @SuppressWarnings("unused")
  public static final class NotFoundAdvice {
    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
    static Object enter(@TargetId int target, @Advice.This Object response, @Advice.Argument(0) int status) {
      return status == 404 ? Dispatch.on(response, null, null, null, target, NOT_FOUND_SENT) : null;
    }
  }

  /** Jetty 9 to 11's {@code ErrorHandler.handle}: skipped when the agent answered a system status route instead. */
  @SuppressWarnings("unused")
  public static final class ErrorPageAdvice {
    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
    static Object enter(@TargetId int target, @Advice.Argument(2) Object request, @Advice.Argument(3) Object response) {
      return Dispatch.on(request, response, null, null, target, ERROR_PAGE);
    }
  }

  /**
   * Jetty 12's core {@code Response.writeError(request, response, callback, status, message, cause)}, where every
   * other {@code writeError} ends: a 404 to a system status route of a frontend is answered with the agent's answer
   * instead, written as the error would have been (last, completing the callback). Jetty's own types, inlined into
   * its {@code Response}.
   */
  @SuppressWarnings("unused")
  public static final class JettyCoreNotFoundAdvice {
    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
    static boolean enter(@TargetId int target, @Advice.Argument(0) Request request,
        @Advice.Argument(1) Response response, @Advice.Argument(2) Callback callback, @Advice.Argument(3) int status) {
      if (status != 404 || request == null || response == null || response.isCommitted()) {
        return false;
      }
      HttpFields asked = request.getHeaders();
      Object answer = Dispatch.on(request.getMethod(), request.getHttpURI().getPath(), asked.get("accept"),
          asked.get("accept-encoding"), target, CORE_NOT_FOUND);
      if (!(answer instanceof Object[])) {
        return false;
      }
      Object[] a = (Object[]) answer;
      response.setStatus((Integer) a[0]);
      HttpFields.Mutable headers = response.getHeaders();
      headers.put("Content-Type", (String) a[1]);
      if (a[2] != null) {
        headers.put("Content-Encoding", (String) a[2]);
      }
      headers.put("Content-Length", String.valueOf(a[3]));
      response.write(true, ByteBuffer.wrap((byte[]) a[4]), callback);
      return true;
    }
  }

  @SuppressWarnings("unused")
  public static final class AsyncStartedAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.This Object request, @Advice.Return Object asyncContext) {
      Dispatch.on(request, asyncContext, null, null, target, ASYNC_STARTED);
    }
  }

  @SuppressWarnings("unused")
  public static final class IoOpenedAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.This Object owner, @Advice.Return Object io) {
      Dispatch.on(owner, io, null, null, target, IO_OPENED);
    }
  }

  /** The enter of every stream and writer call; each exit below is paired with it. */
  @SuppressWarnings("unused")
  public static final class IoEnter {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@TargetId int target, @Advice.This Object io) {
      return Dispatch.on(io, null, null, null, target, IO_ENTERED);
    }
  }

  /** The enter of a response writer's {@code write} of characters, and of a request reader's reads. */
  @SuppressWarnings("unused")
  public static final class CharsEnter {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@TargetId int target, @Advice.This Object writerOrReader) {
      return Dispatch.on(writerOrReader, null, null, null, target, CHARS_ENTERED);
    }
  }

  @SuppressWarnings("unused")
  public static final class ReadCharExit {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.Enter Object call, @Advice.Return int read,
        @Advice.Thrown Throwable thrown) {
      if (call != null) {
        Dispatch.onData(call, null, read, 0, thrown, target, CHAR_EXITED);
      }
    }
  }

  /** {@code read(char[])} and {@code read(char[], int, int)}: what was read, from {@code off}. */
  @SuppressWarnings("unused")
  public static final class ReadCharsExit {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.Enter Object call, @Advice.Argument(0) char[] b,
        @Advice.Argument(value = 1, optional = true) int off, @Advice.Return int read,
        @Advice.Thrown Throwable thrown) {
      if (call != null) {
        Dispatch.onData(call, b, off, read, thrown, target, CHARS_EXITED);
      }
    }
  }

  @SuppressWarnings("unused")
  public static final class ReadLineExit {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.Enter Object call, @Advice.Return String line,
        @Advice.Thrown Throwable thrown) {
      if (call != null) {
        Dispatch.on(call, line, thrown, null, target, LINE_EXITED);
      }
    }
  }

  @SuppressWarnings("unused")
  public static final class CharExit {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.Enter Object call, @Advice.Argument(0) int c,
        @Advice.Thrown Throwable thrown) {
      if (call != null) {
        Dispatch.onData(call, null, c, 0, thrown, target, CHAR_EXITED);
      }
    }
  }

  /** {@code write(char[])} and {@code write(String)}: all of it. */
  @SuppressWarnings("unused")
  public static final class WholeCharsExit {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.Enter Object call, @Advice.Argument(0) Object chars,
        @Advice.Thrown Throwable thrown) {
      if (call != null) {
        int len = chars instanceof char[]
            ? ((char[]) chars).length
            : chars instanceof String ? ((String) chars).length() : 0;
        Dispatch.onData(call, chars, 0, len, thrown, target, CHARS_EXITED);
      }
    }
  }

  /** {@code write(char[], int, int)} and {@code write(String, int, int)}. */
  @SuppressWarnings("unused")
  public static final class CharsExit {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.Enter Object call, @Advice.Argument(0) Object chars,
        @Advice.Argument(1) int off, @Advice.Argument(2) int len, @Advice.Thrown Throwable thrown) {
      if (call != null) {
        Dispatch.onData(call, chars, off, len, thrown, target, CHARS_EXITED);
      }
    }
  }

  @SuppressWarnings("unused")
  public static final class CallExit {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.Enter Object call, @Advice.Thrown Throwable thrown) {
      if (call != null) {
        Dispatch.on(call, thrown, null, null, target, IO_EXITED);
      }
    }
  }

  @SuppressWarnings("unused")
  public static final class ReadByteExit {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.Enter Object call, @Advice.Return int read,
        @Advice.Thrown Throwable thrown) {
      if (call != null) {
        Dispatch.onData(call, null, read, 0, thrown, target, BYTE_EXITED);
      }
    }
  }

  @SuppressWarnings("unused")
  public static final class WriteByteExit {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.Enter Object call, @Advice.Argument(0) int written,
        @Advice.Thrown Throwable thrown) {
      if (call != null) {
        Dispatch.onData(call, null, written & 0xFF, 0, thrown, target, BYTE_EXITED);
      }
    }
  }

  /** {@code read(byte[])}, {@code read(byte[], int, int)} and {@code readLine(byte[], int, int)}: bytes from {@code off}. */
  @SuppressWarnings("unused")
  public static final class ReadBytesExit {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.Enter Object call, @Advice.Argument(0) byte[] b,
        @Advice.Argument(value = 1, optional = true) int off, @Advice.Return int read,
        @Advice.Thrown Throwable thrown) {
      if (call != null) {
        Dispatch.onData(call, b, off, read, thrown, target, BYTES_EXITED);
      }
    }
  }

  @SuppressWarnings("unused")
  public static final class WriteArrayExit {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.Enter Object call, @Advice.Argument(0) byte[] b,
        @Advice.Thrown Throwable thrown) {
      if (call != null) {
        Dispatch.onData(call, b, 0, b == null ? 0 : b.length, thrown, target, BYTES_EXITED);
      }
    }
  }

  @SuppressWarnings("unused")
  public static final class WriteBytesExit {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.Enter Object call, @Advice.Argument(0) byte[] b,
        @Advice.Argument(1) int off, @Advice.Argument(2) int len, @Advice.Thrown Throwable thrown) {
      if (call != null) {
        Dispatch.onData(call, b, off, len, thrown, target, BYTES_EXITED);
      }
    }
  }

  /** {@code read(ByteBuffer)} and {@code write(ByteBuffer)}: where the buffer's position was matters. */
  @SuppressWarnings("unused")
  public static final class BufferAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@TargetId int target, @Advice.This Object io, @Advice.Argument(0) ByteBuffer buffer,
        @Advice.Local("from") int from) {
      from = buffer == null ? 0 : buffer.position();
      return Dispatch.on(io, null, null, null, target, IO_ENTERED);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.Enter Object call, @Advice.Argument(0) ByteBuffer buffer,
        @Advice.Local("from") int from, @Advice.Thrown Throwable thrown) {
      if (call != null) {
        Dispatch.onData(call, buffer, from, 0, thrown, target, BUFFER_EXITED);
      }
    }
  }
}
