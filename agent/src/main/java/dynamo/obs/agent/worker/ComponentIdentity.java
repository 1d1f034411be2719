package dynamo.obs.agent.worker;

/** This process's identity in Dynamo's component labels. */
public record ComponentIdentity(String namespace, String component, String endpoint, String workerId, String routerId) {
}
