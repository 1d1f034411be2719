package dynamo.obs.agent.targets.methods;

import java.util.Map;
import java.util.Set;

/**
 * LangChain4j 1.x chat models as built-in engine calls: every {@code doChat} of a
 * {@code ChatModel} or {@code StreamingChatModel} implementation (the interfaces' {@code chat}
 * methods all end there), with the streaming response handler reporting tokens. A LangChain4j
 * based worker needs no method list. Switch: {@code DYN_OBS_INSTRUMENTATION_LANGCHAIN4J_ENABLED}.
 */
public final class LangChain4jEngineCalls {
  public static final String NAME = "langchain4j";

  public static final Map<String, Set<String>> WORKER_METHODS = Map.of(
      "dev.langchain4j.model.chat.ChatModel", Set.of("doChat"),
      "dev.langchain4j.model.chat.StreamingChatModel", Set.of("doChat"));

  public static final String DESCRIPTION = "LangChain4j 1.x ChatModel and StreamingChatModel (doChat, with the streaming"
      + " response handler): engine calls without a method list";

  private LangChain4jEngineCalls() {
  }
}
