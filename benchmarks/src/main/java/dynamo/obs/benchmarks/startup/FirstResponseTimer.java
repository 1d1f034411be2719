package dynamo.obs.benchmarks.startup;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One startup measurement of one application JVM, printed as one CSV line on stdout.
 *
 * <p>It spawns the command after {@code --} (placeholders {@code {port}} and {@code {systemPort}} are
 * replaced by free loopback ports, in arguments and in {@code --env} values), then:
 * <ol>
 *   <li>busy-polls {@code POST /v1/chat/completions} on {@code {port}} over a fresh raw socket about
 *       every millisecond; launch → first 200 is the <em>time to first response</em>, and the child's
 *       utime+stime at that moment its <em>CPU to first response</em>;</li>
 *   <li>with {@code --health PATH}: polls {@code GET PATH} on {@code {systemPort}} (every
 *       {@code --health-poll-ms}, capped by {@code --health-cap-ms}); launch → first 200 is the
 *       <em>time to agent ready</em>. It starts polling only after the first response so the polling
 *       cannot slow the application's start down;</li>
 *   <li>sends {@code --requests} more requests, then reads the child's {@code VmHWM}/{@code VmRSS}
 *       ({@code /proc/PID/status}) and its utime+stime ({@code /proc/PID/stat}) at that same moment,
 *       and stops it (SIGTERM, then SIGKILL after 3 s).</li>
 * </ol>
 * The child's environment loses every {@code DYN_*} and {@code OTEL_*} variable and the JVM option
 * variables of the caller, so only {@code --env} configures the agents. Its stdout and stderr go to
 * {@code --log}. A shutdown hook kills the child if this process is interrupted.
 *
 * <p>CSV columns: {@code label..., ttfr_ms, agent_ready_ms, cpu_ms, peak_rss_kib, rss_kib, requests_ok, status,
 * cpu_first_ms}.
 */
public final class FirstResponseTimer {
  private static final String CHAT_PATH = "/v1/chat/completions";
  private static final byte[] CHAT_BODY = "{\"model\":\"bench\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":1}"
      .getBytes(StandardCharsets.US_ASCII);

  private FirstResponseTimer() {
  }

  public static void main(String[] args) throws Exception {
    String label = "";
    String healthPath = null;
    int requests = 50;
    long timeoutMs = 60_000;
    long healthCapMs = 10_000;
    long healthPollMs = 5;
    long clkTck = 100;
    File log = null;
    Map<String, String> env = new LinkedHashMap<>();
    List<String> command = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--")) {
        for (int j = i + 1; j < args.length; j++) {
          command.add(args[j]);
        }
        break;
      }
      String v = args[++i];
      switch (a) {
        case "--label" :
          label = v;
          break;
        case "--health" :
          healthPath = v;
          break;
        case "--requests" :
          requests = Integer.parseInt(v);
          break;
        case "--timeout-ms" :
          timeoutMs = Long.parseLong(v);
          break;
        case "--health-cap-ms" :
          healthCapMs = Long.parseLong(v);
          break;
        case "--health-poll-ms" :
          healthPollMs = Long.parseLong(v);
          break;
        case "--clk-tck" :
          clkTck = Long.parseLong(v);
          break;
        case "--log" :
          log = new File(v);
          break;
        case "--env" : {
          int eq = v.indexOf('=');
          env.put(v.substring(0, eq), v.substring(eq + 1));
          break;
        }
        default :
          throw new IllegalArgumentException("unknown option " + a);
      }
    }
    if (command.isEmpty()) {
      throw new IllegalArgumentException("usage: FirstResponseTimer [options] -- command...");
    }

    int port = freePort();
    int systemPort = freePort();
    List<String> cmd = new ArrayList<>();
    for (String c : command) {
      cmd.add(fill(c, port, systemPort));
    }
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> childEnv = pb.environment();
    childEnv.keySet().removeIf(k -> k.startsWith("DYN_") || k.startsWith("OTEL_") || k.equals("JAVA_TOOL_OPTIONS")
        || k.equals("JDK_JAVA_OPTIONS") || k.equals("_JAVA_OPTIONS"));
    for (Map.Entry<String, String> e : env.entrySet()) {
      childEnv.put(e.getKey(), fill(e.getValue(), port, systemPort));
    }
    pb.redirectErrorStream(true);
    pb.redirectOutput(log != null ? ProcessBuilder.Redirect.to(log) : ProcessBuilder.Redirect.DISCARD);
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));

    Double ttfrMs = null;
    Double readyMs = null;
    long cpuMs = -1;
    long cpuFirstMs = -1;
    long hwmKib = -1;
    long rssKib = -1;
    int ok = 0;
    String status = "ok";

    long t0 = System.nanoTime();
    Process child = pb.start();
    Thread killer = new Thread(child::destroyForcibly);
    Runtime.getRuntime().addShutdownHook(killer);
    try {
      long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
      while (true) {
        int code = chat(port);
        if (code == 200) {
          ttfrMs = (System.nanoTime() - t0) / 1e6;
          long[] first = procCpuTicks(child.pid());
          cpuFirstMs = (first[0] + first[1]) * 1000 / clkTck;
          break;
        }
        if (!child.isAlive()) {
          throw new IllegalStateException("exited with " + child.exitValue() + " before answering");
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("no 200 within " + timeoutMs + " ms");
        }
        LockSupport.parkNanos(1_000_000);
      }
      if (healthPath != null) {
        long cap = t0 + TimeUnit.MILLISECONDS.toNanos(healthCapMs);
        while (true) {
          if (get(systemPort, healthPath) == 200) {
            readyMs = (System.nanoTime() - t0) / 1e6;
            break;
          }
          if (System.nanoTime() > cap) {
            status = "agent not ready within " + healthCapMs + " ms";
            break;
          }
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(healthPollMs));
        }
      }
      for (int i = 0; i < requests; i++) {
        if (chat(port) == 200) {
          ok++;
        }
      }
      long pid = child.pid();
      Map<String, Long> st = procStatus(pid);
      long[] cpu = procCpuTicks(pid);
      hwmKib = st.getOrDefault("VmHWM", -1L);
      rssKib = st.getOrDefault("VmRSS", -1L);
      cpuMs = (cpu[0] + cpu[1]) * 1000 / clkTck;
    } catch (Exception e) {
      status = e.getClass().getSimpleName() + ": " + e.getMessage();
    } finally {
      child.destroy();
      if (!child.waitFor(3, TimeUnit.SECONDS)) {
        child.destroyForcibly();
        child.waitFor(10, TimeUnit.SECONDS);
      }
      try {
        Runtime.getRuntime().removeShutdownHook(killer);
      } catch (IllegalStateException shuttingDown) {
        // the hook is already running; it kills the child anyway
      }
    }
    StringBuilder line = new StringBuilder(label);
    line.append(',').append(ttfrMs == null ? "" : String.format(Locale.ROOT, "%.1f", ttfrMs));
    line.append(',').append(readyMs == null ? "" : String.format(Locale.ROOT, "%.1f", readyMs));
    line.append(',').append(cpuMs < 0 ? "" : Long.toString(cpuMs));
    line.append(',').append(hwmKib < 0 ? "" : Long.toString(hwmKib));
    line.append(',').append(rssKib < 0 ? "" : Long.toString(rssKib));
    line.append(',').append(ok);
    line.append(',').append(status.replace(',', ';').replace('\n', ' '));
    line.append(',').append(cpuFirstMs < 0 ? "" : Long.toString(cpuFirstMs));
    System.out.println(line);
  }

  private static String fill(String s, int port, int systemPort) {
    return s.replace("{port}", Integer.toString(port)).replace("{systemPort}", Integer.toString(systemPort));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static int chat(int port) throws IOException {
    String head = "POST " + CHAT_PATH + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
        + "\r\nContent-Type: application/json\r\nContent-Length: " + CHAT_BODY.length
        + "\r\nConnection: close\r\n\r\n";
    return exchange(port, head, CHAT_BODY);
  }

  private static int get(int port, String path) throws IOException {
    return exchange(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n",
        new byte[0]);
  }

  /** One request on a fresh connection; -1 when nothing listens yet. Reads the response to EOF. */
  private static int exchange(int port, String head, byte[] body) throws IOException {
    try (Socket s = new Socket()) {
      s.setTcpNoDelay(true);
      s.setSoTimeout(30_000);
      try {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
      } catch (ConnectException notYet) {
        return -1;
      }
      byte[] h = head.getBytes(StandardCharsets.US_ASCII);
      byte[] req = new byte[h.length + body.length];
      System.arraycopy(h, 0, req, 0, h.length);
      System.arraycopy(body, 0, req, h.length, body.length);
      OutputStream out = s.getOutputStream();
      out.write(req);
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream resp = new ByteArrayOutputStream(512);
      try {
        readResponse(in, resp);
      } catch (IOException reset) {
        // a server that resets after answering still answered; judge by what arrived
      }
      String text = resp.toString(StandardCharsets.US_ASCII);
      if (!text.startsWith("HTTP/1.")) {
        return 0;
      }
      int sp = text.indexOf(' ');
      return Integer.parseInt(text.substring(sp + 1, sp + 4));
    }
  }

  /**
   * Reads one response: to its Content-Length when it has one (Helidon answers {@code Connection: close} without
   * closing), else to the end of the stream.
   */
  private static void readResponse(InputStream in, ByteArrayOutputStream resp) throws IOException {
    byte[] buf = new byte[4096];
    int headEnd = -1;
    long length = -1;
    for (int n; (n = in.read(buf)) > 0;) {
      resp.write(buf, 0, n);
      if (headEnd < 0) {
        String text = resp.toString(StandardCharsets.US_ASCII);
        headEnd = text.indexOf("\r\n\r\n");
        if (headEnd >= 0) {
          for (String line : text.substring(0, headEnd).split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
              length = Long.parseLong(line.substring(15).trim());
            }
          }
        }
      }
      if (headEnd >= 0 && length >= 0 && resp.size() >= headEnd + 4 + length) {
        return;
      }
    }
  }

  private static Map<String, Long> procStatus(long pid) throws IOException {
    Map<String, Long> m = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmHWM:") || line.startsWith("VmRSS:")) {
        String[] parts = line.split("\\s+");
        m.put(parts[0].substring(0, parts[0].length() - 1), Long.parseLong(parts[1]));
      }
    }
    return m;
  }

  /** utime and stime in clock ticks: fields 14 and 15 of /proc/PID/stat (counted after the command name). */
  private static long[] procCpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return new long[]{Long.parseLong(f[11]), Long.parseLong(f[12])};
  }
}
