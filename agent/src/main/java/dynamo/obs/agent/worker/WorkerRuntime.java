package dynamo.obs.agent.worker;

import dynamo.obs.agent.health.HealthState;
import dynamo.obs.agent.trace.SpanParent;
import dynamo.obs.agent.trace.SpanValues;
import dynamo.obs.agent.trace.TraceSpan;
import dynamo.obs.agent.trace.Tracing;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Instant;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Engine calls and routing decisions of methods the user named: their recorders, the token
 * handlers they were given, and the worker and router metrics.
 */
public final class WorkerRuntime {
  private static final Accessors MODEL = new Accessors("getModel", "model", "modelName", "getModelName");
  private static final Accessors WORKER = new Accessors("getWorkerId", "workerId", "getId", "id");
  // what an engine's response says of itself (LangChain4j's ChatResponse, OpenAI-shaped results)
  private static final Accessors USAGE = new Accessors("tokenUsage", "getTokenUsage", "usage", "getUsage");
  private static final Accessors INPUT_TOKENS = new Accessors("inputTokenCount", "getInputTokenCount",
      "promptTokens", "getPromptTokens", "inputTokens", "getInputTokens");
  private static final Accessors OUTPUT_TOKENS = new Accessors("outputTokenCount", "getOutputTokenCount",
      "completionTokens", "getCompletionTokens", "outputTokens", "getOutputTokens");
  private static final Accessors FINISH_REASON = new Accessors("finishReason", "getFinishReason");

  private final ComponentIdentity workerIdentity;
  private final ComponentIdentity routerIdentity;
  private final String defaultModel;
  /** {@code router_mode} of routing spans: DYN_ROUTER_MODE when set (Dynamo's modes), else the user's own. */
  private final String routerMode = routerMode();
  private final int maxModels;
  private final PrometheusRegistry registry;
  private final HealthState health;
  private final Runnable seriesRefused;
  private volatile WorkerMetrics metrics;
  private volatile RouterMetrics routerMetrics;
  private final IdentityRegistry<WorkerCall> handlers = new IdentityRegistry<>();
  /** Handler interfaces (names) whose implementations report tokens; grows as worker classes are woven. */
  private final Set<String> handlerInterfaces = ConcurrentHashMap.newKeySet();
  private final ClassValue<Boolean> isHandler = new ClassValue<>() {
    @Override
    protected Boolean computeValue(Class<?> type) {
      for (Class<?> c = type; c != null; c = c.getSuperclass()) {
        for (Class<?> i : c.getInterfaces()) {
          if (implementsHandler(i)) {
            return true;
          }
        }
      }
      return false;
    }
  };
  private final ConcurrentHashMap<String, Site> sites = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Signal> signals = new ConcurrentHashMap<>();
  private volatile Tracing tracing;
  private volatile CallContext context = CallContext.NONE;

  public WorkerRuntime(ComponentIdentity workerIdentity, ComponentIdentity routerIdentity, String defaultModel,
      int maxModels, PrometheusRegistry registry, HealthState health, Runnable seriesRefused) {
    this.workerIdentity = workerIdentity;
    this.routerIdentity = routerIdentity;
    this.defaultModel = defaultModel;
    this.maxModels = maxModels;
    this.registry = registry;
    this.health = health;
    this.seriesRefused = seriesRefused;
  }

  /**
   * {@code context} tells which request a thread serves (its inbound request, ids, span parent);
   * {@code tracing} makes spans of engine calls and routing decisions, or is null for none.
   */
  public void traced(Tracing tracing, CallContext context) {
    this.tracing = tracing;
    this.context = context == null ? CallContext.NONE : context;
  }

  WorkerMetrics metrics() {
    WorkerMetrics m = metrics;
    if (m == null) {
      synchronized (this) {
        m = metrics;
        if (m == null) {
          m = new WorkerMetrics(workerIdentity, maxModels, registry, seriesRefused);
          metrics = m;
        }
      }
    }
    return m;
  }

  RouterMetrics routerMetrics() {
    RouterMetrics m = routerMetrics;
    if (m == null) {
      synchronized (this) {
        m = routerMetrics;
        if (m == null) {
          m = new RouterMetrics(routerIdentity, registry);
          routerMetrics = m;
        }
      }
    }
    return m;
  }

  /** A class with worker methods was woven: this process serves the worker endpoint. */
  public void workerTypeWoven(Set<String> parameterInterfaces) {
    metrics();
    for (String i : parameterInterfaces) {
      if (!i.startsWith("java.") && !i.startsWith("javax.") && !i.startsWith("jdk.") && !i.startsWith("sun.")) {
        handlerInterfaces.add(i);
      }
    }
    workerWoven = true;
    instrumentationActive();
  }

  private volatile boolean workerWoven;

  /** Registrations wait for the instrumentation to be active (health is held until then). */
  public void instrumentationActive() {
    if (workerWoven && health.isInstrumentationActive()) {
      health.endpointServed(workerIdentity.endpoint());
    }
  }

  /** A class with router methods was woven: the router's series exist from now on (zeros). */
  public void routerTypeWoven() {
    routerMetrics();
  }

  public Set<String> handlerInterfaces() {
    return handlerInterfaces;
  }

  private boolean implementsHandler(Class<?> iface) {
    if (handlerInterfaces.contains(iface.getName())) {
      return true;
    }
    for (Class<?> parent : iface.getInterfaces()) {
      if (implementsHandler(parent)) {
        return true;
      }
    }
    return false;
  }

  // ---- inbound HTTP requests of a worker ---------------------------------------------------------

  /** A request arrived over HTTP on this thread; {@code sendTsNanos} from {@code x-frontend-send-ts-ns}. */
  public InboundRequest inboundStarted(long contentLength, String sendTsNanos, SpanParent remoteParent,
      String xRequestId, String requestId, long startNanos) {
    InboundRequest r = new InboundRequest(contentLength, remoteParent, xRequestId, requestId, startNanos);
    if (sendTsNanos != null) {
      try {
        long sent = Long.parseLong(sendTsNanos.trim());
        Instant now = Instant.now();
        long nowNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        if (nowNanos >= sent) {
          metrics().networkTransit((nowNanos - sent) / 1e9);
        }
      } catch (NumberFormatException ignored) {
        // not a timestamp: nothing to measure
      }
    }
    return r;
  }

  public void inboundEnded(InboundRequest request) {
    request.ended();
  }

  // ---- worker calls ------------------------------------------------------------------------------

  private static final class Site {
    final String returnType;
    /** The declared return type as a class, resolved at the first result that needs it. */
    private volatile Class<?> returnClass;

    Site(String site) {
      int bar = site.lastIndexOf('|');
      returnType = bar < 0 ? "" : site.substring(bar + 1);
    }

    /** The declared return type, loaded as the result's class loader sees it; null when it cannot be. */
    Class<?> returnClass(ClassLoader loader) {
      Class<?> c = returnClass;
      if (c == null) {
        try {
          c = Class.forName(returnType, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
          return null;
        }
        returnClass = c;
      }
      return c;
    }
  }

  public Object workerCallStarted(String site, Object[] args) {
    String model = null;
    for (Object a : args) {
      if (a != null && !(a instanceof String) && !(a instanceof Number)) {
        model = MODEL.read(a);
        if (model != null) {
          break;
        }
      }
    }
    InboundRequest in = context.inbound(); // follows the request to executors, unlike a thread-local
    if (model == null && in != null) {
      model = in.model(); // the model the worker's request named
    }
    if (model == null) {
      model = defaultModel != null ? defaultModel : WorkerMetrics.UNKNOWN_MODEL;
    }
    long now = System.nanoTime();
    WorkerMetrics.ModelSeries series = metrics().model(model);
    String requestId = context.requestId();
    TraceSpan span = null;
    Tracing t = tracing;
    if (t != null) {
      SpanParent parent = in != null ? in.span(t, workerIdentity) : context.parent();
      span = t.start("engine.generate", TraceSpan.Kind.INTERNAL, parent, context.xRequestId(), requestId, now);
      span.set(SpanValues.MODEL, series.model);
    }
    WorkerCall call = new WorkerCall(this, series, now, in, span, requestId);
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      if (a == null) {
        continue;
      }
      if (a instanceof Consumer) {
        args[i] = StreamedResults.consumer((Consumer<?>) a, call);
      } else if (a instanceof BiConsumer) {
        args[i] = StreamedResults.biConsumer((BiConsumer<?, ?>) a, call);
      } else if (!handlerInterfaces.isEmpty() && isHandler.get(a.getClass())) {
        handlers.put(a, call);
        call.bind(a);
      }
    }
    sites.computeIfAbsent(site, Site::new);
    return new Object[]{call, site};
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  public Object workerCallEnded(Object token, Object result, Throwable error) {
    Object[] t = (Object[]) token;
    WorkerCall call = (WorkerCall) t[0];
    if (error != null) {
      call.end(StreamedResults.isCancellation(error) ? WorkerCall.End.CANCELLED : WorkerCall.End.ERROR);
      return result;
    }
    Site site = sites.get((String) t[1]);
    String declared = site.returnType;
    if (result instanceof CompletionStage) {
      StreamedResults.onCompletion((CompletionStage<?>) result, call);
      return result;
    }
    if (result instanceof Iterator && declared.equals("java.util.Iterator")) {
      return StreamedResults.iterator((Iterator) result, call);
    }
    if (result instanceof Stream && declared.equals("java.util.stream.Stream")) {
      return StreamedResults.stream((Stream) result, call);
    }
    if (result instanceof Flow.Publisher && declared.equals("java.util.concurrent.Flow$Publisher")) {
      return StreamedResults.publisher((Flow.Publisher) result, call);
    }
    if (result != null && declared.equals(ReactiveStreamsPublisher.PUBLISHER)) {
      Object wrapped = ReactiveStreamsPublisher.wrap(result, call);
      if (wrapped != result) {
        return wrapped;
      }
    }
    if (result != null && !declared.isEmpty() && !declared.startsWith("java.")
        && ReactorChains.chainable(result.getClass())) {
      // Flux, Mono: observed with their own operators
      Class<?> type = site.returnClass(result.getClass().getClassLoader());
      Object chained = type == null ? result : ReactorChains.observe(result, type, call);
      if (chained != result) {
        return chained;
      }
    }
    if (!call.awaitsHandler) {
      reported(call, result);
      call.end(WorkerCall.End.OK);
    }
    return result;
  }

  /** What an engine's response object says of itself, onto the call's span (when there is one). */
  private static void reported(WorkerCall call, Object response) {
    if (call.traced() && response != null && !(response instanceof String) && !(response instanceof Number)) {
      Object usage = USAGE.value(response);
      call.reported(INPUT_TOKENS.number(usage), OUTPUT_TOKENS.number(usage), FINISH_REASON.read(response));
    }
  }

  void release(Object handler, WorkerCall call) {
    handlers.remove(handler, call);
  }

  // ---- token handlers ----------------------------------------------------------------------------

  enum Signal {
    TOKEN, COMPLETE, ERROR, OTHER
  }

  public void handlerInvoked(Object handler, String method, String descriptor, Object first) {
    WorkerCall call = handlers.get(handler);
    if (call == null) {
      return;
    }
    switch (signals.computeIfAbsent(method, WorkerRuntime::classify)) {
      case TOKEN :
        if (!descriptor.startsWith("()")) { // a token method receives something
          call.token();
        }
        break;
      case COMPLETE :
        reported(call, first); // e.g. LangChain4j's onCompleteResponse(ChatResponse)
        call.end(WorkerCall.End.OK);
        break;
      case ERROR :
        call.end(WorkerCall.End.ERROR);
        break;
      default :
        break;
    }
  }

  /** By the words of a camelCase name: onError → error, onCompleteResponse → complete, onToken → token. */
  static Signal classify(String method) {
    String[] words = method.split("(?<=[a-z0-9])(?=[A-Z])|_");
    boolean complete = false;
    for (String w : words) {
      switch (w.toLowerCase(Locale.ROOT)) {
        case "tool" :
        case "tools" :
          return Signal.TOKEN; // a (completed) tool call is part of the stream, not its end
        case "error" :
        case "fail" :
        case "failed" :
        case "failure" :
        case "exception" :
          return Signal.ERROR;
        case "complete" :
        case "completed" :
        case "completion" :
        case "done" :
        case "finish" :
        case "finished" :
        case "end" :
        case "close" :
        case "closed" :
          complete = true;
          break;
        default :
          break;
      }
    }
    if (complete) {
      return Signal.COMPLETE;
    }
    return method.equals("toString") || method.equals("hashCode") || method.equals("equals")
        ? Signal.OTHER
        : Signal.TOKEN;
  }

  // ---- routing decisions -------------------------------------------------------------------------

  /** A routing decision under way: when it started and its span. */
  private static final class RouterCall {
    final long startNanos;
    final TraceSpan span;

    RouterCall(long startNanos, TraceSpan span) {
      this.startNanos = startNanos;
      this.span = span;
    }
  }

  public Object routerCallStarted(String site, Object[] args) {
    routerMetrics().started.inc();
    long now = System.nanoTime();
    TraceSpan span = null;
    Tracing t = tracing;
    if (t != null) {
      CallContext c = context;
      span = t.start("router.route_request", TraceSpan.Kind.INTERNAL, c.parent(), c.xRequestId(), c.requestId(), now);
      span.set(SpanValues.REQUEST_ID, c.requestId()).set("router_mode", routerMode);
      c.routed(span); // the request goes on to the chosen worker as this span's child
    }
    return new RouterCall(now, span);
  }

  public void routerCallEnded(Object token, Object result, Throwable error) {
    RouterCall call = (RouterCall) token;
    RouterMetrics m = routerMetrics();
    if (result instanceof CompletionStage) {
      ((CompletionStage<?>) result).whenComplete((v, t) -> routed(m, call, t == null ? v : null, t));
      return;
    }
    routed(m, call, result, error);
  }

  private void routed(RouterMetrics m, RouterCall call, Object chosen, Throwable error) {
    m.overheadMs.observe((System.nanoTime() - call.startNanos) / 1e6);
    m.requests.inc();
    String worker = error == null && chosen != null ? chosenWorker(chosen) : null;
    if (worker != null) {
      lastChosenWorker = worker;
    }
    TraceSpan span = call.span;
    if (span != null) {
      span.set("worker_id", worker);
      if (error != null) {
        span.error(error.getClass().getName());
      }
      span.end();
    }
  }

  private volatile String lastChosenWorker;

  private static String routerMode() {
    String m = System.getProperty("dyn.router.mode");
    if (m == null || m.isEmpty()) {
      m = System.getenv("DYN_ROUTER_MODE");
    }
    return m == null || m.isEmpty() ? "custom" : m.trim().toLowerCase(Locale.ROOT);
  }

  /** The worker a routing decision chose: its id accessor, else its string form. */
  static String chosenWorker(Object result) {
    String id = WORKER.read(result);
    return id != null ? id : String.valueOf(result);
  }

  public String lastChosenWorker() {
    return lastChosenWorker;
  }
}
