package org.stargan.trainer;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stargan.device.DeviceCheck;
import org.stargan.device.DeviceHealth;
import org.stargan.device.DeviceReport;
import org.stargan.kafka.KafkaSettings;
import org.stargan.kafka.Topics;
import org.stargan.msg.ModelAnnouncement;
import org.stargan.msg.TrainControl;
import org.stargan.msg.TrainEvent;
import org.stargan.msg.TrainRequest;

/**
 * The trainer worker: takes training jobs from Kafka one at a time (one run per device), runs each off the event loop
 * with its partitions paused (the consumer keeps polling, so the group never evicts it during hours of training),
 * publishes the job's events, announces every checkpoint on the model registry, and commits the job only when it has
 * ended (done, failed or cancelled). A trainer that dies mid-run leaves the job uncommitted: it is redelivered, and
 * the next trainer resumes it from its latest checkpoint in the artifact store. Cancel commands are read by every
 * trainer from the control topic.
 */
public final class TrainerVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerVerticle.class);

    /** Jobs, events, commands and announcements are small JSON values. */
    private static final int MAX_MESSAGE_BYTES = 1 << 20;

    private TrainerConfig config;
    private Topics topics;
    private TrainingJobRunner runner;
    private ExecutorService jobThread;
    private KafkaConsumer<String, Buffer> jobs;
    private KafkaConsumer<String, Buffer> control;
    private KafkaProducer<String, Buffer> producer;
    private HttpServer http;
    private DeviceHealth health;
    private final Set<String> cancelled = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;
    private volatile String running;
    /** A job record is being handled, from its delivery until its commit (event loop only). */
    private boolean busy;

    @Override
    public Future<?> start() {
        config = TrainerConfig.fromJson(config());
        topics = new Topics(config.topicPrefix());
        runner = new TrainingJobRunner(config, ArtifactStore.fileSystem(Path.of(config.artifactRoot())));
        jobThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "training-" + config.device());
            t.setDaemon(true);
            return t;
        });
        // First of all: a device that cannot compute fails the start (naming what to set), so this trainer never
        // takes a job only to fail it.
        return Future.fromCompletionStage(
                        CompletableFuture.supplyAsync(() -> DeviceCheck.require(config.device()), jobThread), context)
                .recover(e -> Future.failedFuture(
                        e instanceof CompletionException && e.getCause() != null ? e.getCause() : e))
                .compose(this::startWithDevice)
                .onFailure(e -> stop());
    }

    private Future<?> startWithDevice(DeviceReport report) {
        LOG.info(report.logLine());
        if (report.idleGpuWarning() != null) {
            LOG.warn(report.idleGpuWarning());
        }
        health = new DeviceHealth(DeviceCheck.parse(config.device()));
        TrainerMetrics.device(report, health);
        // Events and announcements count once the broker has them.
        producer = KafkaProducer.create(
                vertx,
                KafkaSettings.durableProducer(config.bootstrapServers(), MAX_MESSAGE_BYTES),
                String.class,
                Buffer.class);
        return startMetrics().compose(v -> startControl()).compose(v -> startJobs());
    }

    private Future<Void> startJobs() {
        // A job is committed by hand when it has ended, never earlier.
        Map<String, String> c =
                KafkaSettings.workConsumer(config.bootstrapServers(), config.groupId(), MAX_MESSAGE_BYTES);
        // One job per poll: the next waits in Kafka, where another trainer can take it.
        c.put("max.poll.records", "1");
        // How long the group waits for a poll before evicting this trainer; Kafka's 5 minutes unless configured (the
        // tests shorten it to show that a long job keeps its trainer in the group).
        Integer maxPollInterval = config().getInteger("maxPollIntervalMs");
        if (maxPollInterval != null) {
            c.put("max.poll.interval.ms", maxPollInterval.toString());
        }
        jobs = KafkaConsumer.create(vertx, c, String.class, Buffer.class);
        jobs.pollTimeout(Duration.ofMillis(100));
        jobs.exceptionHandler(e -> LOG.warn("job consumer: {}", e.toString()));
        jobs.handler(this::onJob);
        return jobs.subscribe(topics.trainRequests());
    }

    private Future<Void> startControl() {
        // Every trainer reads every command: its own group, from the beginning.
        Map<String, String> c = KafkaSettings.readerOfAll(
                config.bootstrapServers(), config.workerId() + "-control-" + deploymentID(), MAX_MESSAGE_BYTES);
        control = KafkaConsumer.create(vertx, c, String.class, Buffer.class);
        control.pollTimeout(Duration.ofMillis(100));
        control.handler(rec -> {
            try {
                TrainControl command = TrainControl.fromRecord(
                        rec.key(),
                        rec.value() == null ? new byte[0] : rec.value().getBytes());
                cancelled.add(command.jobId());
            } catch (RuntimeException e) {
                LOG.warn("ignoring control record {}@{}: {}", rec.partition(), rec.offset(), e.getMessage());
            }
        });
        return control.subscribe(topics.trainControl());
    }

    private Future<Void> startMetrics() {
        if (config.metricsPort() < 0) {
            return Future.succeededFuture();
        }
        // HTTP/1.1 only, as the gateway and the inference worker (scrapers and probes speak it).
        http = vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
                .requestHandler(req -> {
                    switch (req.path()) {
                        case "/metrics" ->
                            req.response()
                                    .putHeader("content-type", "text/plain; version=0.0.4")
                                    .end(TrainerMetrics.REGISTRY.scrape());
                        case "/health/live", "/health/ready" ->
                            // 503 once the device no longer computes: this trainer takes no more jobs and should be
                            // restarted.
                            req.response()
                                    .setStatusCode(health.usable() ? 200 : 503)
                                    .putHeader("content-type", "application/json")
                                    .end(new JsonObject()
                                            .put("status", health.usable() ? "up" : health.problem())
                                            .put("device", DeviceReport.name(health.device()))
                                            .put("job", running)
                                            .encode());
                        default -> req.response().setStatusCode(404).end();
                    }
                });
        return http.listen(config.metricsPort(), "0.0.0.0")
                .recover(e -> Future.failedFuture(new IllegalStateException("--metrics-port " + config.metricsPort()
                        + ": " + e.getMessage() + " (another worker on this host? give each its own port)")))
                .mapEmpty();
    }

    /** The port of /metrics (after start). */
    public int metricsPort() {
        return http == null ? -1 : http.actualPort();
    }

    private void onJob(KafkaConsumerRecord<String, Buffer> rec) {
        if (busy) {
            handBack(rec);
            return;
        }
        busy = true;
        holdPartitions();
        TrainRequest request;
        try {
            request = TrainRequest.fromJson(
                    rec.value() == null ? new byte[0] : rec.value().getBytes());
        } catch (IllegalArgumentException e) {
            String job = rec.key() == null ? "unknown" : rec.key();
            TrainerMetrics.state(TrainEvent.Type.FAILED);
            publish(new TrainEvent(
                            job,
                            TrainEvent.Type.FAILED,
                            0,
                            config.workerId(),
                            Map.of("reason", "bad request: " + e.getMessage()),
                            System.currentTimeMillis()))
                    .onComplete(ar -> finish(rec));
            return;
        }
        if (cancelled.contains(request.jobId())) {
            TrainerMetrics.state(TrainEvent.Type.CANCELLED);
            publish(new TrainEvent(
                            request.jobId(),
                            TrainEvent.Type.CANCELLED,
                            0,
                            config.workerId(),
                            Map.of("before_start", true),
                            System.currentTimeMillis()))
                    .onComplete(ar -> finish(rec));
            return;
        }
        running = request.jobId();
        TrainerMetrics.state(TrainEvent.Type.RUNNING);
        jobThread.execute(() -> {
            TrainingJobRunner.Outcome outcome = runner.run(
                    request,
                    event -> context.runOnContext(v -> {
                        if (!stopping) {
                            publish(event);
                        }
                    }),
                    (iteration, model) -> context.runOnContext(v -> announce(request, iteration, model)),
                    () -> stopping || cancelled.contains(request.jobId()));
            // A failed job may have failed because the device did: check it before taking another.
            boolean deviceLost = outcome == TrainingJobRunner.Outcome.FAILED
                    && (health.requestRecheck() ? !health.recheck() : !health.usable());
            context.runOnContext(v -> {
                running = null;
                TrainerMetrics.state(TrainEvent.Type.valueOf(outcome.name()));
                if (stopping) {
                    // Shutting down mid-run: not committed, so another trainer resumes it from its last checkpoint.
                    return;
                }
                if (deviceLost) {
                    leaveGroup(rec);
                    return;
                }
                finish(rec);
            });
        });
    }

    /**
     * The device no longer computes: the job is left uncommitted (another trainer resumes it from its last checkpoint)
     * and this trainer leaves the group so the partition moves to one that can compute; health answers 503 from now on.
     */
    private void leaveGroup(KafkaConsumerRecord<String, Buffer> rec) {
        LOG.error(
                "{}; job at {}@{} left to another trainer, this one takes no more jobs (/health/live 503)",
                health.problem(),
                rec.partition(),
                rec.offset());
        jobs.unsubscribe();
    }

    private void announce(TrainRequest request, long iteration, java.net.URI model) {
        TrainerMetrics.checkpoint();
        ModelAnnouncement a = new ModelAnnouncement(
                request.model(), request.jobId() + "-" + iteration, model.toString(), System.currentTimeMillis());
        producer.send(KafkaProducerRecord.create(topics.models(), request.model(), Buffer.buffer(a.toJson())))
                .onFailure(e -> LOG.warn("announcement of {} failed: {}", a.version(), e.toString()));
    }

    private Future<?> publish(TrainEvent e) {
        return producer.send(KafkaProducerRecord.create(topics.trainEvents(), e.jobId(), Buffer.buffer(e.toJson())))
                .onFailure(err -> LOG.warn("event {} of {} not published: {}", e.type(), e.jobId(), err.toString()));
    }

    /**
     * Nothing else is taken while a job runs, yet the consumer must go on polling: a consumer that stops (a paused
     * stream does) is evicted from its group after max.poll.interval.ms (5 minutes), its uncommitted job handed to
     * another trainer while this one still trains it, and its commit then fails. So delivery stops at once, the
     * assigned partitions are paused, and the stream polls again: paused partitions return nothing, polling keeps
     * the membership.
     */
    private void holdPartitions() {
        jobs.pause();
        jobs.assignment().compose(jobs::pause).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("pausing the job partitions failed: {}", ar.cause().toString());
            }
            if (!stopping) {
                jobs.resume();
            }
        });
    }

    /**
     * A record that arrived while a job runs (a rebalance assigned a partition, which comes unpaused): pause that
     * partition too and rewind it, so that the record is fetched again when this job has ended, here or elsewhere.
     */
    private void handBack(KafkaConsumerRecord<String, Buffer> rec) {
        TopicPartition tp = new TopicPartition(rec.topic(), rec.partition());
        jobs.pause(Set.of(tp))
                .compose(v -> jobs.seek(tp, rec.offset()))
                .onFailure(e -> LOG.warn("handing back job at {}@{} failed: {}", rec.partition(), rec.offset(), e));
    }

    private void finish(KafkaConsumerRecord<String, Buffer> rec) {
        jobs.commit(Map.of(
                        new TopicPartition(rec.topic(), rec.partition()), new OffsetAndMetadata(rec.offset() + 1, "")))
                .onComplete(ar -> {
                    if (ar.failed()) {
                        LOG.warn(
                                "commit of job at {}@{} failed: {}",
                                rec.partition(),
                                rec.offset(),
                                ar.cause().toString());
                    }
                    busy = false;
                    if (!stopping) {
                        jobs.assignment().compose(jobs::resume).onFailure(e -> LOG.warn("resuming failed: {}", e));
                    }
                });
    }

    @Override
    public Future<?> stop() {
        stopping = true;
        Future<Void> j = jobs == null ? Future.succeededFuture() : jobs.close();
        Future<Void> c = control == null ? Future.succeededFuture() : control.close();
        Future<Void> h = http == null ? Future.succeededFuture() : http.close();
        // The running job notices `stopping` at its next iteration and returns without committing; wait for that, so a
        // replacement trainer never computes alongside a dying one.
        Future<Void> jobEnded = vertx.executeBlocking(() -> {
            jobThread.shutdown();
            jobThread.awaitTermination(5, java.util.concurrent.TimeUnit.MINUTES);
            return null;
        });
        return Future.join(j, c, h, jobEnded)
                .compose(v -> producer == null ? Future.succeededFuture() : producer.close());
    }
}
