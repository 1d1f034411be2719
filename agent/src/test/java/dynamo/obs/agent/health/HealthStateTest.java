package dynamo.obs.agent.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.agent.config.Config.HealthStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthStateTest {
  @Test
  void bodyIsDynamosByteForByte() {
    HealthState h = new HealthState(HealthStatus.NOTREADY, List.of("generate"), false, 0);
    String body = h.json(false, 12_313_803_539L);
    assertEquals(
        "{\"endpoints\":{\"generate\":\"notready\"},\"status\":\"notready\",\"uptime\":{\"nanos\":313803539,\"secs\":12}}",
        body);
    assertEquals(96, body.length(), "the documented content-length");
  }

  @Test
  void notHealthyBeforeInstrumentationIsActive() {
    HealthState h = new HealthState(HealthStatus.READY, List.of(), false, 0);
    assertFalse(h.healthy());
    h.instrumentationActive();
    assertTrue(h.healthy());
  }

  @Test
  void startingStatusDecidesWithoutEndpoints() {
    HealthState h = new HealthState(HealthStatus.NOTREADY, List.of(), false, 0);
    h.instrumentationActive();
    assertFalse(h.healthy());
  }

  @Test
  void servedEndpointsDecideAndStoppingOneMakesItNotReady() {
    HealthState h = new HealthState(HealthStatus.NOTREADY, List.of(), false, 0);
    h.instrumentationActive();
    h.endpointServed("chat_completions");
    h.endpointServed("completions");
    assertTrue(h.healthy());
    assertEquals(
        "{\"endpoints\":{\"chat_completions\":\"ready\",\"completions\":\"ready\"},\"status\":\"ready\",\"uptime\":{\"nanos\":5,\"secs\":1}}",
        h.json(true, 1_000_000_005L));
    h.endpointStopped("completions");
    assertFalse(h.healthy());
  }

  @Test
  void requiredEndpointsWinOverOthers() {
    HealthState h = new HealthState(HealthStatus.READY, List.of("generate"), false, 0);
    h.instrumentationActive();
    assertTrue(h.healthy(), "listed endpoints start at the starting status");
    h.endpointStopped("generate");
    assertFalse(h.healthy());
    h.endpointServed("chat_completions");
    assertFalse(h.healthy(), "only the listed endpoints count");
    h.endpointServed("generate");
    assertTrue(h.healthy());
  }

  @Test
  void withCanaryChecksTheCanaryDecides() {
    HealthState h = new HealthState(HealthStatus.READY, List.of("generate"), true, 0);
    h.instrumentationActive();
    assertFalse(h.healthy(), "listed endpoints start notready when canary checks are on");
    h.registerCanaryTarget("generate");
    h.endpointServed("generate");
    assertFalse(h.healthy(), "being served does not make an endpoint ready: the canary does");
    h.setEndpoint("generate", HealthStatus.READY);
    assertTrue(h.healthy());
  }

  /** Upstream's fix for endpoints without a canary (ai-dynamo/dynamo PR #8592): else /health would be 503 for ever. */
  @Test
  void withCanaryChecksAnEndpointNoCanaryReachesIsReadyOnceServed() {
    HealthState h = new HealthState(HealthStatus.READY, List.of("generate"), true, 0);
    h.instrumentationActive();
    assertFalse(h.healthy());
    h.endpointServed("generate");
    assertTrue(h.healthy());
  }

  @Test
  void canaryTargetsDecideWhenNoListIsGiven() {
    HealthState h = new HealthState(HealthStatus.NOTREADY, List.of(), true, 0);
    h.instrumentationActive();
    h.registerCanaryTarget("generate");
    h.endpointServed("chat_completions");
    assertFalse(h.healthy());
    h.setEndpoint("generate", HealthStatus.READY);
    assertTrue(h.healthy());
  }
}
