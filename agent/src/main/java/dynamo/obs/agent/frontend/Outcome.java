package dynamo.obs.agent.frontend;

/**
 * Dynamo's request outcome labels ({@code status}, {@code error_type}) from an HTTP outcome, as upstream
 * classifies them ({@code lib/llm/src/http/service/openai.rs} {@code classify_error_for_metrics}).
 */
public enum Outcome {
  SUCCESS("success", ""), VALIDATION("error", "validation"), NOT_FOUND("error", "not_found"), OVERLOAD("error",
      "overload"), UNAVAILABLE("error", "unavailable"), NOT_IMPLEMENTED("error", "not_implemented"), RESPONSE_TIMEOUT(
          "error", "response_timeout"), CANCELLED("error", "cancelled"), INTERNAL("error", "internal");

  public final String status;
  public final String errorType;

  Outcome(String status, String errorType) {
    this.status = status;
    this.errorType = errorType;
  }

  /**
   * SPEC §4: 2xx success; 400, 422 validation; 404 not_found; 429, 529 overload; 503 unavailable (no
   * backend can serve it: not a load shed); 501 not_implemented; 504 response_timeout; 499 (nginx's
   * "client closed request") cancelled; other 5xx internal. Other 4xx are the client's mistakes too and
   * count as validation, as upstream counts them.
   */
  public static Outcome ofStatus(int code) {
    if (code >= 200 && code < 400) {
      return SUCCESS;
    }
    switch (code) {
      case 404 :
        return NOT_FOUND;
      case 429 :
      case 529 :
        return OVERLOAD;
      case 503 :
        return UNAVAILABLE;
      case 499 :
        return CANCELLED;
      case 501 :
        return NOT_IMPLEMENTED;
      case 504 :
        return RESPONSE_TIMEOUT;
      default :
        return code >= 400 && code < 500 ? VALIDATION : INTERNAL;
    }
  }
}
