package org.stargan.gateway;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.util.Map;
import org.stargan.kafka.Topics;
import org.stargan.msg.TrainControl;
import org.stargan.msg.TrainEvent;
import org.stargan.msg.TrainRequest;

/**
 * The gateway's training routes: jobs are validated ({@link JobSpec}) and queued on the train-requests topic with a
 * {@code queued} event; their state and events come from {@link JobBoard} (fed by the gateway from the events topic)
 * and stream as Server-Sent Events; cancels go to the control topic; job files come from the artifact store
 * ({@link JobArtifacts}). Every route but the schema needs the {@code train} scope. Runs on the gateway's event loop.
 */
final class TrainingRoutes {
    /** Largest job spec accepted. */
    static final int MAX_JOB_BYTES = 1 << 20;

    /** The longest a job's 202 waits for the board to have the job (normally a few milliseconds). */
    private static final long BOARD_WAIT_MILLIS = 5_000;

    private final Vertx vertx;
    private final KafkaProducer<String, Buffer> producer;
    private final Topics topics;
    private final JobBoard jobs;
    private final JobArtifacts artifacts;
    /** How often an event stream with nothing to say writes a comment (the idle timeout would close it otherwise). */
    private final long keepAliveMillis;

    private final AuthHandler auth;
    private final ApiErrors errors;

    TrainingRoutes(
            Vertx vertx,
            KafkaProducer<String, Buffer> producer,
            Topics topics,
            JobBoard jobs,
            JobArtifacts artifacts,
            AuthHandler auth,
            ApiErrors errors,
            long keepAliveMillis) {
        this.keepAliveMillis = keepAliveMillis;
        this.vertx = vertx;
        this.producer = producer;
        this.topics = topics;
        this.jobs = jobs;
        this.artifacts = artifacts;
        this.auth = auth;
        this.errors = errors;
    }

    /** Adds the routes under /v1/training-jobs, each behind the {@code train} scope. */
    void mount(Router r) {
        var train = auth.require(ApiKeys.Scope.TRAIN);
        r.post("/v1/training-jobs")
                .handler(BodyHandler.create().setBodyLimit(MAX_JOB_BYTES))
                .handler(train)
                .handler(this::submitJob);
        r.get("/v1/training-jobs").handler(train).handler(ctx -> ctx.json(new JsonObject().put("jobs", jobs.all())));
        r.get("/v1/training-jobs/schema")
                .handler(ctx -> ctx.response()
                        .putHeader("Content-Type", "application/schema+json")
                        .end(JobSpec.SCHEMA));
        r.get("/v1/training-jobs/:id").handler(train).handler(this::getJob);
        r.delete("/v1/training-jobs/:id").handler(train).handler(this::cancelJob);
        r.get("/v1/training-jobs/:id/events").handler(train).handler(this::jobEvents);
        r.get("/v1/training-jobs/:id/artifacts/*").handler(train).handler(this::jobArtifact);
    }

    private void submitJob(RoutingContext ctx) {
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (RuntimeException e) {
            errors.send(ctx, 400, "bad_request", "body: not JSON (" + e.getMessage() + ")");
            return;
        }
        if (body == null) {
            errors.send(ctx, 400, "bad_request", "body: empty, expected {\"options\": {...}, \"synthetic\": {...}}");
            return;
        }
        TrainRequest request;
        try {
            request = JobSpec.parse(body);
        } catch (IllegalArgumentException e) {
            errors.send(ctx, 400, "bad_request", e.getMessage());
            return;
        }
        String id = request.jobId();
        if (jobs.job(id) != null) {
            errors.send(ctx, 409, "conflict", "job_id: '" + id + "' exists already");
            return;
        }
        TrainEvent queued = new TrainEvent(
                id,
                TrainEvent.Type.QUEUED,
                0,
                "",
                Map.of("requested_by", request.requestedBy(), "model", request.model()),
                System.currentTimeMillis());
        producer.send(KafkaProducerRecord.create(topics.trainEvents(), id, Buffer.buffer(queued.toJson())))
                .compose(v -> producer.send(
                        KafkaProducerRecord.create(topics.trainRequests(), id, Buffer.buffer(request.toJson()))))
                .onSuccess(v -> onceOnBoard(
                        id,
                        () -> ctx.response()
                                .setStatusCode(202)
                                .putHeader("Location", "/v1/training-jobs/" + id)
                                .putHeader("Content-Type", "application/json")
                                .end(new JsonObject()
                                        .put("job_id", id)
                                        .put("state", "queued")
                                        .encode())))
                .onFailure(e -> errors.send(ctx, 503, "unavailable", "the job could not be queued: " + e.getMessage()));
    }

    /**
     * Runs {@code then} once this gateway's board has read the job's first event back from the events topic (at
     * most {@link #BOARD_WAIT_MILLIS} from now): a client that follows its 202 with the job's page or event stream at
     * once would otherwise be told the job is unknown (404) while the event is on its way.
     */
    private void onceOnBoard(String id, Runnable then) {
        Promise<Void> onBoard = Promise.promise();
        // A job the board has already is replayed to the listener at once.
        Runnable stop = jobs.follow(id, event -> onBoard.tryComplete());
        // After the wait the job is queued all the same; its page appears once the board catches up.
        long timer = vertx.setTimer(BOARD_WAIT_MILLIS, t -> onBoard.tryComplete());
        onBoard.future().onComplete(v -> {
            vertx.cancelTimer(timer);
            stop.run();
            then.run();
        });
    }

    private void getJob(RoutingContext ctx) {
        JsonObject job = jobs.job(ctx.pathParam("id"));
        if (job == null) {
            errors.send(ctx, 404, "not_found", "job '" + ctx.pathParam("id") + "' is unknown");
        } else {
            ctx.json(job);
        }
    }

    private void cancelJob(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        JsonObject job = jobs.job(id);
        if (job == null) {
            errors.send(ctx, 404, "not_found", "job '" + id + "' is unknown");
            return;
        }
        if (JobBoard.ended(job)) {
            errors.send(ctx, 409, "conflict", "job '" + id + "' has already ended (" + job.getString("state") + ")");
            return;
        }
        producer.send(KafkaProducerRecord.create(
                        topics.trainControl(),
                        id,
                        Buffer.buffer(TrainControl.cancel(id).toJson())))
                .onSuccess(v -> ctx.response()
                        .setStatusCode(202)
                        .putHeader("Content-Type", "application/json")
                        .end(new JsonObject()
                                .put("job_id", id)
                                .put("cancel", "requested")
                                .encode()))
                .onFailure(
                        e -> errors.send(ctx, 503, "unavailable", "the cancel could not be sent: " + e.getMessage()));
    }

    private void jobEvents(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (jobs.job(id) == null) {
            errors.send(ctx, 404, "not_found", "job '" + id + "' is unknown");
            return;
        }
        var res = ctx.response()
                .setChunked(true)
                .putHeader("Content-Type", "text/event-stream")
                .putHeader("Cache-Control", "no-cache");
        Runnable[] stop = new Runnable[1];
        stop[0] = jobs.follow(id, event -> {
            if (res.ended() || res.closed()) {
                return;
            }
            res.write("event: " + event.getString("type") + "\ndata: " + event.encode() + "\n\n");
            if (JobBoard.ENDED.contains(event.getString("type"))) {
                res.end();
            }
        });
        long keepAlive = vertx.setPeriodic(keepAliveMillis, t -> {
            if (!res.ended() && !res.closed()) {
                res.write(": keep-alive\n\n"); // a comment: EventSource ignores it
            }
        });
        res.closeHandler(v -> {
            vertx.cancelTimer(keepAlive);
            stop[0].run();
        });
        res.endHandler(v -> {
            vertx.cancelTimer(keepAlive);
            stop[0].run();
        });
    }

    /** A file of a job from the artifact store (sample grids, logs, checkpoints); looked up off the event loop. */
    private void jobArtifact(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        String path = ctx.pathParam("*");
        // Unordered: one slow disk lookup must not hold back the others (nor the grids drawn off the event loop).
        vertx.executeBlocking(() -> artifacts.find(id, JobArtifacts.decodeUrlPath(path)), false)
                .onSuccess(a -> {
                    var res = ctx.response()
                            .putHeader("Content-Type", a.contentType())
                            .putHeader("X-Content-Type-Options", "nosniff")
                            .putHeader("Cache-Control", "no-cache");
                    res.sendFile(a.file().toString()).onFailure(e -> {
                        if (res.headWritten()) {
                            res.reset();
                        } else {
                            errors.send(
                                    ctx,
                                    404,
                                    "not_found",
                                    "artifact '" + path + "' of job '" + id + "': " + e.getMessage());
                        }
                    });
                })
                .onFailure(e -> {
                    if (e instanceof JobArtifacts.Refused r) {
                        errors.send(ctx, r.status(), r.code(), r.getMessage());
                    } else {
                        errors.send(ctx, 500, "internal", "artifact '" + path + "' of job '" + id + "': " + e);
                    }
                });
    }
}
