package dynamo.obs.agent.resources;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A stand-in launcher: each started query answers what the test scripted, when the test says so. */
final class FakeSmi implements GpuSampler.Launcher {
  static final String GPUS = "0, GPU-aaaa, 87, 64, 81559\n1, GPU-bbbb, 3, 35, 40960\n";
  static final String APPS = "GPU-aaaa, 100, 2048\nGPU-bbbb, 200, 1024\nGPU-aaaa, 300, 512\n";

  final List<Query> started = new ArrayList<>();
  String gpus = GPUS;
  String apps = APPS;
  int exitCode = 0;
  boolean answers = true;
  IOException cannotStart;

  final class Query implements GpuSampler.Running {
    final List<String> command;
    final String output;
    boolean killed;

    Query(List<String> command) {
      this.command = command;
      this.output = command.get(1).startsWith("--query-gpu") ? gpus : apps;
    }

    @Override
    public boolean drain(int limit) {
      return output.length() <= limit;
    }

    @Override
    public boolean finished() {
      return answers || killed;
    }

    @Override
    public int exitCode() {
      return exitCode;
    }

    @Override
    public String output() {
      return output;
    }

    @Override
    public void kill() {
      killed = true;
    }
  }

  @Override
  public GpuSampler.Running start(List<String> command) throws IOException {
    if (cannotStart != null) {
      throw cannotStart;
    }
    Query q = new Query(command);
    started.add(q);
    return q;
  }
}
