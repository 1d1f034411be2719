package dynamo.obs.agent.metrics;

import dynamo.obs.agent.console.AgentLog;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The series of each {@code model} label value, resolved once and reused, with the cardinality cap
 * of {@code DYN_OBS_MAX_MODELS}: models beyond it share {@code model="__overflow__"}, each refusal
 * is counted and the first is logged. A model is labelled as the request spells it (upstream keeps the
 * request's casing since May 2026: {@code Qwen/Qwen3-0.6B} and {@code qwen/qwen3-0.6b} are two models).
 */
public final class ModelSeriesCache<S> {
  public static final String OVERFLOW_MODEL = "__overflow__";
  private static final AgentLog LOG = AgentLog.forTarget("dynamo_obs.metrics");

  private final int maxModels;
  private final Runnable refused;
  private final Function<String, S> create;
  private final ConcurrentHashMap<String, S> models = new ConcurrentHashMap<>();
  /**
   * Models by a hash of their bytes: a request whose model was seen before finds its series without
   * a String. Entries are immutable, so a race only costs a miss; a collision replaces the older entry.
   */
  @SuppressWarnings("unchecked")
  private final Raw<S>[] raw = new Raw[256];

  private static final class Raw<S> {
    final byte[] bytes;
    final S series;

    Raw(byte[] bytes, S series) {
      this.bytes = bytes;
      this.series = series;
    }
  }

  public ModelSeriesCache(int maxModels, Runnable refused, Function<String, S> create) {
    this.maxModels = maxModels;
    this.refused = refused;
    this.create = create;
  }

  /**
   * The series of a model spelled as these UTF-8 bytes, if {@link #get} resolved it before (and it
   * was not refused by the cap); else null. Allocates nothing.
   */
  public S cached(byte[] b, int len) {
    Raw<S> r = raw[hash(b, 0, len) & (raw.length - 1)];
    return r != null && r.bytes.length == len && Arrays.equals(r.bytes, 0, len, b, 0, len) ? r.series : null;
  }

  private static int hash(byte[] b, int off, int len) {
    int h = 1;
    for (int i = off; i < off + len; i++) {
      h = 31 * h + b[i];
    }
    return h ^ (h >>> 16);
  }

  /** Keeps an ASCII spelling for {@link #cached}; allocates only when it is not kept already. */
  private void remember(String model, S series) {
    int h = 1;
    int len = model.length();
    for (int i = 0; i < len; i++) {
      char c = model.charAt(i);
      if (c >= 0x80) {
        return; // only ASCII spellings: their chars are their bytes
      }
      h = 31 * h + c;
    }
    int slot = (h ^ (h >>> 16)) & (raw.length - 1);
    Raw<S> r = raw[slot];
    if (r != null && r.series == series && r.bytes.length == len && sameChars(r.bytes, model)) {
      return;
    }
    raw[slot] = new Raw<>(model.getBytes(StandardCharsets.ISO_8859_1), series);
  }

  private static boolean sameChars(byte[] b, String s) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** The series of a model if it has one already (refusals by the cap have none); creates nothing. */
  public S find(String model) {
    return models.get(model);
  }

  /** The series of a model, created on first use within the cap. */
  public S get(String model) {
    S s = models.get(model);
    if (s != null) {
      remember(model, s);
      return s;
    }
    if (models.size() >= maxModels) {
      refused.run();
      LOG.once(AgentLog.Level.WARN, "model-cap", "more than " + maxModels + " distinct models seen; further models"
          + " are counted under model=\"" + OVERFLOW_MODEL + "\" (raise DYN_OBS_MAX_MODELS to change the cap)");
      return models.computeIfAbsent(OVERFLOW_MODEL, create);
    }
    s = models.computeIfAbsent(model, create);
    remember(model, s);
    return s;
  }
}
