package org.stargan.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.stargan.msg.CheckpointHeader;
import org.stargan.msg.DomainLabels;
import org.stargan.msg.ModelAnnouncement;

/**
 * The models the workers serve, from the registry topic: versions per name, the latest, and — when the checkpoint is
 * this project's format on a readable path — its domains, exclusive groups, image size and training iteration (read from
 * the file's header only, by {@link #describe}, off the event loop); the announcement's domains, image size and
 * description (the model card) are listed over what the file says or lacks. Each version's domain labels are built once, when it is
 * announced, for checking every request's targets. The catalog itself is used from the event loop only.
 */
public final class ModelCatalog {
    /** A version as listed ({@code json}) and its domains (null when its checkpoint names none). */
    private record Entry(JsonObject json, DomainLabels domains) {}

    private final Map<String, Map<String, Entry>> models = new LinkedHashMap<>();

    /** A version ready to be listed: what {@link #describe} read from its checkpoint. */
    public record Described(String name, String version, JsonObject json, DomainLabels domains) {}

    /**
     * Reads what the announced checkpoint says about itself (its safetensors header; a metadata error is listed, not
     * thrown). Blocking file I/O: call it off the event loop.
     */
    public static Described describe(ModelAnnouncement a) {
        JsonObject v = new JsonObject()
                .put("version", a.version())
                .put("uri", a.uri())
                .put("published_at_ms", a.publishedAtMillis());
        try {
            Path p = a.uri().startsWith("file:") ? Path.of(java.net.URI.create(a.uri())) : Path.of(a.uri());
            if (Files.isRegularFile(p) && CheckpointHeader.looksLike(p)) {
                Map<String, String> m = CheckpointHeader.metadata(p);
                v.put("domains", new JsonArray(m.getOrDefault(CheckpointHeader.DOMAINS, "[]")));
                v.put("exclusive_groups", new JsonArray(m.getOrDefault(CheckpointHeader.EXCLUSIVE_GROUPS, "[]")));
                v.put("image_size", Integer.parseInt(m.getOrDefault(CheckpointHeader.IMAGE_SIZE, "0")));
                // How far its training went: the web UI tells a short run's checkpoint from a finished model.
                v.put("iteration", Long.parseLong(m.getOrDefault(CheckpointHeader.ITERATION, "0")));
            }
        } catch (Exception e) {
            v.put("metadata_error", e.getMessage());
        }
        // What the announcement says beats what the file lacks: an official *-G.ckpt names neither its domains nor
        // its size, and only the announcement says what the model is for (its card). The workers apply the same rule
        // (an announcement that contradicts the checkpoint's own names is refused by them, not served).
        if (!a.domains().isEmpty()) {
            DomainLabels announced = DomainLabels.withOfficialGroups(a.domains(), false);
            v.put("domains", new JsonArray(a.domains()));
            if (!v.containsKey("exclusive_groups")) {
                JsonArray groups = new JsonArray();
                announced.exclusiveGroups().forEach(g -> groups.add(new JsonArray(g)));
                v.put("exclusive_groups", groups);
            }
        }
        if (a.imageSize() > 0) {
            v.put("image_size", a.imageSize());
        }
        if (a.description() != null) {
            v.put("description", a.description());
        }
        return new Described(a.name(), a.version(), v, domains(v));
    }

    /** Lists a described version (the latest of its model from now on). */
    public void add(Described d) {
        models.computeIfAbsent(d.name(), k -> new LinkedHashMap<>()).put(d.version(), new Entry(d.json(), d.domains()));
    }

    /**
     * The domains of a served version ({@code version} null: the latest) of {@code name}; null when its checkpoint
     * names none (the worker then checks the targets); an {@link IllegalArgumentException} naming the field when the
     * model or version is not served.
     */
    public DomainLabels domains(String name, String version) {
        Map<String, Entry> versions = models.getOrDefault(name, Map.of());
        Entry entry = version != null
                ? versions.get(version)
                : versions.values().stream().reduce((a, b) -> b).orElse(null);
        if (entry == null) {
            throw new IllegalArgumentException(
                    (version == null ? "model: '" + name + "'" : "version: '" + version + "' of model '" + name + "'")
                            + " is not served; served: " + names());
        }
        return entry.domains();
    }

    private static DomainLabels domains(JsonObject v) {
        JsonArray names = v.getJsonArray("domains");
        if (names == null || names.isEmpty()) {
            return null;
        }
        List<String> n = new ArrayList<>();
        names.forEach(x -> n.add(String.valueOf(x)));
        List<List<String>> groups = new ArrayList<>();
        v.getJsonArray("exclusive_groups", new JsonArray()).forEach(g -> {
            List<String> group = new ArrayList<>();
            ((JsonArray) g).forEach(x -> group.add(String.valueOf(x)));
            groups.add(group);
        });
        return new DomainLabels(n, groups);
    }

    /** Every served model with its versions, for messages: {@code default (v1, v2), named (n1)}. */
    String names() {
        StringBuilder s = new StringBuilder();
        models.forEach((name, versions) -> s.append(s.length() == 0 ? "" : ", ")
                .append(name)
                .append(" (")
                .append(String.join(", ", versions.keySet()))
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
            versions.values().forEach(e -> vs.add(e.json()));
            String latest = versions.keySet().stream().reduce((a, b) -> b).orElse(null);
            list.add(new JsonObject().put("name", name).put("latest", latest).put("versions", vs));
        });
        return new JsonObject().put("models", list);
    }
}
