package dynamo.obs.examples.frontend;

/** The two OpenAI generation endpoints the frontend serves, with what differs between their responses. */
enum Endpoint {
  CHAT_COMPLETIONS("/v1/chat/completions", "chatcmpl-", "chat.completion",
      "chat.completion.chunk"), COMPLETIONS("/v1/completions", "cmpl-", "text_completion", "text_completion");

  final String path;
  final String idPrefix;
  final String responseObject;
  final String chunkObject;

  Endpoint(String path, String idPrefix, String responseObject, String chunkObject) {
    this.path = path;
    this.idPrefix = idPrefix;
    this.responseObject = responseObject;
    this.chunkObject = chunkObject;
  }
}
