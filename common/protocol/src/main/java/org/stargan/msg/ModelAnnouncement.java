package org.stargan.msg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * A model version published on the registry topic (compacted; key = model name): where its generator checkpoint is,
 * and what the checkpoint cannot say about itself. This project's checkpoints carry their domain names and image size;
 * an official {@code *-G.ckpt} carries neither, so its announcement names them ({@code domains}, {@code image_size}).
 * {@code description} says what the model was trained on, for people choosing it (e.g. "CelebA photos, 128 px").
 *
 * @param name model name
 * @param version version label, unique per name (e.g. the training iteration, or a job id and iteration)
 * @param uri the checkpoint: a {@code file:} URI or a plain path readable by the workers
 * @param publishedAtMillis when it was published
 * @param domains the domain names in label order, or empty to use the checkpoint's own (or {@code domain0..})
 * @param imageSize the side the model was trained at, or 0 to use the checkpoint's own (or 128)
 * @param description what the model is and was trained on, or null
 */
public record ModelAnnouncement(
        String name,
        String version,
        String uri,
        long publishedAtMillis,
        List<String> domains,
        int imageSize,
        String description) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Value of {@code schema} in the JSON. */
    public static final String SCHEMA = "model/1";
    /** Longest description accepted. */
    public static final int MAX_DESCRIPTION = 500;

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
        domains = domains == null ? List.of() : List.copyOf(domains);
        HashSet<String> seen = new HashSet<>();
        for (String d : domains) {
            // Names travel in comma-separated headers and Name=value targets: no commas, '=' or spaces.
            if (!d.matches("[A-Za-z0-9._:-]{1,64}") || !seen.add(d)) {
                throw new IllegalArgumentException("domains: '" + d + "' in " + domains
                        + ", expected distinct names of 1-64 characters of A-Z a-z 0-9 . _ : -");
            }
        }
        if (imageSize != 0 && (imageSize < 4 || imageSize > 1024 || imageSize % 4 != 0)) {
            throw new IllegalArgumentException(
                    "image_size: " + imageSize + ", expected 0 (the checkpoint's) or a multiple of 4 in 4..1024");
        }
        if (description != null && description.length() > MAX_DESCRIPTION) {
            throw new IllegalArgumentException(
                    "description: " + description.length() + " characters, expected at most " + MAX_DESCRIPTION);
        }
    }

    /** A version whose checkpoint describes itself (this project's format). */
    public ModelAnnouncement(String name, String version, String uri, long publishedAtMillis) {
        this(name, version, uri, publishedAtMillis, List.of(), 0, null);
    }

    /** The JSON value written to the registry topic (optional fields only when set). */
    public byte[] toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("schema", SCHEMA);
        o.put("name", name);
        o.put("version", version);
        o.put("uri", uri);
        o.put("published_at_ms", publishedAtMillis);
        if (!domains.isEmpty()) {
            ArrayNode a = o.putArray("domains");
            domains.forEach(a::add);
        }
        if (imageSize > 0) {
            o.put("image_size", imageSize);
        }
        if (description != null) {
            o.put("description", description);
        }
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
        List<String> domains = new ArrayList<>();
        JsonNode d = o.path("domains");
        if (!d.isMissingNode() && !d.isArray()) {
            throw new IllegalArgumentException("domains: " + d + ", expected an array of names");
        }
        d.forEach(n -> {
            if (!n.isTextual()) {
                throw new IllegalArgumentException("domains: " + d + ", expected an array of names");
            }
            domains.add(n.asText());
        });
        JsonNode size = o.path("image_size");
        if (!size.isMissingNode() && !size.canConvertToInt()) {
            throw new IllegalArgumentException("image_size: " + size + ", expected a whole number");
        }
        return new ModelAnnouncement(
                o.path("name").asText(null),
                o.path("version").asText(null),
                o.path("uri").asText(null),
                o.path("published_at_ms").asLong(0),
                domains,
                size.asInt(0),
                o.path("description").asText(null));
    }
}
