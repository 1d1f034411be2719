package dynamo.obs.agent.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NvidiaSmiTest {
  @Test
  void parsesThePerGpuQuery() {
    List<NvidiaSmi.Gpu> gpus = NvidiaSmi.parseGpus(
        "0, GPU-5a3c1e2f-7b8d-4c6e-9f01-23456789abcd, 87, 64, 81559\n"
            + "1, GPU-0f9e8d7c-6b5a-4321-8fed-cba987654321, [N/A], 34, 81559\n");
    assertEquals(2, gpus.size());
    assertEquals(new NvidiaSmi.Gpu("0", "GPU-5a3c1e2f-7b8d-4c6e-9f01-23456789abcd", 87, 64, 81559), gpus.get(0));
    assertTrue(Double.isNaN(gpus.get(1).utilizationPercent()), "[N/A] is unknown, not 0");
    assertEquals(34, gpus.get(1).temperatureCelsius());
  }

  @Test
  void parsesThePerProcessQueryAndSkipsUnreportedMemory() {
    List<NvidiaSmi.App> apps = NvidiaSmi.parseApps(
        "GPU-5a3c1e2f-7b8d-4c6e-9f01-23456789abcd, 4242, 71234\r\n"
            + "GPU-5a3c1e2f-7b8d-4c6e-9f01-23456789abcd, 77, [N/A]\n\n");
    assertEquals(List.of(new NvidiaSmi.App("GPU-5a3c1e2f-7b8d-4c6e-9f01-23456789abcd", 4242, 71234)), apps);
    assertEquals(List.of(), NvidiaSmi.parseApps(""));
    assertEquals(List.of(), NvidiaSmi.parseApps("No running processes found\n"));
  }

  @Test
  void anAnswerThatIsNotWhatWeAskedForIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> NvidiaSmi.parseGpus(
        "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."));
    assertThrows(IllegalArgumentException.class, () -> NvidiaSmi.parseGpus("0, GPU-x, 1, 2"));
    assertThrows(IllegalArgumentException.class, () -> NvidiaSmi.parseApps("GPU-x, notapid, 12"));
  }

  @Test
  void findsAnExecutableOnThePathOnly(@TempDir Path dir) throws Exception {
    Path empty = Files.createDirectory(dir.resolve("empty"));
    Path bin = Files.createDirectory(dir.resolve("bin"));
    Path smi = Files.writeString(bin.resolve("nvidia-smi"), "#!/bin/sh\n");
    assertNull(NvidiaSmi.locate(empty.toString()));
    assertNull(NvidiaSmi.locate(""));
    assertNull(NvidiaSmi.locate(null));
    if (smi.toFile().setExecutable(false) && !Files.isExecutable(smi)) {
      assertNull(NvidiaSmi.locate(bin.toString()), "not executable");
    }
    assertTrue(smi.toFile().setExecutable(true));
    assertEquals(smi.toAbsolutePath(), NvidiaSmi.locate(empty + File.pathSeparator + "::" + File.pathSeparator + bin));
  }

  @Test
  void theCommandsAskForCsvWithoutHeaderOrUnits() {
    assertEquals(List.of("/x/nvidia-smi", "--query-gpu=index,uuid,utilization.gpu,temperature.gpu,memory.total",
        "--format=csv,noheader,nounits"), NvidiaSmi.gpuCommand(Path.of("/x/nvidia-smi")));
    assertEquals(List.of("/x/nvidia-smi", "--query-compute-apps=gpu_uuid,pid,used_memory",
        "--format=csv,noheader,nounits"), NvidiaSmi.appsCommand(Path.of("/x/nvidia-smi")));
  }
}
