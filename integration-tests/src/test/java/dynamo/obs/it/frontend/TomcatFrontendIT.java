package dynamo.obs.it.frontend;

import dynamo.obs.it.apps.TomcatOpenAiApp;
import dynamo.obs.it.support.AgentProcess;
import java.nio.file.Paths;
import org.junit.jupiter.api.BeforeAll;

/**
 * Every test of {@link ServletFrontendIT}, to the value, on embedded Tomcat 11 (the container
 * Spring Boot starts by default) serving the same servlets and filters: Tomcat's own request,
 * response, stream and writer classes, its async dispatch and timeouts.
 */
class TomcatFrontendIT extends ServletFrontendIT {
  static AgentProcess.Builder tomcatApp() {
    return AgentProcess.app(TomcatOpenAiApp.class).classpath(Paths.get(System.getProperty("tomcat.libs")).resolve("*"));
  }

  @BeforeAll
  static void start() {
    container = TomcatFrontendIT::tomcatApp;
    startContainer();
  }
}
