package dynamo.obs.agent.resources;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The two {@code nvidia-smi} queries the resource monitor runs and the parsing of their CSV answers
 * ({@code --format=csv,noheader,nounits}: one line per row, fields separated by {@code ", "}).
 *
 * <p>The per-process query asks for {@code gpu_uuid} besides {@code pid,used_memory}, and the per-GPU
 * query for {@code uuid} besides {@code index,…}: that is the only way to tell on which GPU a process
 * holds its memory when the host has more than one.
 */
final class NvidiaSmi {
  static final String GPU_QUERY = "--query-gpu=index,uuid,utilization.gpu,temperature.gpu,memory.total";
  static final String APPS_QUERY = "--query-compute-apps=gpu_uuid,pid,used_memory";
  static final String FORMAT = "--format=csv,noheader,nounits";

  private NvidiaSmi() {
  }

  /** One GPU: utilisation, temperature and total memory may be unknown (NaN) on some boards. */
  record Gpu(String index, String uuid, double utilizationPercent, double temperatureCelsius, double memoryTotalMib) {
  }

  /** Memory one process holds on one GPU (by the GPU's uuid). */
  record App(String gpuUuid, long pid, double usedMemoryMib) {
  }

  static List<String> gpuCommand(Path executable) {
    return List.of(executable.toString(), GPU_QUERY, FORMAT);
  }

  static List<String> appsCommand(Path executable) {
    return List.of(executable.toString(), APPS_QUERY, FORMAT);
  }

  /** {@code nvidia-smi} on {@code path} (the PATH variable's value), or null. */
  static Path locate(String path) {
    if (path == null || path.isEmpty()) {
      return null;
    }
    boolean windows = File.pathSeparatorChar == ';';
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      for (String name : windows ? new String[]{"nvidia-smi.exe", "nvidia-smi"} : new String[]{"nvidia-smi"}) {
        try {
          Path candidate = Paths.get(dir, name);
          if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
            return candidate.toAbsolutePath();
          }
        } catch (RuntimeException invalidPathEntry) {
          // an entry that is no valid path cannot hold it
        }
      }
    }
    return null;
  }

  /**
   * Rows of the per-GPU query. A row that does not have five fields, or has no index, makes the whole
   * answer invalid (it is not what we asked for); values such as {@code [N/A]} become NaN.
   */
  static List<Gpu> parseGpus(String output) {
    List<Gpu> gpus = new ArrayList<>();
    for (String line : lines(output)) {
      String[] f = fields(line);
      if (f.length != 5 || !f[0].matches("\\d+") || f[1].isEmpty()) {
        throw new IllegalArgumentException("unexpected line from " + GPU_QUERY + ": " + abbreviate(line));
      }
      gpus.add(new Gpu(f[0], f[1], number(f[2]), number(f[3]), number(f[4])));
    }
    return gpus;
  }

  /**
   * Rows of the per-process query; an empty answer means no process uses a GPU. A process whose
   * memory is not reported ({@code [N/A]}, e.g. under MIG or WDDM) is left out.
   */
  static List<App> parseApps(String output) {
    List<App> apps = new ArrayList<>();
    for (String line : lines(output)) {
      if (line.toLowerCase(Locale.ROOT).startsWith("no running")) {
        continue; // some versions print "No running processes found" even with noheader
      }
      String[] f = fields(line);
      if (f.length != 3 || !f[1].matches("\\d+")) {
        throw new IllegalArgumentException("unexpected line from " + APPS_QUERY + ": " + abbreviate(line));
      }
      double used = number(f[2]);
      if (!Double.isNaN(used)) {
        apps.add(new App(f[0], Long.parseLong(f[1]), used));
      }
    }
    return apps;
  }

  private static List<String> lines(String output) {
    List<String> lines = new ArrayList<>();
    for (String line : output.split("\r?\n")) {
      String t = line.trim();
      if (!t.isEmpty()) {
        lines.add(t);
      }
    }
    return lines;
  }

  private static String[] fields(String line) {
    String[] f = line.split(",", -1);
    for (int i = 0; i < f.length; i++) {
      f[i] = f[i].trim();
    }
    return f;
  }

  /** A number, or NaN for {@code [N/A]}, {@code [Not Supported]}, {@code [Insufficient Permissions]} … */
  static double number(String field) {
    try {
      double v = Double.parseDouble(field);
      return Double.isFinite(v) ? v : Double.NaN;
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  static String abbreviate(String s) {
    String one = s.replaceAll("\\s+", " ").trim();
    return one.length() <= 160 ? one : one.substring(0, 157) + "...";
  }
}
