package dynamo.obs.agent.targets.helidon;

import dynamo.obs.agent.weaving.AgentServices;
import dynamo.obs.agent.weaving.InstrumentationModule;
import dynamo.obs.agent.weaving.JdkWeave;
import dynamo.obs.agent.weaving.JdkWeave.Kind;
import dynamo.obs.bootstrap.Handler;
import java.util.List;

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
 * These classes are known by name: the agent's own weaver weaves them ({@linkplain #libraryWeaves library weaves}, no
 * Byte Buddy). The woven calls name no Helidon type: Helidon 4 is compiled for Java 21 and the agent for 17, so its
 * objects arrive as {@code Object} (with the booleans of their fields as ints) and the handler reads the few values
 * it needs through Helidon's public methods, looked up once ({@link HelidonApi}). What the
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
  /** (request, connection): a request with a body was made; the handler adds a stream filter that records it. */
  static final int REQUEST_BODY = 1;
  /** onData (connection, body bytes, offset, length, -): a streamed body's bytes were written. */
  static final int RESPONSE_BYTES = 3;
  /** (connection): a streamed response was committed (its end written): the response is complete. */
  static final int COMMITTED = 6;
  /** (connection): {@code route} returned. */
  static final int ROUTED = 7;
  /** (connection, RequestException): the server answers the request itself. */
  static final int SERVER_ANSWER = 8;
  /** (connection): the server's own answer was written. */
  static final int SERVER_ANSWERED = 9;
  /** (connection): the connection's loop ended. */
  static final int CONNECTION_ENDED = 10;
  /** (connection): the request has no body (no Content-Length, or 0, and not chunked): it is read, empty. */
  static final int NO_BODY = 11;
  /**
   * replace (the routing's result, RoutingRequest, RoutingResponse): {@code NONE} is no route; FINISH when the agent
   * answered.
   */
  static final int NO_ROUTE = 12;
  /**
   * onData (connection, ServerResponse, its {@code isSent}, its {@code streamingEntity}, its headers): a whole body is
   * about to be sent; its head, unless a body was sent or a stream opened already (Helidon refuses those).
   */
  static final int SEND_HEAD = 13;
  /**
   * onData (connection, the supplier of the status, {@code firstByte}, {@code closed} or 0, the headers): a streamed
   * body's write, commit or flush of the head; its head before the first bytes have gone out.
   */
  static final int STREAM_HEAD = 14;
  /** (connection, byte[]): {@code write(byte[])} of a streamed body returned. */
  static final int STREAM_ARRAY = 15;
  /** onData (connection, -, the byte, -, -): {@code write(int)} of a streamed body returned. */
  static final int STREAM_BYTE = 16;
  /** (throwable, connection): a write of the response threw. */
  static final int WRITE_THROWN = 17;
  /**
   * onData (connection, byte[], offset, length, ServerResponse): {@code send(byte[], int, int)} returned: when Helidon
   * wrote the body directly ({@code isSent}), the whole body; a body that went through a stream is seen there.
   */
  static final int SEND_DONE = 18;
  /** (connection, byte[], ServerResponse): {@code send(byte[])} returned (4.0, 4.1: the whole body's only form). */
  static final int SEND_ARRAY_DONE = 19;
  /** (throwable, connection): {@code route} threw. */
  static final int ROUTE_THROWN = 20;
  /** (throwable, connection): the server's own answer failed. */
  static final int SERVER_ANSWER_THROWN = 21;

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

  @Override
  public Handler handler(AgentServices services) {
    return new HelidonHandler(services);
  }

  @Override
  public List<JdkWeave> libraryWeaves() {
    String ctx = "field:ctx";
    String stream = RESPONSE + "$BlockingOutputStream";
    String head = "(Lio/helidon/http/HttpPrologue;Lio/helidon/http/WritableHeaders;";
    String exception = "(Lio/helidon/http/RequestException;)";
    String routing = "(Lio/helidon/webserver/ConnectionContext;Lio/helidon/webserver/http/RoutingRequest;"
        + "Lio/helidon/webserver/http/RoutingResponse;)";
    List<JdkWeave> weaves = new java.util.ArrayList<>(List.of(
        new JdkWeave(CONNECTION, "route", head, Kind.ENTER, REQUEST_STARTED, ctx, "arg0", "arg1"),
        new JdkWeave(CONNECTION, "route", head, Kind.EXIT, ROUTED, ctx),
        new JdkWeave(CONNECTION, "route", head, Kind.EXIT_THROWN, ROUTE_THROWN, ctx),
        new JdkWeave(CONNECTION, "handleRequestException", exception, Kind.ENTER, SERVER_ANSWER, ctx, "arg0"),
        new JdkWeave(CONNECTION, "handleRequestException", exception, Kind.EXIT, SERVER_ANSWERED, ctx),
        new JdkWeave(CONNECTION, "handleRequestException", exception, Kind.EXIT_THROWN, SERVER_ANSWER_THROWN, ctx),
        new JdkWeave(CONNECTION, "handle", "(", Kind.EXIT_ALWAYS, CONNECTION_ENDED, ctx),
        new JdkWeave("io.helidon.webserver.http.HttpRoutingImpl$RoutingExecutor", "doRoute", routing,
            Kind.EXIT_RETURN, NO_ROUTE, "arg1", "arg2"),
        new JdkWeave(HTTP1 + "Http1ServerRequestWithEntity", "<init>", "(", Kind.EXIT, REQUEST_BODY, "this", ctx),
        new JdkWeave(HTTP1 + "Http1ServerRequestNoEntity", "<init>", "(Lio/helidon/webserver/ConnectionContext;",
            Kind.EXIT, NO_BODY, "arg0"),
        // 4.2 added send(byte[], int, int), which send(byte[]) calls: the whole body is then seen there first
        new JdkWeave(RESPONSE, "send", "([BII)V", Kind.ENTER, SEND_HEAD, ctx, "this", "field:isSent",
            "field:streamingEntity", "field:headers").optional(),
        new JdkWeave(RESPONSE, "send", "([BII)V", Kind.EXIT, SEND_DONE, ctx, "arg0", "arg1", "arg2", "this")
            .optional(),
        new JdkWeave(RESPONSE, "send", "([BII)V", Kind.EXIT_THROWN, WRITE_THROWN, ctx).optional(),
        new JdkWeave(RESPONSE, "send", "([B)V", Kind.ENTER, SEND_HEAD, ctx, "this", "field:isSent",
            "field:streamingEntity", "field:headers"),
        new JdkWeave(RESPONSE, "send", "([B)V", Kind.EXIT, SEND_ARRAY_DONE, ctx, "arg0", "this"),
        new JdkWeave(RESPONSE, "send", "([B)V", Kind.EXIT_THROWN, WRITE_THROWN, ctx),
        new JdkWeave(stream, "write", "([BII)V", Kind.EXIT, RESPONSE_BYTES, ctx, "arg0", "arg1", "arg2"),
        new JdkWeave(stream, "write", "([B)V", Kind.EXIT, STREAM_ARRAY, ctx, "arg0"),
        new JdkWeave(stream, "write", "(I)V", Kind.EXIT, STREAM_BYTE, ctx, "arg0"),
        new JdkWeave(stream, "commit", "()V", Kind.EXIT, COMMITTED, ctx)));
    String[] streamHead = {ctx, "field:status", "field:firstByte", "field:headers"};
    String[] streamEndHead = {ctx, "field:status", "field:firstByte", "field:closed", "field:headers"};
    for (String m : List.of("([BII)V", "([B)V", "(I)V")) {
      weaves.add(new JdkWeave(stream, "write", m, Kind.ENTER, STREAM_HEAD, streamHead));
      weaves.add(new JdkWeave(stream, "write", m, Kind.EXIT_THROWN, WRITE_THROWN, ctx));
    }
    for (String m : List.of("commit", "flushHeaders")) {
      weaves.add(new JdkWeave(stream, m, "()V", Kind.ENTER, STREAM_HEAD, streamEndHead));
      weaves.add(new JdkWeave(stream, m, "()V", Kind.EXIT_THROWN, WRITE_THROWN, ctx));
    }
    // a flush writes what a chunked stream held back (its first piece): it may find the client gone
    weaves.add(new JdkWeave(stream, "flush", "()V", Kind.EXIT_THROWN, WRITE_THROWN, ctx));
    return weaves;
  }
}
