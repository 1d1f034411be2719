package dynamo.obs.agent.config;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * The PEM files of OTLP's TLS settings, read and checked once at start, so that a file the exporter
 * could not use is one warning at start rather than exports that fail forever: certificates (X.509,
 * one or more) and a private key (PKCS#8, {@code BEGIN PRIVATE KEY}: RSA, EC or EdDSA), as the
 * OpenTelemetry SDK takes them.
 */
final class PemFiles {
  private static final String KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final String KEY_END = "-----END PRIVATE KEY-----";
  private static final long MAX_BYTES = 1 << 20;

  private PemFiles() {
  }

  /** The file's bytes; throws with a reason a warning can print. */
  static byte[] read(String path) throws Exception {
    Path p = Path.of(path.trim());
    if (!Files.isRegularFile(p)) {
      throw new IllegalArgumentException("no such file");
    }
    if (Files.size(p) > MAX_BYTES) {
      throw new IllegalArgumentException("larger than 1 MiB");
    }
    return Files.readAllBytes(p);
  }

  /** PEM bytes holding at least one X.509 certificate; throws otherwise. */
  static void checkCertificates(byte[] pem) throws Exception {
    if (CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem)).isEmpty()) {
      throw new IllegalArgumentException("no certificate in it");
    }
  }

  /** PEM bytes holding a PKCS#8 private key of a kind the JDK reads; throws otherwise. */
  static void checkPrivateKey(byte[] pem) throws Exception {
    String text = new String(pem, StandardCharsets.US_ASCII);
    int begin = text.indexOf(KEY_BEGIN);
    int end = text.indexOf(KEY_END);
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException("no " + KEY_BEGIN + " block (a PKCS#8 key; convert others with"
          + " openssl pkcs8 -topk8 -nocrypt)");
    }
    byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + KEY_BEGIN.length(), end));
    for (String algorithm : new String[]{"RSA", "EC", "EdDSA"}) {
      try {
        KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        return;
      } catch (Exception notThisKind) {
        // the next kind
      }
    }
    throw new IllegalArgumentException("not an RSA, EC or EdDSA private key");
  }
}
