package org.stargan.ckpt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a checkpoint says about its model besides the weights: the domain names in label order, which domains are
 * mutually exclusive (the hair colours), the image size, dataset, iteration and training configuration. Official
 * PyTorch checkpoints carry none of this ({@link #unknown()}).
 *
 * @param domains domain names, one per entry of c
 * @param exclusiveGroups groups of domain names of which at most one is 1 (setting one clears the others)
 * @param imageSize image side the model was trained at; 0 when unknown
 * @param dataset dataset name, e.g. {@code celeba}; empty when unknown
 * @param iteration training iterations done
 * @param trainConfig the training configuration as JSON; empty when unknown
 */
public record ModelInfo(
        List<String> domains,
        List<List<String>> exclusiveGroups,
        int imageSize,
        String dataset,
        long iteration,
        String trainConfig) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "stargan.";

    /** Validates that groups name known domains. */
    public ModelInfo {
        domains = List.copyOf(domains);
        exclusiveGroups = exclusiveGroups.stream().map(List::copyOf).toList();
        for (List<String> g : exclusiveGroups) {
            for (String d : g) {
                if (!domains.contains(d)) {
                    throw new IllegalArgumentException(
                            "exclusive group " + g + " names '" + d + "', which is not a domain of " + domains);
                }
            }
        }
    }

    /** Nothing known (an official checkpoint). */
    public static ModelInfo unknown() {
        return new ModelInfo(List.of(), List.of(), 0, "", 0, "");
    }

    /** The metadata entries of a safetensors header. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            m.put(PREFIX + "domains", JSON.writeValueAsString(domains));
            m.put(PREFIX + "exclusive_groups", JSON.writeValueAsString(exclusiveGroups));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        m.put(PREFIX + "image_size", Integer.toString(imageSize));
        m.put(PREFIX + "dataset", dataset);
        m.put(PREFIX + "iteration", Long.toString(iteration));
        m.put(PREFIX + "train_config", trainConfig);
        return m;
    }

    /** Reads the entries written by {@link #toMetadata()}; absent entries mean unknown. */
    public static ModelInfo fromMetadata(Map<String, String> m, String source) {
        Map<String, String> meta = new HashMap<>(m);
        try {
            List<String> domains =
                    JSON.readValue(meta.getOrDefault(PREFIX + "domains", "[]"), new TypeReference<List<String>>() {});
            List<List<String>> groups = JSON.readValue(
                    meta.getOrDefault(PREFIX + "exclusive_groups", "[]"), new TypeReference<List<List<String>>>() {});
            return new ModelInfo(
                    domains,
                    groups,
                    Integer.parseInt(meta.getOrDefault(PREFIX + "image_size", "0")),
                    meta.getOrDefault(PREFIX + "dataset", ""),
                    Long.parseLong(meta.getOrDefault(PREFIX + "iteration", "0")),
                    meta.getOrDefault(PREFIX + "train_config", ""));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new CheckpointFormatException(source + ": bad model metadata (" + e.getMessage() + ")", e);
        }
    }

    /** A copy at another iteration. */
    public ModelInfo atIteration(long iteration) {
        return new ModelInfo(domains, exclusiveGroups, imageSize, dataset, iteration, trainConfig);
    }
}
