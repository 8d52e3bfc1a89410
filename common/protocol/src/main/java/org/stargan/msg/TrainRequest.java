package org.stargan.msg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.stargan.options.TrainOptions;

/**
 * A training job (JSON value on the train-requests topic, key = job id): which data, which domains, and any
 * {@code ./stargan train} option by its kebab-case name (e.g. {@code "num-iters": 2000}). Paths are relative to the
 * trainer's data root; {@code "dataset": "synthetic"} with {@code "synthetic": {"count", "size", "seed"}} has the
 * trainer draw the faces itself.
 *
 * @param jobId job id, 1–64 characters of [A-Za-z0-9._-]
 * @param requestedBy who asked (for the record)
 * @param model the model name its checkpoints are published under
 * @param options train options (kebab-case names, string values), dataset options included
 * @param synthetic {@code count}, {@code size}, {@code seed} when the trainer should draw synthetic data, else empty
 */
public record TrainRequest(
        String jobId, String requestedBy, String model, Map<String, String> options, Map<String, Integer> synthetic) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Options a job may not set: where outputs go and how resuming works are the trainer's business. */
    public static final List<String> RESERVED =
            List.of("log-dir", "sample-dir", "model-save-dir", "resume-iters", "device", "synthetic-dir");

    /** Validates every field, naming the one at fault. */
    public TrainRequest {
        if (jobId == null || !jobId.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException(
                    "job_id: '" + jobId + "', expected 1-64 characters of A-Z a-z 0-9 . _ -");
        }
        if (model == null || !model.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("model: '" + model + "', expected 1-64 characters of A-Z a-z 0-9 . _ -");
        }
        options = Map.copyOf(options);
        synthetic = Map.copyOf(synthetic);
        for (String k : options.keySet()) {
            if (!TrainOptions.TABLE.declares(k)) {
                throw new IllegalArgumentException("options." + k + ": not an option of ./stargan train");
            }
            if (RESERVED.contains(k)) {
                throw new IllegalArgumentException("options." + k + ": set by the trainer, not by a job");
            }
            for (String path : List.of("attr-path", "celeba-image-dir", "rafd-image-dir")) {
                if (k.equals(path)
                        && (options.get(k).startsWith("/") || options.get(k).contains(".."))) {
                    throw new IllegalArgumentException("options." + k + ": '" + options.get(k)
                            + "', expected a path inside the trainer's data root");
                }
            }
        }
    }

    /** The JSON value. */
    public byte[] toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("schema", "train-request/1");
        o.put("job_id", jobId);
        o.put("requested_by", requestedBy);
        o.put("model", model);
        ObjectNode opts = o.putObject("options");
        options.forEach(opts::put);
        if (!synthetic.isEmpty()) {
            ObjectNode s = o.putObject("synthetic");
            synthetic.forEach(s::put);
        }
        try {
            return JSON.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses a request, naming the field at fault. */
    public static TrainRequest fromJson(byte[] value) {
        JsonNode o;
        try {
            o = JSON.readTree(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("value: not JSON (" + e.getMessage() + ")");
        }
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException("value: expected a JSON object");
        }
        if (!"train-request/1".equals(o.path("schema").asText())) {
            throw new IllegalArgumentException("schema: '" + o.path("schema").asText() + "', expected train-request/1");
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = o.path("options").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isContainerNode()) {
                throw new IllegalArgumentException("options." + e.getKey() + ": expected a number or a string");
            }
            options.put(e.getKey(), e.getValue().asText());
        }
        Map<String, Integer> synthetic = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = o.path("synthetic").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!List.of("count", "size", "seed").contains(e.getKey())
                    || !e.getValue().canConvertToInt()) {
                throw new IllegalArgumentException(
                        "synthetic." + e.getKey() + ": expected count, size or seed with an integer value");
            }
            synthetic.put(e.getKey(), e.getValue().asInt());
        }
        return new TrainRequest(
                o.path("job_id").asText(null),
                o.path("requested_by").asText(""),
                o.path("model").asText("default"),
                options,
                synthetic);
    }
}
