package dynamo.obs.it.frontend;

import dynamo.obs.it.apps.UndertowServletOpenAiApp;
import dynamo.obs.it.support.AgentProcess;
import java.nio.file.Paths;
import org.junit.jupiter.api.BeforeAll;

/**
 * Every test of {@link ServletFrontendIT}, to the value, on a servlet deployment on Undertow serving the same
 * servlets and filters: the servlet target measures it, and the undertow target, which sees the same requests pass
 * Undertow's core, hands them over uncounted — each request is counted once.
 */
class UndertowServletFrontendIT extends ServletFrontendIT {
  static AgentProcess.Builder undertowServletApp() {
    return AgentProcess.app(UndertowServletOpenAiApp.class)
        .classpath(Paths.get(System.getProperty("undertow.servlet.libs")).resolve("*"));
  }

  @BeforeAll
  static void start() {
    container = UndertowServletFrontendIT::undertowServletApp;
    startContainer();
  }

  /**
   * The asynchronous unary answer goes through the output stream here: Undertow's response writer hands
   * {@code print(String)} to its own encoder, past every {@code write} method, so the servlet target does not see the
   * characters of a {@code print} on Undertow (its writes it does see).
   */
  @Override
  String[] asyncUnaryHeaders() {
    return new String[]{"x-write", "stream"};
  }
}
