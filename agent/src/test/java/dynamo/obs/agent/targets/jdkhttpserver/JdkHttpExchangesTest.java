package dynamo.obs.agent.targets.jdkhttpserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.URI;
import org.junit.jupiter.api.Test;

class JdkHttpExchangesTest {
  @Test
  void thePathIsDecodedAsTheServerMatchesItAndOnlyCopiedWhenEscaped() {
    URI plain = URI.create("/v1/chat/completions?x=%20");
    assertEquals("/v1/chat/completions", JdkHttpExchanges.path(plain));
    assertSame(plain.getRawPath(), JdkHttpExchanges.path(plain), "no escape: the raw path as it is");
    assertEquals("/v1/chat completions", JdkHttpExchanges.path(URI.create("/v1/chat%20completions")));
    assertEquals("/v1/a/b", JdkHttpExchanges.path(URI.create("http://127.0.0.1:8000/v1/a%2Fb")));
    assertNull(JdkHttpExchanges.path(null));
    assertNull(JdkHttpExchanges.path(URI.create("mailto:a@b")), "opaque: no path, as getPath() says");
  }
}
