package org.stargan.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.stargan.ckpt.SafeTensors;
import org.stargan.msg.ModelAnnouncement;

/**
 * The models the workers serve, from the registry topic: versions per name, the latest, and — when the checkpoint is
 * this project's format on a readable path — its domains, exclusive groups and image size (read from the file's
 * header only). Used from the event loop only.
 */
public final class ModelCatalog {
    private final Map<String, Map<String, JsonObject>> models = new LinkedHashMap<>();

    /** Records an announcement. */
    public void announce(ModelAnnouncement a) {
        JsonObject v = new JsonObject().put("version", a.version()).put("uri", a.uri()).put("published_at_ms", a.publishedAtMillis());
        try {
            Path p = a.uri().startsWith("file:") ? Path.of(java.net.URI.create(a.uri())) : Path.of(a.uri());
            if (Files.isRegularFile(p) && SafeTensors.looksLike(p)) {
                Map<String, String> m = SafeTensors.metadata(p);
                v.put("domains", new JsonArray(m.getOrDefault("stargan.domains", "[]")));
                v.put("exclusive_groups", new JsonArray(m.getOrDefault("stargan.exclusive_groups", "[]")));
                v.put("image_size", Integer.parseInt(m.getOrDefault("stargan.image_size", "0")));
            }
        } catch (Exception e) {
            v.put("metadata_error", e.getMessage());
        }
        models.computeIfAbsent(a.name(), k -> new LinkedHashMap<>()).put(a.version(), v);
    }

    /** The entry of a version (null: the latest) of {@code name}, or null if unknown. */
    public JsonObject version(String name, String version) {
        Map<String, JsonObject> versions = models.get(name);
        if (versions == null || versions.isEmpty()) {
            return null;
        }
        if (version != null) {
            return versions.get(version);
        }
        JsonObject latest = null;
        for (JsonObject v : versions.values()) {
            latest = v;
        }
        return latest;
    }

    /** Every served model with its versions, for messages: {@code default (v1, v2), named (n1)}. */
    public String names() {
        StringBuilder s = new StringBuilder();
        models.forEach((name, versions) -> s.append(s.length() == 0 ? "" : ", ").append(name).append(" (").append(String.join(", ", versions.keySet()))
                .append(')'));
        return s.toString();
    }

    /** Whether any model is announced. */
    public boolean isEmpty() {
        return models.isEmpty();
    }

    /** {@code {"models": [{"name", "latest", "versions": [...]}]}}. */
    public JsonObject toJson() {
        JsonArray list = new JsonArray();
        models.forEach((name, versions) -> {
            JsonArray vs = new JsonArray();
            versions.values().forEach(vs::add);
            String latest = versions.keySet().stream().reduce((a, b) -> b).orElse(null);
            list.add(new JsonObject().put("name", name).put("latest", latest).put("versions", vs));
        });
        return new JsonObject().put("models", list);
    }
}
