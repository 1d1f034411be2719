package dynamo.obs.agent.targets.undertow;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.agent.weaving.InstrumentationModule;
import dynamo.obs.agent.weaving.TargetId;
import dynamo.obs.bootstrap.Dispatch;
import dynamo.obs.bootstrap.Handler;
import io.undertow.server.DefaultResponseListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.nio.ByteBuffer;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * Undertow 2.x servers (2.3 and 2.4; HTTP/1.1, and the same exchange API on HTTP/2 and AJP), core handlers of any
 * kind — blocking ({@code BlockingHandler}, {@code getInputStream}/{@code getOutputStream}) or not (the request
 * {@code Receiver}, the response {@code Sender}, the channels themselves). Every request's handler chain starts in
 * {@code Connectors.executeRootHandler}, entered once when its head is parsed and again at each
 * {@code exchange.dispatch}: the first entry starts the request, the later ones give the dispatched thread its
 * context. Its body passes the exchange's own request and response channels
 * ({@code HttpServerExchange$ReadDispatchChannel}, {@code $WriteDispatchChannel}: one per exchange, above any
 * content encoding and below nothing the application wraps), read as the bytes between a buffer's position before
 * and after each call, in place: nothing is wrapped or copied. The response's head is known when the exchange hands
 * out its response channel ({@code getResponseChannel}, also called by the sender, the output stream and the
 * exchange's end): status and headers are final and not yet written, so {@code x-request-id} is echoed there. The
 * exchange ends in {@code invokeExchangeCompleteListeners}: a connection closed by then (Undertow closes it when a
 * write fails) means the client went away; a throwable the root handler caught means the handler failed.
 *
 * <p>On a frontend, a GET or HEAD of {@code /metrics}, the health or the live path that the application routes
 * nowhere — Undertow's own {@code ResponseCodeHandler} for 404 runs: the default of {@code PathHandler},
 * {@code RoutingHandler} and {@code PathTemplateHandler} — gets the system status server's answer instead
 * ({@code FrontendPortRoutes}); a 404 the application writes itself, and every route it has, stay its own.
 *
 * <p>A servlet deployment on Undertow ({@code ServletInitialHandler}) is measured by the servlet target: its
 * requests are handed over to it uncounted here; its 404s are {@code sendError}s, the servlet target's to answer.
 */
public final class UndertowInstrumentation implements InstrumentationModule {
  static final String NAME = "undertow";
  private static final String EXCHANGE = "io.undertow.server.HttpServerExchange";

  // events, with the arguments of Dispatch.on or Dispatch.onData (a, data, i, j, b)
  /** (exchange, request path, request HeaderMap): the root handler is entered; returns non-null when it set context. */
  static final int ROOT_ENTERED = 0;
  /** (): the root handler returned (the thread's context is left). */
  static final int ROOT_EXITED = 1;
  /** onData (exchange, ByteBuffer, position before, position after, -): a read put the request's bytes there. */
  static final int REQUEST_BYTES = 2;
  /** onData (exchange, ByteBuffer[], offset, length, -): a scattering read is about to fill these buffers. */
  static final int REQUEST_BUFFERS_BEFORE = 3;
  /** onData (exchange, ByteBuffer[], offset, length, -): the scattering read returned. */
  static final int REQUEST_BUFFERS = 4;
  /** (exchange): a read found the request's body at its end. */
  static final int REQUEST_END = 5;
  /** (exchange, status as Integer, content type): the response channel is handed out; returns an x-request-id. */
  static final int RESPONSE_HEAD = 6;
  /**
   * onData (exchange, ByteBuffer, position before, position after, -): a write took the response's bytes from there
   * (one that failed: all it was given, as the application sees it written).
   */
  static final int RESPONSE_BYTES = 7;
  /** onData (exchange, ByteBuffer[], offset, length, -): a gathering write is about to take from these buffers. */
  static final int RESPONSE_BUFFERS_BEFORE = 8;
  /** onData (exchange, ByteBuffer[], offset, length, throwable or null): the gathering write returned or failed. */
  static final int RESPONSE_BUFFERS = 9;
  /** (exchange, connection still open as Boolean, the throwable the root handler caught or null): it ended. */
  static final int COMPLETED = 10;
  /** (exchange): a servlet deployment serves the request (the servlet target measures it). */
  static final int SERVLET = 11;
  /**
   * (exchange, method, request path, request HeaderMap): Undertow's 404 handler is about to answer; returns the
   * agent's answer to send instead (FrontendPortRoutes.answerFields), or null.
   */
  static final int NOT_FOUND = 12;

  @Override
  public String name() {
    return NAME;
  }

  /** Read from Undertow 2.3 and tested on 2.3 and 2.4 ({@code UndertowFrontendIT}, {@code StackFrontendIT}). */
  @Override
  public List<Supported> supports() {
    return List.of(new Supported("Undertow", "2.3–2.x", "io.undertow.Undertow", "2.3", "3"));
  }

  @Override
  public String description() {
    return "Undertow 2.3/2.4 servers, core handlers (blocking or not: BlockingHandler, Receiver, Sender, channels):"
        + " every inference request (frontend metrics, x-request-id, spans), bodies read where they pass the"
        + " exchange's channels; on a frontend /metrics, health and live in place of Undertow's 404 handler;"
        + " servlet deployments on Undertow are left to the servlet targets";
  }

  /** Undertow loads its server package before it serves anything. */
  @Override
  public List<String> triggers() {
    return List.of("io/undertow/server/Connectors", "io/undertow/server/HttpServerExchange");
  }

  @Override
  public Handler handler(AgentServices services) {
    return new UndertowHandler(services);
  }

  @Override
  public List<TypeAdvice> typeAdvice() {
    String self = UndertowInstrumentation.class.getName();
    return List.of(
        TypeAdvice.named("io.undertow.server.Connectors", List.of(
            new AdviceBinding(named("executeRootHandler").and(takesArguments(2)), self + "$RootHandlerAdvice"))),
        TypeAdvice.named(EXCHANGE, List.of(
            new AdviceBinding(named("getResponseChannel").and(takesArguments(0)), self + "$ResponseChannelAdvice"),
            new AdviceBinding(named("invokeExchangeCompleteListeners").and(takesArguments(0)),
                self + "$CompletedAdvice"))),
        TypeAdvice.named(EXCHANGE + "$ReadDispatchChannel", List.of(
            // read(ByteBuffer[]) calls read(ByteBuffer[], int, int): only the two below are counted
            new AdviceBinding(named("read").and(takesArguments(ByteBuffer.class)), self + "$ReadAdvice"),
            new AdviceBinding(named("read").and(takesArguments(ByteBuffer[].class, int.class, int.class)),
                self + "$ReadRangeAdvice"))),
        TypeAdvice.named(EXCHANGE + "$WriteDispatchChannel", List.of(
            // each of these hands its buffers to the connection's channel, none to another of them
            new AdviceBinding(namedOneOf("write", "writeFinal").and(takesArguments(ByteBuffer.class)),
                self + "$WriteAdvice"),
            new AdviceBinding(namedOneOf("write", "writeFinal").and(takesArguments(1))
                .and(takesArgument(0, ByteBuffer[].class)), self + "$WriteArrayAdvice"),
            new AdviceBinding(namedOneOf("write", "writeFinal")
                .and(takesArguments(ByteBuffer[].class, int.class, int.class)), self + "$WriteRangeAdvice"))),
        TypeAdvice.named("io.undertow.server.handlers.ResponseCodeHandler", List.of(
            new AdviceBinding(named("handleRequest").and(takesArguments(1)), self + "$NotFoundAdvice"))),
        TypeAdvice.named("io.undertow.servlet.handlers.ServletInitialHandler", List.of(
            new AdviceBinding(named("handleRequest").and(takesArguments(1)), self + "$ServletAdvice"))));
  }

  /** The request's handler chain starts (its head parsed), or goes on after a dispatch. */
  @SuppressWarnings("unused")
  public static final class RootHandlerAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@TargetId int target, @Advice.Argument(1) HttpServerExchange exchange) {
      return Dispatch.on(exchange, exchange.getRequestPath(), exchange.getRequestHeaders(), null, target, ROOT_ENTERED);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.Enter Object entered) {
      if (entered != null) {
        Dispatch.on(null, null, null, null, target, ROOT_EXITED);
      }
    }
  }

  /** The exchange hands out its response channel, once: the response's head is final and not yet written. */
  @SuppressWarnings("unused")
  public static final class ResponseChannelAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.This HttpServerExchange exchange, @Advice.Return Object channel) {
      if (channel != null) {
        HeaderMap headers = exchange.getResponseHeaders();
        Object id = Dispatch.on(exchange, Integer.valueOf(exchange.getStatusCode()), headers.getFirst("Content-Type"),
            null, target, RESPONSE_HEAD);
        if (id instanceof String && !headers.contains("x-request-id")) {
          headers.put(new HttpString("x-request-id"), (String) id);
        }
      }
    }
  }

  /** The exchange ended (both its request and its response, or its connection). */
  @SuppressWarnings("unused")
  public static final class CompletedAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@TargetId int target, @Advice.This HttpServerExchange exchange) {
      Dispatch.on(exchange, Boolean.valueOf(exchange.getConnection().isOpen()),
          exchange.getAttachment(DefaultResponseListener.EXCEPTION), null, target, COMPLETED);
    }
  }

  /** A read of the request's body into one buffer: its bytes are where the position moved over. */
  @SuppressWarnings("unused")
  public static final class ReadAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int enter(@Advice.Argument(0) ByteBuffer dst) {
      return dst.position();
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.FieldValue("this$0") Object exchange, @Advice.Enter int before,
        @Advice.Argument(0) ByteBuffer dst, @Advice.Return int read) {
      if (read > 0) {
        Dispatch.onData(exchange, dst, before, dst.position(), null, target, REQUEST_BYTES);
      } else if (read < 0) {
        Dispatch.on(exchange, null, null, null, target, REQUEST_END);
      }
    }
  }

  /** A scattering read of the request's body. */
  @SuppressWarnings("unused")
  public static final class ReadRangeAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@TargetId int target, @Advice.FieldValue("this$0") Object exchange,
        @Advice.Argument(0) ByteBuffer[] dsts, @Advice.Argument(1) int offset, @Advice.Argument(2) int length) {
      Dispatch.onData(exchange, dsts, offset, length, null, target, REQUEST_BUFFERS_BEFORE);
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.FieldValue("this$0") Object exchange,
        @Advice.Argument(0) ByteBuffer[] dsts, @Advice.Argument(1) int offset, @Advice.Argument(2) int length,
        @Advice.Return long read) {
      if (read > 0) {
        Dispatch.onData(exchange, dsts, offset, length, null, target, REQUEST_BUFFERS);
      } else if (read < 0) {
        Dispatch.on(exchange, null, null, null, target, REQUEST_END);
      }
    }
  }

  /** A write of the response's body from one buffer: what it took is where the position moved over. */
  @SuppressWarnings("unused")
  public static final class WriteAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int enter(@Advice.Argument(0) ByteBuffer src) {
      return src.position();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.FieldValue("this$0") Object exchange, @Advice.Enter int before,
        @Advice.Argument(0) ByteBuffer src, @Advice.Thrown Throwable thrown) {
      // a write that failed (the client went away) wrote what it was given, as the application sees it
      int after = thrown == null ? src.position() : src.limit();
      if (after > before) {
        Dispatch.onData(exchange, src, before, after, null, target, RESPONSE_BYTES);
      }
    }
  }

  /** A gathering write of the response's body from a whole array of buffers. */
  @SuppressWarnings("unused")
  public static final class WriteArrayAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@TargetId int target, @Advice.FieldValue("this$0") Object exchange,
        @Advice.Argument(0) ByteBuffer[] srcs) {
      Dispatch.onData(exchange, srcs, 0, srcs.length, null, target, RESPONSE_BUFFERS_BEFORE);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.FieldValue("this$0") Object exchange,
        @Advice.Argument(0) ByteBuffer[] srcs, @Advice.Thrown Throwable thrown) {
      Dispatch.onData(exchange, srcs, 0, srcs.length, thrown, target, RESPONSE_BUFFERS);
    }
  }

  /** A gathering write of the response's body from part of an array of buffers. */
  @SuppressWarnings("unused")
  public static final class WriteRangeAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@TargetId int target, @Advice.FieldValue("this$0") Object exchange,
        @Advice.Argument(0) ByteBuffer[] srcs, @Advice.Argument(1) int offset, @Advice.Argument(2) int length) {
      Dispatch.onData(exchange, srcs, offset, length, null, target, RESPONSE_BUFFERS_BEFORE);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@TargetId int target, @Advice.FieldValue("this$0") Object exchange,
        @Advice.Argument(0) ByteBuffer[] srcs, @Advice.Argument(1) int offset, @Advice.Argument(2) int length,
        @Advice.Thrown Throwable thrown) {
      Dispatch.onData(exchange, srcs, offset, length, thrown, target, RESPONSE_BUFFERS);
    }
  }

  /**
   * Undertow's own 404 handler (a request the application routes nowhere): for a system status route the agent's
   * answer is sent through the exchange's sender instead (which ends the exchange), and the handler is skipped.
   */
  @SuppressWarnings("unused")
  public static final class NotFoundAdvice {
    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
    static boolean enter(@TargetId int target, @Advice.FieldValue("responseCode") int code,
        @Advice.Argument(0) HttpServerExchange exchange) {
      if (code != 404 || exchange.isResponseStarted()) {
        return false;
      }
      Object answer = Dispatch.on(exchange, exchange.getRequestMethod().toString(), exchange.getRequestPath(),
          exchange.getRequestHeaders(), target, NOT_FOUND);
      if (!(answer instanceof Object[])) {
        return false;
      }
      Object[] fields = (Object[]) answer;
      HeaderMap headers = exchange.getResponseHeaders();
      headers.put(Headers.CONTENT_TYPE, (String) fields[1]);
      if (fields[2] != null) {
        headers.put(Headers.CONTENT_ENCODING, (String) fields[2]);
      }
      headers.put(Headers.CONTENT_LENGTH, ((Integer) fields[3]).longValue());
      exchange.setStatusCode(((Integer) fields[0]).intValue());
      exchange.getResponseSender().send(ByteBuffer.wrap((byte[]) fields[4]));
      return true;
    }
  }

  /** A servlet deployment takes the request (the exchange is its argument; no servlet type is named here). */
  @SuppressWarnings("unused")
  public static final class ServletAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@TargetId int target, @Advice.Argument(0) Object exchange) {
      Dispatch.on(exchange, null, null, null, target, SERVLET);
    }
  }
}
