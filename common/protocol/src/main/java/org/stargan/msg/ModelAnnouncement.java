package org.stargan.msg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/**
 * A model version published on the registry topic (compacted; key = model name): where its generator checkpoint is.
 *
 * @param name model name
 * @param version version label, unique per name (e.g. the training iteration, or a job id and iteration)
 * @param uri the checkpoint: a {@code file:} URI or a plain path readable by the workers
 * @param publishedAtMillis when it was published
 */
public record ModelAnnouncement(String name, String version, String uri, long publishedAtMillis) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Value of {@code schema} in the JSON. */
    public static final String SCHEMA = "model/1";

    /** Validates every field. */
    public ModelAnnouncement {
        if (name == null || !name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("name: '" + name + "', expected 1-64 characters of A-Z a-z 0-9 . _ -");
        }
        if (version == null || !version.matches("[A-Za-z0-9._:-]{1,64}")) {
            throw new IllegalArgumentException(
                    "version: '" + version + "', expected 1-64 characters of A-Z a-z 0-9 . _ : -");
        }
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("uri: empty, expected the checkpoint's location");
        }
    }

    /** The JSON value written to the registry topic. */
    public byte[] toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("schema", SCHEMA);
        o.put("name", name);
        o.put("version", version);
        o.put("uri", uri);
        o.put("published_at_ms", publishedAtMillis);
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Parses a registry value, naming the field at fault. */
    public static ModelAnnouncement fromJson(byte[] value) {
        JsonNode o;
        try {
            o = JSON.readTree(value);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("value: not JSON (" + e.getMessage() + ")");
        }
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException("value: expected a JSON object");
        }
        if (!SCHEMA.equals(o.path("schema").asText())) {
            throw new IllegalArgumentException("schema: '" + o.path("schema").asText() + "', expected " + SCHEMA);
        }
        return new ModelAnnouncement(
                o.path("name").asText(null),
                o.path("version").asText(null),
                o.path("uri").asText(null),
                o.path("published_at_ms").asLong(0));
    }
}
