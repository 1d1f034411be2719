package dynamo.obs.agent.metrics;

import dynamo.obs.agent.log.AgentLog;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The series of each {@code model} label value, resolved once and reused, with the cardinality cap
 * of {@code DYN_OBS_MAX_MODELS}: models beyond it share {@code model="__overflow__"}, each refusal
 * is counted and the first is logged.
 */
public final class ModelSeriesCache<S> {
  public static final String OVERFLOW_MODEL = "__overflow__";
  private static final AgentLog LOG = AgentLog.forTarget("dynamo_obs.metrics");

  private final int maxModels;
  private final Runnable refused;
  private final Function<String, S> create;
  private final ConcurrentHashMap<String, S> models = new ConcurrentHashMap<>();

  public ModelSeriesCache(int maxModels, Runnable refused, Function<String, S> create) {
    this.maxModels = maxModels;
    this.refused = refused;
    this.create = create;
  }

  /** The series of a model, lower-cased as Dynamo labels it. */
  public S get(String rawModel) {
    String model = rawModel.toLowerCase(Locale.ROOT);
    S s = models.get(model);
    if (s != null) {
      return s;
    }
    if (models.size() >= maxModels) {
      refused.run();
      LOG.once(AgentLog.Level.WARN, "model-cap", "more than " + maxModels + " distinct models seen; further models"
          + " are counted under model=\"" + OVERFLOW_MODEL + "\" (raise DYN_OBS_MAX_MODELS to change the cap)");
      return models.computeIfAbsent(OVERFLOW_MODEL, create);
    }
    return models.computeIfAbsent(model, create);
  }
}
