package org.stargan.msg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A command to a training job on the control topic (key = job id, value {@code {"action": "cancel"}}), read by every
 * trainer.
 *
 * @param jobId the job (the record key)
 * @param action what to do
 */
public record TrainControl(String jobId, Action action) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a control record asks. */
    public enum Action {
        /** Stop the job at its next iteration; it ends {@code cancelled}. */
        CANCEL
    }

    /** Validates every field. */
    public TrainControl {
        if (jobId == null || !jobId.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException(
                    "key: job id '" + jobId + "', expected 1-64 characters of A-Z a-z 0-9 . _ -");
        }
        if (action == null) {
            throw new IllegalArgumentException("action: missing, expected cancel");
        }
    }

    /** A cancel for {@code jobId}. */
    public static TrainControl cancel(String jobId) {
        return new TrainControl(jobId, Action.CANCEL);
    }

    /** The JSON value. */
    public byte[] toJson() {
        return ("{\"action\":\"" + action.name().toLowerCase(java.util.Locale.ROOT) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Parses a control record, naming the field at fault. */
    public static TrainControl fromRecord(String key, byte[] value) {
        JsonNode o;
        try {
            o = JSON.readTree(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("value: not JSON (" + e.getMessage() + ")");
        }
        String action = o == null ? null : o.path("action").asText(null);
        if (!"cancel".equals(action)) {
            throw new IllegalArgumentException("action: '" + action + "', expected cancel");
        }
        return new TrainControl(key, Action.CANCEL);
    }
}
