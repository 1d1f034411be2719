package dynamo.obs.bootstrap;

/**
 * What the agent weaves into JDK classes itself, without Byte Buddy (see the agent's
 * {@code JdkWeaver}): each woven method makes one static call here, and each method here makes
 * one call to {@link Hooks}, catches whatever it throws, and on failure hands back what it was
 * given. Arguments are passed as {@code Object} (the JDK's HTTP server and client classes are not
 * visible to the bootstrap class loader) and cast here or by the hooks.
 */
public final class JdkAdvice {
  private JdkAdvice() {}

  // ---- com.sun.net.httpserver -----------------------------------------------------------------

  public static void contextCreated(Object server, Object path) {
    try {
      Hooks.get().httpServerContextCreated(server, (String) path);
    } catch (Throwable t) {
      failed("jdk-httpserver:createContext", t);
    }
  }

  public static void contextRemoved(Object server, Object pathOrContext) {
    try {
      if (pathOrContext instanceof String) {
        Hooks.get().httpServerContextRemoved(server, (String) pathOrContext);
      } else if (pathOrContext != null) {
        Hooks.get().httpServerContextObjectRemoved(server, pathOrContext);
      }
    } catch (Throwable t) {
      failed("jdk-httpserver:removeContext", t);
    }
  }

  public static void serverStarted(Object server) {
    try {
      Hooks.get().httpServerStarted(server);
    } catch (Throwable t) {
      failed("jdk-httpserver:start", t);
    }
  }

  public static void serverStopped(Object server) {
    try {
      Hooks.get().httpServerStopped(server);
    } catch (Throwable t) {
      failed("jdk-httpserver:stop", t);
    }
  }

  @SuppressWarnings("unchecked")
  public static void exchangeStarted(Object exchange, Object method, Object uri, Object headers) {
    try {
      Hooks.get().jdkExchangeStarted(exchange, (String) method, (java.net.URI) uri,
          (java.util.Map<String, java.util.List<String>>) headers);
    } catch (Throwable t) {
      failed("jdk-httpserver:exchange", t);
    }
  }

  public static Object requestBody(Object exchange, Object body) {
    try {
      return Hooks.get().jdkRequestBody(exchange, (java.io.InputStream) body);
    } catch (Throwable t) {
      failed("jdk-httpserver:requestBody", t);
      return body;
    }
  }

  @SuppressWarnings("unchecked")
  public static void responseHeaders(Object exchange, int status, Object headers) {
    try {
      Hooks.get().jdkResponseHeaders(exchange, status, (java.util.Map<String, java.util.List<String>>) headers);
    } catch (Throwable t) {
      failed("jdk-httpserver:responseHeaders", t);
    }
  }

  public static Object responseBody(Object exchange, Object body) {
    try {
      return Hooks.get().jdkResponseBody(exchange, (java.io.OutputStream) body);
    } catch (Throwable t) {
      failed("jdk-httpserver:responseBody", t);
      return body;
    }
  }

  public static void exchangeClosed(Object exchange) {
    try {
      Hooks.get().jdkExchangeClosed(exchange);
    } catch (Throwable t) {
      failed("jdk-httpserver:close", t);
    }
  }

  public static void exchangeRunEnded() {
    try {
      Hooks.get().jdkExchangeRunEnded();
    } catch (Throwable t) {
      failed("jdk-httpserver:run", t);
    }
  }

  public static void handlerFailed(Object thrown) {
    try {
      Hooks.get().jdkHandlerFailed((Throwable) thrown);
    } catch (Throwable t) {
      failed("jdk-httpserver:handler", t);
    }
  }

  // ---- outbound HTTP --------------------------------------------------------------------------

  public static void outboundHttpRequest(Object request) {
    try {
      Hooks.get().outboundHttpRequest(request);
    } catch (Throwable t) {
      failed("jdk-httpclient:send", t);
    }
  }

  public static void outboundHttpRequestFollowed(Object request, Object previous) {
    try {
      Hooks.get().outboundHttpRequestFollowed(request, previous);
    } catch (Throwable t) {
      failed("jdk-httpclient:follow", t);
    }
  }

  public static void outboundUrlConnection(Object connection) {
    try {
      Hooks.get().outboundUrlConnection(connection);
    } catch (Throwable t) {
      failed("jdk-httpclient:connect", t);
    }
  }

  // ---- executors ------------------------------------------------------------------------------

  public static Object wrapTask(Object task) {
    try {
      return Hooks.get().wrapTask(task);
    } catch (Throwable t) {
      failed("executors:wrap", t);
      return task;
    }
  }

  public static void futureTaskCreated(Object task) {
    try {
      Hooks.get().futureTaskCreated(task);
    } catch (Throwable t) {
      failed("executors:future", t);
    }
  }

  public static Object futureTaskStarted(Object task) {
    try {
      return Hooks.get().futureTaskStarted(task);
    } catch (Throwable t) {
      failed("executors:run", t);
      return null;
    }
  }

  public static void futureTaskEnded(Object token) {
    if (token == null) {
      return;
    }
    try {
      Hooks.get().futureTaskEnded(token);
    } catch (Throwable t) {
      failed("executors:run", t);
    }
  }

  // ---- java.util.logging ----------------------------------------------------------------------

  /** {@code Logger.log(LogRecord)}, which may be called directly, without the other methods' level check. */
  public static Object julLog(Object logger, Object record) {
    try {
      java.util.logging.LogRecord r = (java.util.logging.LogRecord) record;
      if (r == null || !((java.util.logging.Logger) logger).isLoggable(r.getLevel())) {
        return null;
      }
      return Hooks.get().logEventStarted(Hooks.LOG_JUL, r.getLevel().intValue(), r.getLoggerName(), r.getMessage(),
          r.getParameters(), r.getResourceBundle(), r.getThrown(), r.getInstant(), null, null);
    } catch (Throwable t) {
      failed("java-util-logging:log", t);
      return null;
    }
  }

  public static void logEventEnded(Object dispatch) {
    if (dispatch == null) {
      return;
    }
    try {
      Hooks.get().logEventEnded(dispatch);
    } catch (Throwable t) {
      failed("logging:end", t);
    }
  }

  /** True when the console handler must skip its own rendering (its level and filter still decide first). */
  public static boolean julConsole(Object handler, Object record) {
    try {
      return ((java.util.logging.Handler) handler).isLoggable((java.util.logging.LogRecord) record)
          && Hooks.get().logConsoleLine(Hooks.LOG_JUL, true);
    } catch (Throwable t) {
      failed("java-util-logging:console", t);
      return false;
    }
  }

  private static void failed(String site, Throwable t) {
    try {
      Hooks.get().adviceError(site, t);
    } catch (Throwable ignored) {
      // nothing more to do
    }
  }
}
