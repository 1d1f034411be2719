package dynamo.obs.agent.targets.servlet;

import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.agent.weaving.InstrumentationModule;
import dynamo.obs.agent.weaving.JdkWeave;
import dynamo.obs.agent.weaving.JdkWeave.Kind;
import dynamo.obs.bootstrap.Handler;
import java.util.ArrayList;
import java.util.List;

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
 *
 * <p>The agent's own weaver does it, without Byte Buddy: the classes are matched by super type
 * ({@link JdkWeave#subtypes}, from class file headers, only in class loaders that see the API), and
 * each woven method calls the handler at its entry and exits ({@code Dispatch}), which catches
 * everything. Jetty 12's core {@code Response.writeError} is read with Jetty's types by code defined
 * in Jetty's loader ({@link JettyCoreAnswers}).
 */
public final class ServletInstrumentation implements InstrumentationModule {
  // events, with the arguments of Dispatch.on or Dispatch.onData (a, data, i, j, b); "call" is what the enter of
  // the same method returned (null: not one to follow, the exit does nothing)
  /** (request, response): returns non-null when this call serves the request (its exit then reports). */
  static final int SERVICE_ENTERED = 0;
  /** (the enter's result, throwable or null): the call that serves the request returned or threw. */
  static final int SERVICE_EXITED = 1;
  /** (request, async context): {@code startAsync} returned. */
  static final int ASYNC_STARTED = 2;
  /** (request or response, stream / reader / writer): {@code getInputStream}, {@code getOutputStream} … returned. */
  static final int IO_OPENED = 3;
  /** (stream or writer): a read, write, flush, close or writer call began; returns its call or null. */
  static final int IO_ENTERED = 4;
  /** (call, throwable): a flush, close or writer call ended. */
  static final int IO_EXITED = 5;
  /** onData (call, throwable, the byte read or -1): {@code read()} returned. */
  static final int READ_BYTE_EXITED = 6;
  /** onData (call, byte[], off, len or -1, throwable): bytes were read or written. */
  static final int BYTES_EXITED = 7;
  /** (call, ByteBuffer, throwable): a buffer was read into or written from. */
  static final int BUFFER_EXITED = 8;
  /** (writer or reader): a writer's write of characters or a reader's read began; returns its call or null. */
  static final int CHARS_ENTERED = 9;
  /** onData (call, char[] or String, off, len or -1, throwable): characters were written or read. */
  static final int CHARS_EXITED = 10;
  /** onData (call, throwable, the character or -1): one character was written or read. */
  static final int CHAR_EXITED = 11;
  /** (call, the line or null, throwable): a reader's {@code readLine()} returned. */
  static final int LINE_EXITED = 12;
  /**
   * (response, status): {@code sendError(status)} was called; returns non-null when the agent answered a 404 instead
   * (a system status route on a frontend's port), and the call then does nothing.
   */
  static final int NOT_FOUND_SENT = 13;
  /** (request, response): Jetty 9 to 11's ErrorHandler is about to render an error page; non-null: answered. */
  static final int ERROR_PAGE = 14;
  /**
   * (method, path, Accept, Accept-Encoding): Jetty 12's core answers 404 to a request; returns the agent's answer to
   * write instead ({@link ServletPortRoutes#coreNotFound}), or null. Asked by {@link JettyCoreAnswers}.
   */
  static final int CORE_NOT_FOUND = 15;
  /** onData (call, throwable, the byte): {@code write(int)} ended. */
  static final int WRITE_BYTE_EXITED = 16;
  /** onData (call, byte[], the count read or -1, -, throwable): {@code read(byte[])} returned. */
  static final int READ_ARRAY_EXITED = 17;
  /** (call, byte[], throwable): {@code write(byte[])} ended: all of it. */
  static final int WRITE_ARRAY_EXITED = 18;
  /** (stream, ByteBuffer): a read into or a write from a buffer began; returns its call or null. */
  static final int BUFFER_ENTERED = 19;
  /** (call, char[] or String, throwable): {@code write(char[])} or {@code write(String)} ended: all of it. */
  static final int WHOLE_CHARS_EXITED = 20;
  /** onData (call, char[], the count read or -1, -, throwable): a reader's {@code read(char[])} returned. */
  static final int READ_CHARS_EXITED = 21;
  /**
   * (request, response, callback, status): Jetty 12's core {@code Response.writeError}; non-null when the agent wrote
   * its answer instead ({@link JettyCoreAnswers}), and the call then does nothing.
   */
  static final int CORE_WRITE_ERROR = 22;

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
  public List<JdkWeave> libraryWeaves() {
    String p = pkg.replace('.', '/');
    String request = pkg + "ServletRequest";
    String response = pkg + "ServletResponse";
    String requestAndResponse = "(L" + p + "ServletRequest;L" + p + "ServletResponse;";
    List<JdkWeave> all = new ArrayList<>();
    // the outermost filter or servlet of each request
    subtypes(all, pkg + "Servlet", pkg + "Servlet", "service", requestAndResponse + ")", SERVICE_ENTERED,
        SERVICE_EXITED, "arg0", "arg1");
    subtypes(all, pkg + "Filter", pkg + "Filter", "doFilter", requestAndResponse, SERVICE_ENTERED, SERVICE_EXITED,
        "arg0", "arg1");
    for (String opened : List.of("getInputStream", "getReader")) {
      all.add(new JdkWeave(request, opened, "()", Kind.EXIT, IO_OPENED, "this", "return").subtypes(request));
    }
    all.add(new JdkWeave(request, "startAsync", "(", Kind.EXIT, ASYNC_STARTED, "this", "return").subtypes(request));
    for (String opened : List.of("getOutputStream", "getWriter")) {
      all.add(new JdkWeave(response, opened, "()", Kind.EXIT, IO_OPENED, "this", "return").subtypes(response));
    }
    for (String d : List.of("(I)V", "(ILjava/lang/String;)V")) {
      all.add(new JdkWeave(response, "sendError", d, Kind.ENTER_SKIP, NOT_FOUND_SENT, "this", "arg0")
          .subtypes(response));
    }
    // Jetty 9 to 11 render the 404 of a request no context takes here, after a sendError outside any servlet
    all.add(new JdkWeave("org.eclipse.jetty.server.handler.ErrorHandler", "handle",
        "(Ljava/lang/String;Lorg/eclipse/jetty/server/Request;L" + p + "http/HttpServletRequest;L" + p
            + "http/HttpServletResponse;)V",
        Kind.ENTER_SKIP, ERROR_PAGE, "arg2", "arg3").optional());
    // the container's streams, where the bodies' bytes pass
    String in = pkg + "ServletInputStream";
    stream(all, in, "read", "()I", READ_BYTE_EXITED, "token", "thrown", "return");
    stream(all, in, "read", "([B)I", READ_ARRAY_EXITED, "token", "arg0", "thrown", "return");
    for (String m : List.of("read", "readLine")) {
      stream(all, in, m, "([BII)I", BYTES_EXITED, "token", "arg0", "thrown", "arg1", "return");
    }
    buffer(all, in, "read", "(Ljava/nio/ByteBuffer;)I");
    String out = pkg + "ServletOutputStream";
    stream(all, out, "write", "(I)V", WRITE_BYTE_EXITED, "token", "thrown", "arg0");
    stream(all, out, "write", "([B)V", WRITE_ARRAY_EXITED, "token", "arg0", "thrown");
    stream(all, out, "write", "([BII)V", BYTES_EXITED, "token", "arg0", "thrown", "arg1", "arg2");
    buffer(all, out, "write", "(Ljava/nio/ByteBuffer;)V");
    for (String m : List.of("flush", "close")) {
      stream(all, out, m, "()V", IO_EXITED, "token", "thrown");
    }
    // A response writer mostly encodes into the container's output stream: then its calls only
    // tell which request that stream belongs to when it is first written to. One that encodes
    // into the container's buffers itself (Tomcat's) is seen by the characters of its writes.
    String writer = "java.io.PrintWriter";
    for (String m : List.of("print", "println", "printf", "format", "append", "flush", "close")) {
      subtypes(all, writer, response, m, "(", IO_ENTERED, IO_EXITED, "this");
    }
    chars(all, writer, response, "write", "(I)V", CHAR_EXITED, "token", "thrown", "arg0");
    for (String d : List.of("([C)V", "(Ljava/lang/String;)V")) {
      chars(all, writer, response, "write", d, WHOLE_CHARS_EXITED, "token", "arg0", "thrown");
    }
    for (String d : List.of("([CII)V", "(Ljava/lang/String;II)V")) {
      chars(all, writer, response, "write", d, CHARS_EXITED, "token", "arg0", "thrown", "arg1", "arg2");
    }
    // A request reader mostly decodes what the servlet input stream reads (seen there); one that
    // reads the container's buffers itself (Tomcat's) is seen by what its reads return.
    String reader = "java.io.BufferedReader";
    chars(all, reader, request, "read", "()I", CHAR_EXITED, "token", "thrown", "return");
    chars(all, reader, request, "read", "([C)I", READ_CHARS_EXITED, "token", "arg0", "thrown", "return");
    chars(all, reader, request, "read", "([CII)I", CHARS_EXITED, "token", "arg0", "thrown", "arg1", "return");
    chars(all, reader, request, "readLine", "()", LINE_EXITED, "token", "return", "thrown");
    if (pkg.startsWith("jakarta.")) {
      // Jetty 12's core, whichever servlet environments it hosts: the 404 of a request no context takes. Once, with
      // the jakarta target (Jetty 12's ee10 and ee11 environments; ee9 too).
      all.add(new JdkWeave("org.eclipse.jetty.server.Response", "writeError",
          "(Lorg/eclipse/jetty/server/Request;Lorg/eclipse/jetty/server/Response;Lorg/eclipse/jetty/util/Callback;I",
          Kind.ENTER_SKIP, CORE_WRITE_ERROR, "arg0", "arg1", "arg2", "arg3").optional());
    }
    return all;
  }

  /**
   * A method of {@code root}'s subtypes (in loaders that see {@code visible}): {@code enter} with {@code values} at its
   * entry, kept as the call; {@code exit} with the call and the throwable (or null) when it returns or throws.
   */
  private static void subtypes(List<JdkWeave> all, String root, String visible, String method, String descriptor,
      int enter, int exit, String... values) {
    all.add(new JdkWeave(root, method, descriptor, Kind.ENTER_TOKEN, enter, values).subtypes(visible));
    all.add(new JdkWeave(root, method, descriptor, Kind.EXIT_ALWAYS, exit, "token", "thrown").subtypes(visible));
  }

  /** A read or write of a servlet stream: {@code IO_ENTERED} at its entry, {@code exit} with {@code exitValues}. */
  private static void stream(List<JdkWeave> all, String stream, String method, String descriptor, int exit,
      String... exitValues) {
    all.add(new JdkWeave(stream, method, descriptor, Kind.ENTER_TOKEN, IO_ENTERED, "this").subtypes(stream));
    all.add(new JdkWeave(stream, method, descriptor, Kind.EXIT_ALWAYS, exit, exitValues).subtypes(stream));
  }

  /** A read into or a write from a {@code ByteBuffer}: where the buffer's position was at the entry matters. */
  private static void buffer(List<JdkWeave> all, String stream, String method, String descriptor) {
    all.add(new JdkWeave(stream, method, descriptor, Kind.ENTER_TOKEN, BUFFER_ENTERED, "this", "arg0")
        .subtypes(stream));
    all.add(new JdkWeave(stream, method, descriptor, Kind.EXIT_ALWAYS, BUFFER_EXITED, "token", "arg0", "thrown")
        .subtypes(stream));
  }

  /** A writer's or reader's characters: {@code CHARS_ENTERED} at the entry, {@code exit} with {@code exitValues}. */
  private static void chars(List<JdkWeave> all, String root, String visible, String method, String descriptor,
      int exit, String... exitValues) {
    all.add(new JdkWeave(root, method, descriptor, Kind.ENTER_TOKEN, CHARS_ENTERED, "this").subtypes(visible));
    all.add(new JdkWeave(root, method, descriptor, Kind.EXIT_ALWAYS, exit, exitValues).subtypes(visible));
  }
}
