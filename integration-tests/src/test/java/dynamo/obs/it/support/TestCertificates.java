package dynamo.obs.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A certificate authority of the test's own and the server and client certificates it signs, made with the
 * JDK's keytool in a temporary directory (EC P-256, valid two days): the CA certificate, each party's
 * certificate and PKCS#8 private key as PEM files (what OTEL_EXPORTER_OTLP_CERTIFICATE, _CLIENT_KEY and
 * _CLIENT_CERTIFICATE name), and each party's PKCS12 key store. The server's certificate names
 * {@code localhost} and {@code 127.0.0.1}.
 */
public final class TestCertificates {
  private static final String PASSWORD = "test-pass";
  private static TestCertificates made;

  private final Path dir;

  private TestCertificates(Path dir) {
    this.dir = dir;
  }

  /** One set per test JVM (keytool is a JVM start per step). */
  public static synchronized TestCertificates get() {
    if (made == null) {
      try {
        Path dir = Files.createTempDirectory("dynamo-obs-tls");
        TestCertificates c = new TestCertificates(dir);
        c.make();
        made = c;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return made;
  }

  private void make() throws IOException {
    keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
        "CN=dynamo-obs test CA",
        "-ext", "bc:c", "-validity", "2", "-keystore", store("ca"), "-storetype", "PKCS12");
    keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", store("ca"), "-file", dir.resolve("ca.pem").toString());
    party("server", "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1", "EKU=serverAuth");
    party("client", "CN=dynamo-obs test client", null, "EKU=clientAuth");
  }

  /** A key pair of its own, its certificate signed by the CA, both exported as PEM. */
  private void party(String name, String dname, String san, String eku) throws IOException {
    keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", dname,
        "-validity", "2", "-keystore", store(name), "-storetype", "PKCS12");
    Path csr = dir.resolve(name + ".csr");
    keytool("-certreq", "-alias", name, "-keystore", store(name), "-file", csr.toString());
    List<String> sign = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca", "-keystore", store("ca"),
        "-infile", csr.toString(), "-outfile", dir.resolve(name + ".pem").toString(), "-validity", "2", "-ext", eku));
    if (san != null) {
      sign.add("-ext");
      sign.add(san);
    }
    keytool(sign.toArray(new String[0]));
    keytool("-importcert", "-noprompt", "-alias", "ca", "-keystore", store(name), "-file", caPem().toString());
    keytool("-importcert", "-alias", name, "-keystore", store(name), "-file", dir.resolve(name + ".pem").toString());
    try (InputStream in = Files.newInputStream(Path.of(store(name)))) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, PASSWORD.toCharArray());
      byte[] pkcs8 = ks.getKey(name, PASSWORD.toCharArray()).getEncoded();
      String pem = "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pkcs8)
          + "\n-----END PRIVATE KEY-----\n";
      Files.writeString(dir.resolve(name + "-key.pem"), pem);
    } catch (Exception e) {
      throw new IOException("cannot read the key of " + name, e);
    }
  }

  private String store(String name) {
    return dir.resolve(name + ".p12").toString();
  }

  private void keytool(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("-storepass", PASSWORD, "-keypass", PASSWORD));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  public Path caPem() {
    return dir.resolve("ca.pem");
  }

  public Path serverCertificatePem() {
    return dir.resolve("server.pem");
  }

  public Path serverKeyPem() {
    return dir.resolve("server-key.pem");
  }

  public Path clientCertificatePem() {
    return dir.resolve("client.pem");
  }

  public Path clientKeyPem() {
    return dir.resolve("client-key.pem");
  }

  /** The server's TLS context: its key and certificate; client certificates are checked against the CA. */
  public SSLContext serverContext() {
    try (InputStream in = Files.newInputStream(Path.of(store("server")))) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, PASSWORD.toCharArray());
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(ks, PASSWORD.toCharArray());
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      trusted.setCertificateEntry("ca", ks.getCertificate("ca"));
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException("cannot build the server's TLS context", e);
    }
  }
}
