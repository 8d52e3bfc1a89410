package org.stargan.msg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;

/**
 * One thing that happened to a training job (JSON value on the train-events topic, key = job id, so a job's events
 * stay in order).
 *
 * @param jobId the job
 * @param type what happened
 * @param iteration iterations done when it happened
 * @param worker which trainer ("" before one took the job)
 * @param data details (numbers or strings): losses, lr, it/s, ETA for {@code log}; the grid URI for {@code sample};
 *     model and state URIs and the published version for {@code checkpoint}; the reason for {@code failed}
 * @param timeMillis when
 */
public record TrainEvent(
        String jobId, Type type, long iteration, String worker, Map<String, Object> data, long timeMillis) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Value of {@code schema} in the JSON. */
    public static final String SCHEMA = "train-event/1";

    /** What happened; the JSON carries the lower-case name. */
    public enum Type {
        QUEUED,
        RUNNING,
        RESUMED,
        LOG,
        SAMPLE,
        CHECKPOINT,
        DONE,
        FAILED,
        CANCELLED;

        /** The name on the wire. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Whether a job has no more events after this one. */
        public boolean ends() {
            return this == DONE || this == FAILED || this == CANCELLED;
        }

        /** Whether it is a state change (not a progress report). */
        public boolean isState() {
            return this != LOG && this != SAMPLE && this != CHECKPOINT;
        }

        /** The type named {@code wire}, naming the field when there is none. */
        public static Type parse(String wire) {
            for (Type t : values()) {
                if (t.wire().equals(wire)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("type: '" + wire
                    + "', expected queued, running, resumed, log, sample, checkpoint, done, failed or cancelled");
        }
    }

    /** Validates every field. */
    public TrainEvent {
        if (jobId == null || !jobId.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException(
                    "job_id: '" + jobId + "', expected 1-64 characters of A-Z a-z 0-9 . _ -");
        }
        if (type == null) {
            throw new IllegalArgumentException("type: missing");
        }
        worker = worker == null ? "" : worker;
        data = data == null ? Map.of() : data;
    }

    /** The JSON value. */
    public byte[] toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("schema", SCHEMA);
        o.put("job_id", jobId);
        o.put("type", type.wire());
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

    /** Parses an event, naming the field at fault. */
    @SuppressWarnings("unchecked")
    public static TrainEvent fromJson(byte[] value) {
        JsonNode o;
        try {
            o = JSON.readTree(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("value: not a train event (" + e.getMessage() + ")");
        }
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException("value: expected a JSON object");
        }
        if (!SCHEMA.equals(o.path("schema").asText())) {
            throw new IllegalArgumentException("schema: '" + o.path("schema").asText() + "', expected " + SCHEMA);
        }
        return new TrainEvent(
                o.path("job_id").asText(null),
                Type.parse(o.path("type").asText(null)),
                o.path("iteration").asLong(),
                o.path("worker").asText(""),
                JSON.convertValue(o.path("data"), Map.class),
                o.path("time_ms").asLong());
    }
}
