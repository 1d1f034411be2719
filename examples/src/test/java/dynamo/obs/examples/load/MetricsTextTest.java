package dynamo.obs.examples.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTextTest {

  private static final String EXPOSITION = """
      # HELP dynamo_frontend_requests_total Total requests.
      # TYPE dynamo_frontend_requests_total counter
      dynamo_frontend_requests_total{endpoint="chat_completions",model="a",request_type="stream",status="success"} 3
      dynamo_frontend_requests_total{endpoint="completions",model="a",request_type="unary",status="success"} 2.0
      dynamo_frontend_requests_total{endpoint="completions",model="b",request_type="unary",status="error"} 1
      # TYPE dynamo_frontend_time_to_first_token_seconds histogram
      dynamo_frontend_time_to_first_token_seconds_bucket{model="a",le="0.1"} 4
      dynamo_frontend_time_to_first_token_seconds_bucket{model="a",le="+Inf"} 5
      dynamo_frontend_time_to_first_token_seconds_sum{model="a"} 0.5
      dynamo_frontend_time_to_first_token_seconds_count{model="a"} 5
      dynamo_frontend_time_to_first_token_seconds_sum{model="b"} 0
      dynamo_frontend_time_to_first_token_seconds_count{model="b"} 0
      dynamo_component_uptime_seconds{worker_id="7f"} 12.5 1700000000000
      edge_values{kind="pos"} +Inf
      edge_values{kind="neg"} -Inf
      odd_labels{path="C:\\\\dir",quote="say \\"hi\\"",nl="a\\nb",} NaN
      jvm_memory_used_bytes{area="heap"} 1.5E7
      jvm_memory_used_bytes{area="nonheap"} 5000000 # {trace_id="abc"} 1.0
      # EOF
      """;

  private final MetricsText metrics = MetricsText.parse(EXPOSITION);

  @Test
  void readsNamesLabelsAndValues() {
    assertEquals(15, metrics.samples().size());
    MetricsText.Sample odd = metrics.samples().get(12);
    assertEquals("odd_labels", odd.name());
    assertEquals(Map.of("path", "C:\\dir", "quote", "say \"hi\"", "nl", "a\nb"), odd.labels());
    assertTrue(Double.isNaN(odd.value()));
    assertEquals(Map.of("kind=\"pos\"", Double.POSITIVE_INFINITY, "kind=\"neg\"", Double.NEGATIVE_INFINITY),
        metrics.sumBy("edge_values", "kind"));
    assertEquals(12.5, metrics.sum("dynamo_component_uptime_seconds"), "a timestamp is not the value");
  }

  @Test
  void sumsAcrossAndWithinGroups() {
    assertEquals(2.0e7, metrics.sum("jvm_memory_used_bytes"));
    assertEquals(Map.of("model=\"a\",status=\"success\"", 5.0, "model=\"b\",status=\"error\"", 1.0),
        metrics.sumBy("dynamo_frontend_requests_total", "model", "status"));
    assertEquals(Map.of("", 6.0), metrics.sumBy("dynamo_frontend_requests_total"));
  }

  @Test
  void averagesHistogramsPerGroupSkippingEmptyOnes() {
    assertEquals(Map.of("model=\"a\"", 0.1), metrics.meanBy("dynamo_frontend_time_to_first_token_seconds", "model"));
  }

  @Test
  void reportsWhichSeriesArePresent() {
    assertTrue(metrics.has("dynamo_frontend_time_to_first_token_seconds_count"));
    assertFalse(metrics.has("dynamo_frontend_time_to_first_token_seconds"));
    assertEquals(0.0, metrics.sum("absent_total"));
  }
}
