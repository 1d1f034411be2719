package dynamo.obs.agent.http;

import dynamo.obs.agent.console.AgentLog;
import dynamo.obs.agent.weaving.InstrumentationModule;
import dynamo.obs.agent.weaving.InstrumentationModule.Supported;
import dynamo.obs.agent.weaving.Instrumentations;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.net.URI;
import java.net.URL;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which HTTP stacks an application has, in which versions, against what the modules support
 * ({@link InstrumentationModule#supports}): said once at run time when no supported server listens a few seconds
 * after start or a version is not supported, and by {@code doctor} from a class path.
 */
public final class HttpStacks {
  private static final AgentLog LOG = AgentLog.forTarget("dynamo_obs");
  /** How long after start the application has to start listening before the agent says it saw no server. */
  public static final long CHECK_AFTER_SECONDS = 10;
  /** When a supported stack is loaded but not listening after the first check: how long it has to start in all. */
  static final long CHECK_AGAIN_AFTER_SECONDS = 60;
  /** HTTP servers the agent knows it does not instrument: named when found, so a user sees why. */
  private static final Map<String, String> UNSUPPORTED = new LinkedHashMap<>();

  static {
    UNSUPPORTED.put("org.glassfish.grizzly.http.server.HttpServer", "Grizzly");
    UNSUPPORTED.put("org.jboss.netty.bootstrap.ServerBootstrap", "Netty 3");
    UNSUPPORTED.put("io.netty5.bootstrap.ServerBootstrap", "Netty 5");
    UNSUPPORTED.put("com.linecorp.armeria.server.Server", "Armeria");
    UNSUPPORTED.put("io.ktor.server.engine.ApplicationEngine", "Ktor");
    UNSUPPORTED.put("akka.http.scaladsl.HttpExt", "Akka HTTP");
    UNSUPPORTED.put("org.apache.pekko.http.scaladsl.HttpExt", "Pekko HTTP");
    UNSUPPORTED.put("org.apache.hc.core5.http.impl.bootstrap.HttpServer", "Apache HttpCore 5 server");
  }

  /** A stack found: its name, version (null when unknown), where its marker class comes from, and whether the agent supports that version. */
  public record Found(String stack, String version, String where, boolean supported) {
    @Override
    public String toString() {
      return stack + (version == null ? "" : " " + version) + (where == null ? "" : " (" + where + ")");
    }
  }

  private HttpStacks() {
  }

  /** Every stack the modules support, with its versions, once per stack name and range. */
  public static List<String> supported() {
    Map<String, Set<String>> byStack = new LinkedHashMap<>();
    for (InstrumentationModule m : Instrumentations.all()) {
      for (Supported s : m.supports()) {
        byStack.computeIfAbsent(s.stack(), k -> new LinkedHashSet<>()).add(s.versions());
      }
    }
    List<String> list = new ArrayList<>();
    byStack.forEach((stack, versions) -> list.add(stack + " " + String.join(", ", versions)));
    return list;
  }

  /** The stacks among the classes the JVM has loaded. */
  public static List<Found> loaded(Instrumentation inst) {
    Map<String, Class<?>> markers = new LinkedHashMap<>();
    Set<String> wanted = markerNames();
    for (Class<?> c : inst.getAllLoadedClasses()) {
      if (wanted.contains(c.getName())) {
        markers.putIfAbsent(c.getName(), c);
      }
    }
    return found(name -> {
      Class<?> c = markers.get(name);
      if (c == null) {
        return null;
      }
      CodeSource source = c.getProtectionDomain() == null ? null : c.getProtectionDomain().getCodeSource();
      return source == null || source.getLocation() == null ? "" : source.getLocation().toString();
    });
  }

  /** The stacks on a class path ({@code doctor}): what the application would load. */
  public static List<Found> onClassPath(ClassLoader loader) {
    return found(name -> {
      URL url = loader.getResource(name.replace('.', '/') + ".class");
      if (url == null || url.getProtocol().equals("jrt")) {
        return null; // the JDK's own server is there in every JDK: only libraries count here
      }
      String s = url.toString();
      return s.startsWith("jar:") ? s.substring(4, s.indexOf("!/")) : s;
    });
  }

  private interface Locator {
    /** Where the class of this name comes from (a URL), "" when it is there but its origin is unknown, or null. */
    String locate(String className);
  }

  private static Set<String> markerNames() {
    Set<String> names = new LinkedHashSet<>(UNSUPPORTED.keySet());
    for (InstrumentationModule m : Instrumentations.all()) {
      for (Supported s : m.supports()) {
        names.add(s.marker());
      }
    }
    return names;
  }

  private static List<Found> found(Locator locator) {
    Map<String, Found> found = new LinkedHashMap<>(); // by stack name: a stack is told once
    for (InstrumentationModule m : Instrumentations.all()) {
      for (Supported s : m.supports()) {
        String where = locator.locate(s.marker());
        if (where == null) {
          continue;
        }
        String version = s.from() == null ? null : version(where);
        boolean ok = version == null || within(version, s.from(), s.before());
        Found previous = found.get(s.stack());
        if (previous == null || !previous.supported() && ok) {
          found.put(s.stack(), new Found(s.stack(), version, jarName(where), ok));
        }
      }
    }
    UNSUPPORTED.forEach((marker, stack) -> {
      String where = locator.locate(marker);
      if (where != null) {
        found.putIfAbsent(stack, new Found(stack, version(where), jarName(where), false));
      }
    });
    return new ArrayList<>(found.values());
  }

  /**
   * The one warning for what was found, or null: versions the agent does not support, and — when {@code
   * expectServer} (a frontend: no worker or router methods) and none of the supported servers was seen listening —
   * that none was, with what was found and what is supported.
   */
  public static String problem(List<Found> found, boolean serverSeen, boolean expectServer, String when) {
    List<String> unsupported = new ArrayList<>();
    for (Found f : found) {
      if (!f.supported()) {
        unsupported.add(f.toString());
      }
    }
    boolean noServer = expectServer && !serverSeen;
    if (unsupported.isEmpty() && !noServer) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    if (noServer) {
      sb.append("no HTTP server the agent supports has started listening ").append(when).append("; found: ")
          .append(found.isEmpty() ? "no HTTP server classes" : join(found)).append(". ");
    } else {
      sb.append("found ").append(String.join(", ", unsupported)).append(", which the agent does not support. ");
    }
    sb.append("Supported: ").append(String.join("; ", supported())).append(". Without one, /health lists no"
        + " endpoint until a request of an OpenAI route is seen, and the requests of other servers are not counted"
        + " (java -jar dynamo-obs.jar instrumentations)");
    return sb.toString();
  }

  private static String join(List<Found> found) {
    List<String> names = new ArrayList<>();
    for (Found f : found) {
      names.add(f + (f.supported() ? "" : ", not supported"));
    }
    return String.join("; ", names);
  }

  /**
   * At run time: {@link #CHECK_AFTER_SECONDS} after start, on a daemon thread, one WARN when no supported server
   * listens (in a frontend) or a version is not supported.
   */
  public static void checkLater(Instrumentation inst, ServedRoutes routes, boolean frontendProcess, long startNanos) {
    Thread t = new Thread(() -> {
      try {
        long wait = startNanos + TimeUnit.SECONDS.toNanos(CHECK_AFTER_SECONDS) - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        long after = CHECK_AFTER_SECONDS;
        List<Found> found = loaded(inst);
        if (routes.stacksSeen().isEmpty() && found.stream().anyMatch(Found::supported)
            && problem(found, true, frontendProcess, "") == null) {
          // a supported stack is loaded and not listening yet: still starting (a large application, or beside another
          // agent, on a busy node), which is no misconfiguration; asked again later before anything is said
          after = CHECK_AGAIN_AFTER_SECONDS;
          TimeUnit.SECONDS.sleep(CHECK_AGAIN_AFTER_SECONDS - CHECK_AFTER_SECONDS);
          found = loaded(inst);
        }
        String problem = problem(found, !routes.stacksSeen().isEmpty(), frontendProcess,
            "in the " + after + " s since start");
        if (problem != null) {
          LOG.warn(problem);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        LOG.debug("the check of the application's HTTP stacks failed: " + e);
      }
    }, "dynamo-obs-stack-check");
    t.setDaemon(true);
    t.start();
  }

  /** Whether {@code version} is within {@code [from, before)} by its leading numbers. */
  static boolean within(String version, String from, String before) {
    return compare(version, from) >= 0 && (before == null || compare(version, before) < 0);
  }

  private static int compare(String a, String b) {
    int[] x = numbers(a);
    int[] y = numbers(b);
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int p = i < x.length ? x[i] : 0;
      int q = i < y.length ? y[i] : 0;
      if (p != q) {
        return Integer.compare(p, q);
      }
    }
    return 0;
  }

  private static int[] numbers(String version) {
    Matcher m = Pattern.compile("^(\\d+(?:\\.\\d+)*)").matcher(version);
    if (!m.find()) {
      return new int[0];
    }
    String[] parts = m.group(1).split("\\.");
    int[] n = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        n[i] = Integer.parseInt(parts[i]);
      } catch (NumberFormatException e) {
        n[i] = Integer.MAX_VALUE; // absurdly long: compare as large
      }
    }
    return n;
  }

  /** A library's version from its jar: Maven's pom.properties, else the manifest, else the file name. */
  static String version(String location) {
    File jar = jarFile(location);
    if (jar == null || !jar.isFile()) {
      return null;
    }
    try (JarFile j = new JarFile(jar, false)) {
      for (Enumeration<JarEntry> e = j.entries(); e.hasMoreElements();) {
        JarEntry entry = e.nextElement();
        if (entry.getName().startsWith("META-INF/maven/") && entry.getName().endsWith("/pom.properties")) {
          Properties p = new Properties();
          try (InputStream in = j.getInputStream(entry)) {
            p.load(in);
          }
          if (p.getProperty("version") != null) {
            return p.getProperty("version");
          }
        }
      }
      if (j.getManifest() != null) {
        String v = j.getManifest().getMainAttributes().getValue("Implementation-Version");
        if (v == null) {
          v = j.getManifest().getMainAttributes().getValue("Bundle-Version");
        }
        if (v != null && Character.isDigit(v.charAt(0))) {
          return v;
        }
      }
    } catch (IOException | RuntimeException e) {
      // unreadable: the file name is all there is
    }
    Matcher m = Pattern.compile("-(\\d+(?:\\.\\d+)+[^/]*)\\.jar$").matcher(jar.getName());
    return m.find() ? m.group(1) : null;
  }

  private static File jarFile(String location) {
    if (location == null || !location.endsWith(".jar")) {
      return null;
    }
    try {
      return new File(URI.create(location));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String jarName(String location) {
    File jar = jarFile(location);
    return jar == null ? null : jar.getName();
  }
}
