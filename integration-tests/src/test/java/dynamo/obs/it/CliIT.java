package dynamo.obs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dynamo.obs.it.support.AgentProcess;
import dynamo.obs.it.support.FreePort;
import dynamo.obs.it.support.OtlpGrpcReceiver;
import dynamo.obs.it.support.OtlpHttpReceiver;
import dynamo.obs.it.support.OtlpReceiver;
import java.io.IOException;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** SPEC §8: {@code java -jar dynamo-obs.jar [version | doctor]}. */
class CliIT {

  @Test
  void noArgumentsPrintsUsageAndExits0() {
    try (AgentProcess p = AgentProcess.agentCli().start()) {
      assertEquals(0, p.awaitExit(), p.outputs());
      String out = p.stdout();
      assertTrue(out.contains("-javaagent:"), out);
      assertTrue(out.contains("version"), out);
      assertTrue(out.contains("doctor"), out);
      assertTrue(p.stderr().isEmpty(), p.outputs());
    }
  }

  @Test
  void versionPrintsTheJarVersion() throws IOException {
    String version;
    try (JarFile jar = new JarFile(AgentProcess.agentJar().toFile())) {
      version = jar.getManifest().getMainAttributes().getValue("Implementation-Version");
    }
    try (AgentProcess p = AgentProcess.agentCli("version").start()) {
      assertEquals(0, p.awaitExit(), p.outputs());
      assertEquals("dynamo-obs " + version, p.stdout().trim());
    }
  }

  @Test
  void doctorWithABadValuePrintsTheWarnAndExits1() {
    try (AgentProcess p = AgentProcess.agentCli("doctor").env("DYN_SYSTEM_PORT", "abc").start()) {
      assertEquals(1, p.awaitExit(), p.outputs());
      long warns = p.stdoutLines().stream().filter(l -> l.contains("WARN")).count();
      assertEquals(1, warns, p.outputs());
      assertTrue(p.stdout().contains("WARN DYN_SYSTEM_PORT=\"abc\" is invalid"), p.outputs());
    }
  }

  @Test
  void doctorWithACleanEnvironmentExits0() {
    try (AgentProcess p = AgentProcess.agentCli("doctor").env("DYN_SYSTEM_PORT", "8081").start()) {
      assertEquals(0, p.awaitExit(), p.outputs());
      assertTrue(p.stdout().contains("No configuration warnings."), p.outputs());
      assertTrue(p.stdout().contains(":8081"), p.outputs());
      // every JDK method the agent weaves exists on the JDK the test runs on (17 and 25)
      assertTrue(p.stdout().matches("(?s).*JDK internals +all \\d+ JDK methods the agent weaves here are present.*"),
          p.outputs());
    }
  }

  /** SPEC §8: doctor exports to each endpoint for real; an OTLP/HTTP port given as gRPC gets the advice. */
  @Test
  void doctorShakesHandsWithTheCollectorAndSpotsAnHttpPort() {
    try (OtlpGrpcReceiver grpc = new OtlpGrpcReceiver(); OtlpHttpReceiver http = new OtlpHttpReceiver()) {
      grpc.start();
      http.start();
      try (AgentProcess p = AgentProcess.agentCli("doctor").env("OTEL_EXPORT_ENABLED", "true")
          .env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", grpc.endpoint())
          .env("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", http.endpoint()).start()) {
        p.awaitExit();
        String out = p.stdout();
        assertTrue(out.matches("(?s).*traces +" + java.util.regex.Pattern.quote(grpc.endpoint())
            + " \\(grpc\\) \\[gRPC handshake ok.*"), p.outputs());
        assertTrue(out.matches("(?s).*logs +" + java.util.regex.Pattern.quote(http.endpoint())
            + " \\(grpc\\) \\[not gRPC: this endpoint answers plain HTTP.*OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf.*"),
            p.outputs());
        assertTrue(grpc.exportCalls(OtlpReceiver.Signal.TRACES) >= 1, "a real export reached the collector");
      }
    }
  }

  @Test
  void doctorSaysWhenNothingAnswers() {
    int closed = FreePort.pick();
    try (AgentProcess p = AgentProcess.agentCli("doctor").env("OTEL_EXPORT_ENABLED", "true")
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + closed).start()) {
      p.awaitExit();
      assertTrue(p.stdout().contains("(grpc) [no answer:"), p.outputs());
    }
  }
}
