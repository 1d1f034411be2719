package dynamo.obs.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** Expected values are Dynamo's documented bucket boundaries (reference §3.2). */
class LogBucketsTest {
  @Test
  void requestDuration() {
    assertArrayEquals(new double[]{0, 2, 4, 8, 16, 32, 64, 130, 260, 510}, LogBuckets.generate(1, 512, 10));
  }

  @Test
  void timeToFirstToken() {
    assertArrayEquals(new double[]{0, 0.0022, 0.0047, 0.01, 0.022, 0.047, 0.1, 0.22, 0.47, 1, 2.2, 4.7, 10, 22, 48,
        100, 220, 480}, LogBuckets.generate(0.001, 480, 18));
  }

  @Test
  void interTokenLatency() {
    assertArrayEquals(new double[]{0, 0.0019, 0.0035, 0.0067, 0.013, 0.024, 0.045, 0.084, 0.16, 0.3, 0.56, 1.1, 2},
        LogBuckets.generate(0.001, 2, 13));
  }

  @Test
  void inputSequence() {
    assertArrayEquals(new double[]{0, 100, 210, 430, 870, 1800, 3600, 7400, 15000, 31000, 63000, 130000},
        LogBuckets.generate(50, 128000, 12));
  }

  @Test
  void outputSequence() {
    assertArrayEquals(new double[]{0, 100, 210, 430, 880, 1800, 3700, 7600, 16000, 32000},
        LogBuckets.generate(50, 32000, 10));
  }

  @Test
  void kvTransferLatency() {
    assertArrayEquals(new double[]{0, 0.0019, 0.0037, 0.0072, 0.014, 0.027, 0.052, 0.1, 0.19, 0.37, 0.72, 1.4, 2.7,
        5.2, 10}, LogBuckets.generate(0.001, 10, 15));
  }

  @Test
  void degenerateCounts() {
    assertArrayEquals(new double[0], LogBuckets.generate(1, 2, 0));
    assertArrayEquals(new double[]{0}, LogBuckets.generate(1, 2, 1));
  }
}
