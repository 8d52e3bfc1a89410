package org.stargan.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What the gateway knows of training jobs, built from the train-events topic: each job's state, latest numbers and
 * full event history, and the listeners of its event stream (SSE). Used from the event loop only.
 */
public final class JobBoard {
    /** The states after which a job has no more events. */
    public static final Set<String> ENDED = Set.of("done", "failed", "cancelled");

    private final Map<String, JsonObject> jobs = new LinkedHashMap<>();
    private final Map<String, List<JsonObject>> history = new LinkedHashMap<>();
    private final Map<String, List<Consumer<JsonObject>>> listeners = new LinkedHashMap<>();

    /** Applies one event (a train-event/1 JSON object). */
    public void apply(JsonObject event) {
        String id = event.getString("job_id");
        if (id == null) {
            return;
        }
        JsonObject job = jobs.computeIfAbsent(id, k -> new JsonObject().put("job_id", k));
        String type = event.getString("type", "");
        switch (type) {
            case "log", "sample", "checkpoint" -> {}
            default -> job.put("state", type);
        }
        job.put("iteration", Math.max(job.getLong("iteration", 0L), event.getLong("iteration", 0L)));
        job.put("updated_ms", event.getLong("time_ms"));
        if (event.getString("worker") != null && !event.getString("worker").isEmpty()) {
            job.put("worker", event.getString("worker"));
        }
        JsonObject data = event.getJsonObject("data", new JsonObject());
        switch (type) {
            case "log" -> job.put("latest", data);
            case "checkpoint" -> job.put("latest_checkpoint", data);
            case "failed" -> job.put("reason", data.getString("reason"));
            case "queued" ->
                job.put("requested_by", data.getString("requested_by")).put("model", data.getString("model"));
            default -> {}
        }
        history.computeIfAbsent(id, k -> new ArrayList<>()).add(event);
        for (Consumer<JsonObject> l : List.copyOf(listeners.getOrDefault(id, List.of()))) {
            l.accept(event);
        }
    }

    /** A job's summary, or null. */
    public JsonObject job(String id) {
        return jobs.get(id);
    }

    /** All jobs, oldest first. */
    public JsonArray all() {
        return new JsonArray(new ArrayList<>(jobs.values()));
    }

    /**
     * Past events of a job, then every new one, until the returned handle is run. A job that has ended gets no new
     * events, so its listener is not kept: the replay is all it hears.
     */
    public Runnable follow(String id, Consumer<JsonObject> listener) {
        history.getOrDefault(id, List.of()).forEach(listener);
        JsonObject job = jobs.get(id);
        if (job != null && ended(job)) {
            return () -> {};
        }
        listeners.computeIfAbsent(id, k -> new ArrayList<>()).add(listener);
        return () -> {
            List<Consumer<JsonObject>> l = listeners.get(id);
            if (l != null && l.remove(listener) && l.isEmpty()) {
                listeners.remove(id);
            }
        };
    }

    /** Whether a job has ended (done, failed or cancelled). */
    public static boolean ended(JsonObject job) {
        return ENDED.contains(job.getString("state", ""));
    }
}
