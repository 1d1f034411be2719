package dynamo.obs.agent.targets.helidon;

import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;
import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isDeclaredBy;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.agent.weaving.InstrumentationModule;
import dynamo.obs.agent.weaving.TargetId;
import dynamo.obs.bootstrap.Dispatch;
import dynamo.obs.bootstrap.Handler;
import java.io.InputStream;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Helidon SE 4's own HTTP/1.1 server (the classes and members woven here are the same from 4.0 to 4.5 in Helidon's
 * sources; tested on 4.2 and 4.5). One virtual thread per connection runs {@code Http1Connection.handle}, which
 * reads a request's head and serves it whole in {@code route(prologue, headers, …)} — creating the request and
 * response, running the routing, committing the response, reading what is left of the body — before it reads the
 * next: a connection has one request at a time, so its {@code ConnectionContext} (a field of every class woven here)
 * is the key of the request it serves, whichever thread writes the body. What is woven:
 * <ul>
 *   <li>{@code route}: the request's head on entry (method, path, headers); on exit, a failure after the head;
 *   <li>the constructor of {@code Http1ServerRequestWithEntity}: its stream filter (Helidon's own hook for the
 *       body's stream) is composed with one that records what the application reads; that of
 *       {@code Http1ServerRequestNoEntity}: a request without a body, whose empty body counts as read;
 *   <li>the response's {@code send(byte[]…)} (a whole body) and its {@code BlockingOutputStream} (a streamed body,
 *       after the response's buffer): the head just before Helidon writes it (status, content type,
 *       {@code x-request-id} echoed into its headers), the body's bytes, the end ({@code commit}), a write that
 *       fails (the client is gone);
 *   <li>{@code Http1Connection.handleRequestException}: an answer the connection writes itself (framing it refuses, a
 *       handler's {@code BadRequestException} no error handler took); {@code handle}'s exit: the connection is over;
 *   <li>on a frontend, the routing's {@code RoutingExecutor.doRoute} finding no route ({@code NONE}, Helidon's own
 *       404 "Endpoint not found" next): a GET or HEAD of {@code /metrics}, the health or the live path gets the system
 *       status server's answer instead ({@link HelidonPortRoutes}).
 * </ul>
 * The advice names no Helidon type: Helidon 4 is compiled for Java 21 and the agent for 17, so its objects arrive
 * as {@code Object} (or as the JDK types of their fields: {@code Supplier}, {@code UnaryOperator}) and the handler
 * reads the few values it needs through Helidon's public methods, looked up once ({@link HelidonApi}). What the
 * application sees is Helidon's: the response's stream filter, which would send a whole body through a stream, is
 * left alone, and no body is copied.
 */
public final class HelidonInstrumentation implements InstrumentationModule {
  static final String NAME = "helidon";
  private static final String HTTP1 = "io.helidon.webserver.http1.";
  private static final String CONNECTION = HTTP1 + "Http1Connection";
  private static final String RESPONSE = HTTP1 + "Http1ServerResponse";

  // events, with the arguments of Dispatch.on, onData or replace (a, data, i, j, b)
  /** (connection, HttpPrologue, WritableHeaders): a request's head was read; it is served on this thread. */
  static final int REQUEST_STARTED = 0;
  /** replace (the request's stream filter, connection): returns the filter that records the body. */
  static final int REQUEST_BODY = 1;
  /** (connection, ServerResponse or Supplier of its Status, ServerResponseHeaders): the response's head, unsent. */
  static final int RESPONSE_HEAD = 2;
  /** onData (connection, byte[] or null, offset or the byte, length, -): body bytes were written. */
  static final int RESPONSE_BYTES = 3;
  /** (connection, throwable): a write of the response failed. */
  static final int WRITE_FAILED = 4;
  /** onData (connection, byte[], offset, length, -): a whole body was written: the response is complete. */
  static final int WHOLE_BODY_SENT = 5;
  /** (connection): a streamed response was committed (its end written): the response is complete. */
  static final int COMMITTED = 6;
  /** (connection, throwable or null): {@code route} returned or threw. */
  static final int ROUTED = 7;
  /** (connection, RequestException): the server answers the request itself. */
  static final int SERVER_ANSWER = 8;
  /** (connection, throwable or null): the server's own answer was written, or failed. */
  static final int SERVER_ANSWERED = 9;
  /** (connection): the connection's loop ended. */
  static final int CONNECTION_ENDED = 10;
  /** (connection): the request has no body (no Content-Length, or 0, and not chunked): it is read, empty. */
  static final int NO_BODY = 11;
  /** replace (the routing's result NONE, RoutingRequest, RoutingResponse): no route; FINISH when the agent answered. */
  static final int NO_ROUTE = 12;

  @Override
  public String name() {
    return NAME;
  }

  /** Tested on Helidon 4.2 and 4.5 ({@code HelidonFrontendIT}, {@code StackFrontendIT}). */
  @Override
  public List<Supported> supports() {
    return List.of(new Supported("Helidon SE", "4", "io.helidon.webserver.WebServer", "4.0", "5"));
  }

  @Override
  public String description() {
    return "Helidon SE 4 (its own HTTP/1.1 server on virtual threads; 4.x, tested on 4.2 and 4.5): every inference"
        + " request (frontend metrics, x-request-id, spans), bodies seen as the application reads them and as the"
        + " server writes them; on a frontend /metrics, health and live in place of Helidon's 404 for no route";
  }

  /** The HTTP/1.1 connection classes load when Helidon's web server starts. */
  @Override
  public List<String> triggers() {
    return List.of("io/helidon/webserver/http1/Http1Connection");
  }

  @Override
  public Handler handler(AgentServices services) {
    return new HelidonHandler(services);
  }

  @Override
  public List<TypeAdvice> typeAdvice() {
    String self = HelidonInstrumentation.class.getName();
    // 4.2 added send(byte[], int, int) and responseBuffer(byte[], int, int), which send(byte[]) calls: where the
    // three-argument form is declared, only it is woven, so that a body is seen once
    ElementMatcher.Junction<MethodDescription> wholeBody = named("send").and(takesArguments(byte[].class, int.class,
        int.class)).or(named("send").and(takesArguments(byte[].class)).and(
            isDeclaredBy(not(declaresMethod(
                named("send").and(takesArguments(byte[].class, int.class, int.class)))))));
    return List.of(
        TypeAdvice.named(CONNECTION, List.of(
            new AdviceBinding(named("route").and(takesArgument(0, named("io.helidon.http.HttpPrologue")))
                .and(takesArgument(1, named("io.helidon.http.WritableHeaders"))), self + "$RouteAdvice"),
            new AdviceBinding(named("handleRequestException").and(takesArguments(1)), self + "$ServerAnswerAdvice"),
            new AdviceBinding(named("handle").and(takesArguments(1)), self + "$ConnectionEndAdvice"))),
        TypeAdvice.named("io.helidon.webserver.http.HttpRoutingImpl$RoutingExecutor", List.of(
            new AdviceBinding(named("doRoute").and(takesArguments(3)), self + "$NoRouteAdvice"))),
        TypeAdvice.named(HTTP1 + "Http1ServerRequestWithEntity", List.of(
            new AdviceBinding(isConstructor(), self + "$RequestBodyAdvice"))),
        TypeAdvice.named(HTTP1 + "Http1ServerRequestNoEntity", List.of(
            new AdviceBinding(isConstructor().and(takesArgument(0, named("io.helidon.webserver.ConnectionContext"))),
                self + "$NoBodyAdvice"))),
        TypeAdvice.named(RESPONSE, List.of(
            new AdviceBinding(wholeBody.and(takesArguments(3)), self + "$SendHead", self + "$SendExit"),
            new AdviceBinding(wholeBody.and(takesArguments(1)), self + "$SendHead", self + "$SendArrayExit"))),
        TypeAdvice.named(RESPONSE + "$BlockingOutputStream", List.of(
            new AdviceBinding(named("write").and(takesArguments(byte[].class, int.class, int.class)),
                self + "$StreamHead", self + "$StreamWriteExit"),
            new AdviceBinding(named("write").and(takesArguments(byte[].class)), self + "$StreamHead",
                self + "$StreamWriteArrayExit"),
            new AdviceBinding(named("write").and(takesArguments(int.class)), self + "$StreamHead",
                self + "$StreamWriteByteExit"),
            new AdviceBinding(named("commit").and(takesArguments(0)), self + "$StreamEndHead", self + "$CommitExit"),
            new AdviceBinding(named("flushHeaders").and(takesArguments(0)), self + "$StreamEndHead",
                self + "$WriteFailedExit"),
            new AdviceBinding(named("flush").and(takesArguments(0)), self + "$WriteFailedExit"))));
  }

  /** A request is served: its head on entry; on exit the routing, its answer and the body's rest are done. */
  @SuppressWarnings("unused")
  public static final class RouteAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@TargetId int target, @Advice.FieldValue("ctx") Object connection,
        @Advice.Argument(0) Object prologue, @Advice.Argument(1) Object headers) {
      Dispatch.on(connection, prologue, headers, null, target, REQUEST_STARTED);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.FieldValue("ctx") Object connection,
        @Advice.Thrown Throwable thrown) {
      Dispatch.on(connection, thrown, null, null, target, ROUTED);
    }
  }

  /** The routing tried every route; {@code NONE}: none took the request (Helidon answers 404 next). */
  @SuppressWarnings("unused")
  public static final class NoRouteAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.Argument(1) Object request, @Advice.Argument(2) Object response,
        @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object result) {
      if (result instanceof Enum && ((Enum<?>) result).name().equals("NONE")) {
        result = Dispatch.replace(result, request, response, target, NO_ROUTE);
      }
    }
  }

  /** The connection answers a request itself (status and headers from the exception), before the connection ends. */
  @SuppressWarnings("unused")
  public static final class ServerAnswerAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@TargetId int target, @Advice.FieldValue("ctx") Object connection,
        @Advice.Argument(0) Object requestException) {
      Dispatch.on(connection, requestException, null, null, target, SERVER_ANSWER);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.FieldValue("ctx") Object connection,
        @Advice.Thrown Throwable thrown) {
      Dispatch.on(connection, thrown, null, null, target, SERVER_ANSWERED);
    }
  }

  @SuppressWarnings("unused")
  public static final class ConnectionEndAdvice {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.FieldValue("ctx") Object connection) {
      Dispatch.on(connection, null, null, null, target, CONNECTION_ENDED);
    }
  }

  /**
   * The request's body: its stream filter, the identity until the application adds its own, is replaced by one
   * that records what the application reads; a filter added later wraps this one.
   */
  @SuppressWarnings("unused")
  public static final class RequestBodyAdvice {
    @SuppressWarnings("unchecked")
    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.FieldValue("ctx") Object connection,
        @Advice.FieldValue(value = "streamFilter", readOnly = false) UnaryOperator<InputStream> filter) {
      filter = (UnaryOperator<InputStream>) Dispatch.replace(filter, connection, null, target, REQUEST_BODY);
    }
  }

  /** A request without a body: as if its empty body had been read (the JDK server's application reads it so). */
  @SuppressWarnings("unused")
  public static final class NoBodyAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.Argument(0) Object connection) {
      Dispatch.on(connection, null, null, null, target, NO_BODY);
    }
  }

  /**
   * A whole body's head, on entry to {@code send(byte[]…)}: unless a body was sent or a stream opened already
   * (Helidon refuses those).
   */
  @SuppressWarnings("unused")
  public static final class SendHead {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@TargetId int target, @Advice.This Object response, @Advice.FieldValue("ctx") Object connection,
        @Advice.FieldValue("headers") Object headers, @Advice.FieldValue("isSent") boolean sent,
        @Advice.FieldValue("streamingEntity") boolean streaming) {
      if (!sent && !streaming) {
        Dispatch.on(connection, response, headers, null, target, RESPONSE_HEAD);
      }
    }
  }

  /**
   * The whole body, when Helidon wrote it directly ({@code isSent}): its bytes as the application gave them. A body
   * that goes through a stream (a stream filter or trailers) is seen there.
   */
  @SuppressWarnings("unused")
  public static final class SendExit {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.FieldValue("ctx") Object connection,
        @Advice.FieldValue("isSent") boolean sent, @Advice.Argument(0) byte[] bytes, @Advice.Argument(1) int offset,
        @Advice.Argument(2) int length, @Advice.Thrown Throwable thrown) {
      if (thrown != null) {
        Dispatch.on(connection, thrown, null, null, target, WRITE_FAILED);
      } else if (sent) {
        Dispatch.onData(connection, bytes, offset, length, null, target, WHOLE_BODY_SENT);
      }
    }
  }

  /** {@code send(byte[])} where it is the whole body's only form (4.0, 4.1). */
  @SuppressWarnings("unused")
  public static final class SendArrayExit {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.FieldValue("ctx") Object connection,
        @Advice.FieldValue("isSent") boolean sent, @Advice.Argument(0) byte[] bytes, @Advice.Thrown Throwable thrown) {
      if (thrown != null) {
        Dispatch.on(connection, thrown, null, null, target, WRITE_FAILED);
      } else if (sent && bytes != null) {
        Dispatch.onData(connection, bytes, 0, bytes.length, null, target, WHOLE_BODY_SENT);
      }
    }
  }

  /**
   * A streamed body, as the response's buffer hands it on: before its first bytes have gone out ({@code firstByte})
   * the head is reported — its headers are still Helidon's to write.
   */
  @SuppressWarnings("unused")
  public static final class StreamHead {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@TargetId int target, @Advice.FieldValue("ctx") Object connection,
        @Advice.FieldValue("firstByte") boolean first, @Advice.FieldValue("status") Supplier<?> status,
        @Advice.FieldValue("headers") Object headers) {
      if (first) {
        Dispatch.on(connection, status, headers, null, target, RESPONSE_HEAD);
      }
    }
  }

  /**
   * {@code commit} (the end of a streamed body: Helidon writes the head now if nothing was written) and
   * {@code flushHeaders} (the head alone, as server-sent-event sinks ask): the head if not out yet.
   */
  @SuppressWarnings("unused")
  public static final class StreamEndHead {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@TargetId int target, @Advice.FieldValue("ctx") Object connection,
        @Advice.FieldValue("firstByte") boolean first, @Advice.FieldValue("closed") boolean closed,
        @Advice.FieldValue("status") Supplier<?> status, @Advice.FieldValue("headers") Object headers) {
      if (first && !closed) {
        Dispatch.on(connection, status, headers, null, target, RESPONSE_HEAD);
      }
    }
  }

  @SuppressWarnings("unused")
  public static final class StreamWriteExit {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.FieldValue("ctx") Object connection,
        @Advice.Argument(0) byte[] bytes, @Advice.Argument(1) int offset, @Advice.Argument(2) int length,
        @Advice.Thrown Throwable thrown) {
      if (thrown != null) {
        Dispatch.on(connection, thrown, null, null, target, WRITE_FAILED);
      } else {
        Dispatch.onData(connection, bytes, offset, length, null, target, RESPONSE_BYTES);
      }
    }
  }

  @SuppressWarnings("unused")
  public static final class StreamWriteArrayExit {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.FieldValue("ctx") Object connection,
        @Advice.Argument(0) byte[] bytes, @Advice.Thrown Throwable thrown) {
      if (thrown != null) {
        Dispatch.on(connection, thrown, null, null, target, WRITE_FAILED);
      } else if (bytes != null) {
        Dispatch.onData(connection, bytes, 0, bytes.length, null, target, RESPONSE_BYTES);
      }
    }
  }

  /** One byte: handed on as {@code i}, with no array. */
  @SuppressWarnings("unused")
  public static final class StreamWriteByteExit {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.FieldValue("ctx") Object connection, @Advice.Argument(0) int b,
        @Advice.Thrown Throwable thrown) {
      if (thrown != null) {
        Dispatch.on(connection, thrown, null, null, target, WRITE_FAILED);
      } else {
        Dispatch.onData(connection, null, b, 1, null, target, RESPONSE_BYTES);
      }
    }
  }

  /** The end of a streamed body was written (the response is complete), or the client was found gone. */
  @SuppressWarnings("unused")
  public static final class CommitExit {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.FieldValue("ctx") Object connection,
        @Advice.Thrown Throwable thrown) {
      if (thrown != null) {
        Dispatch.on(connection, thrown, null, null, target, WRITE_FAILED);
      } else {
        Dispatch.on(connection, null, null, null, target, COMMITTED);
      }
    }
  }

  /**
   * A write of the response that may find the client gone: {@code flushHeaders}, and a flush (which writes what a
   * chunked stream held back: its first piece).
   */
  @SuppressWarnings("unused")
  public static final class WriteFailedExit {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.FieldValue("ctx") Object connection,
        @Advice.Thrown Throwable thrown) {
      if (thrown != null) {
        Dispatch.on(connection, thrown, null, null, target, WRITE_FAILED);
      }
    }
  }
}
