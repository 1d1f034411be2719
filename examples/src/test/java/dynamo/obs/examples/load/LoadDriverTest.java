package dynamo.obs.examples.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.examples.Deployment;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoadDriverTest {

  @Test
  void sendsTheRequestedMixAndReadsEveryAnswer() throws Exception {
    try (Deployment deployment = new Deployment()) {
      LoadStats stats = LoadDriver.run(new String[]{
          "--url=" + deployment.frontendUrl(), "--duration-s=10", "--max-requests=40", "--concurrency=4",
          "--models=" + Deployment.MODELS, "--invalid-fraction=0.3", "--stream-fraction=0.5",
          "--max-tokens=4",
      });
      assertEquals(40, stats.sent());
      Map<String, Long> statuses = stats.statusCounts();
      assertEquals(Set.of("200", "400", "404"), statuses.keySet(), statuses::toString);
      assertEquals(Set.of("model-a", "Org/Model-B", RequestMix.MALFORMED, RequestMix.UNKNOWN_MODEL),
          stats.modelCounts().keySet());
      assertEquals(statuses.get("400"), stats.modelCounts().get(RequestMix.MALFORMED));
      assertEquals(statuses.get("404"), stats.modelCounts().get(RequestMix.UNKNOWN_MODEL));
      assertTrue(statuses.get("200") > 20);
    }
  }
}
