package org.stargan.msg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Map;

/**
 * One thing that happened to a training job (JSON value on the train-events topic, key = job id, so a job's events
 * stay in order): {@code queued}, {@code running}, {@code resumed}, {@code log} (losses, lr, it/s, ETA),
 * {@code sample} (grid URI), {@code checkpoint} (model and state URIs, published version), {@code done},
 * {@code failed} (reason), {@code cancelled}.
 *
 * @param jobId the job
 * @param type what happened
 * @param iteration iterations done when it happened
 * @param worker which trainer
 * @param data details (numbers or strings)
 * @param timeMillis when
 */
public record TrainEvent(
        String jobId, String type, long iteration, String worker, Map<String, Object> data, long timeMillis) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The JSON value. */
    public byte[] toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("schema", "train-event/1");
        o.put("job_id", jobId);
        o.put("type", type);
        o.put("iteration", iteration);
        o.put("worker", worker);
        o.set("data", JSON.valueToTree(data));
        o.put("time_ms", timeMillis);
        try {
            return JSON.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses an event. */
    @SuppressWarnings("unchecked")
    public static TrainEvent fromJson(byte[] value) {
        try {
            JsonNode o = JSON.readTree(value);
            return new TrainEvent(
                    o.path("job_id").asText(),
                    o.path("type").asText(),
                    o.path("iteration").asLong(),
                    o.path("worker").asText(),
                    JSON.convertValue(o.path("data"), Map.class),
                    o.path("time_ms").asLong());
        } catch (IOException e) {
            throw new IllegalArgumentException("value: not a train event (" + e.getMessage() + ")");
        }
    }
}
