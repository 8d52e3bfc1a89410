package org.stargan.kafka;

/**
 * The topic names, all under one configurable prefix (default {@code stargan.}) so several deployments can share a
 * cluster. The wire format of each is in {@code docs/protocol.md}.
 *
 * @param prefix prepended to every name
 */
public record Topics(String prefix) {
    /** Validates the prefix (Kafka topic characters only). */
    public Topics {
        if (!prefix.matches("[A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException(
                    "topic prefix: '" + prefix + "', expected letters, digits, '.', '_' or '-'");
        }
    }

    /** The default names. */
    public static Topics defaults() {
        return new Topics("stargan.");
    }

    /** Translation requests, consumed by the inference workers' group. */
    public String translateRequests() {
        return prefix + "translate.requests";
    }

    /** The default reply topic for translation results. */
    public String translateResults() {
        return prefix + "translate.results";
    }

    /** The results topic of one requester ({@code <results>.<instance>}): each gateway instance reads only its own. */
    public String replyTopic(String instance) {
        return translateResults() + "." + instance;
    }

    /** Requests that could not be processed, with the reason. */
    public String deadLetters() {
        return prefix + "translate.dead-letters";
    }

    /** Training jobs, consumed by the trainer workers' group. */
    public String trainRequests() {
        return prefix + "train.requests";
    }

    /** Everything that happens to a training job, in order per job (key = job id). */
    public String trainEvents() {
        return prefix + "train.events";
    }

    /** Commands to running jobs (cancel), read in full by every trainer. */
    public String trainControl() {
        return prefix + "train.control";
    }

    /** The model registry: compacted, key = model name, value = its latest published version. */
    public String models() {
        return prefix + "models";
    }
}
