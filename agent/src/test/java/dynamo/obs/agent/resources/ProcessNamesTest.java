package dynamo.obs.agent.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProcessNamesTest {
  @Test
  void thisJvmIsNamedByItsMainClassOrJar() {
    assertEquals("WorkerServer", ProcessNames.ofThisJvm("dynamo.obs.examples.worker.WorkerServer --port=9101"));
    assertEquals("service.jar", ProcessNames.ofThisJvm("/opt/app/service.jar --flag"));
    assertEquals("Main", ProcessNames.ofThisJvm("Main"));
    assertEquals("java", ProcessNames.ofThisJvm(null));
    assertEquals("java", ProcessNames.ofThisJvm("  "));
    assertEquals("AVeryLongMainClassNameTha", ProcessNames.ofThisJvm("p.AVeryLongMainClassNameThatGoesOn"));
  }

  @Test
  void otherProcessesByExecutableOrPid() {
    assertEquals("python3.11", ProcessNames.ofProcess(12, Optional.of("/usr/bin/python3.11")));
    assertEquals("pid:12", ProcessNames.ofProcess(12, Optional.empty()));
    assertEquals("pid:12", ProcessNames.ofProcess(12, Optional.of("/")));
  }
}
