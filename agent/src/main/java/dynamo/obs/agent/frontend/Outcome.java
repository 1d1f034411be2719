package dynamo.obs.agent.frontend;

/** Dynamo's request outcome labels ({@code status}, {@code error_type}) from an HTTP outcome. */
public enum Outcome {
  SUCCESS("success", ""),
  VALIDATION("error", "validation"),
  NOT_FOUND("error", "not_found"),
  OVERLOAD("error", "overload"),
  NOT_IMPLEMENTED("error", "not_implemented"),
  RESPONSE_TIMEOUT("error", "response_timeout"),
  CANCELLED("error", "cancelled"),
  INTERNAL("error", "internal");

  public final String status;
  public final String errorType;

  Outcome(String status, String errorType) {
    this.status = status;
    this.errorType = errorType;
  }

  /**
   * SPEC §4: 2xx success; 400, 422 validation; 404 not_found; 429, 503, 529 overload; 501
   * not_implemented; 504 response_timeout; other 5xx internal. Other 4xx are the client's
   * mistakes too and count as validation.
   */
  public static Outcome ofStatus(int code) {
    if (code >= 200 && code < 400) {
      return SUCCESS;
    }
    switch (code) {
      case 404:
        return NOT_FOUND;
      case 429:
      case 503:
      case 529:
        return OVERLOAD;
      case 501:
        return NOT_IMPLEMENTED;
      case 504:
        return RESPONSE_TIMEOUT;
      default:
        return code >= 400 && code < 500 ? VALIDATION : INTERNAL;
    }
  }
}
