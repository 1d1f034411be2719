package dynamo.obs.it.support;

/** Reading the frontend series of one application's real {@code /metrics} text. */
public final class FrontendSeries {
  private FrontendSeries() {
  }

  /** The value of one exact series line in an exposition, or null when absent. */
  public static Double value(String metrics, String series) {
    for (String line : metrics.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return null;
  }

  public static String requests(String model, String endpoint, String type, String status, String errorType) {
    return "dynamo_frontend_requests_total{endpoint=\"" + endpoint + "\",error_type=\"" + errorType + "\",model=\""
        + model + "\",request_type=\"" + type + "\",status=\"" + status + "\"}";
  }

  /**
   * Polls until every series has its value: a request's series are written by the application's
   * threads and read by the scrape's, and a request ends after its response, so one exposition may
   * show some of them before the others.
   */
  public static String await(SystemServer system, AgentProcess app, Object... seriesAndValues) {
    StringBuilder what = new StringBuilder();
    for (int i = 0; i < seriesAndValues.length; i += 2) {
      what.append(seriesAndValues[i]).append(" = ").append(seriesAndValues[i + 1]).append("; ");
    }
    return Poll.until(what.toString(), system::metrics, t -> {
      for (int i = 0; i < seriesAndValues.length; i += 2) {
        Double expected = ((Number) seriesAndValues[i + 1]).doubleValue();
        if (!expected.equals(value(t, (String) seriesAndValues[i]))) {
          return false;
        }
      }
      return true;
    }, app);
  }

  /**
   * Polls until {@code series} is at least {@code min}, for a series other requests of the same
   * process count too: an exposition reads its families one after another, so the scrape whose
   * request counters show a request ended may have read this one just before.
   */
  public static String awaitAtLeast(SystemServer system, AgentProcess app, String series, double min) {
    return Poll.until(series + " >= " + min, system::metrics, t -> {
      Double v = value(t, series);
      return v != null && v >= min;
    }, app);
  }
}
