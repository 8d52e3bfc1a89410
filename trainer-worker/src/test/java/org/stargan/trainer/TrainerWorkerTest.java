package org.stargan.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.stargan.ckpt.GeneratorCheckpoint;
import org.stargan.kafka.KafkaBroker;
import org.stargan.kafka.Topics;
import org.stargan.msg.ModelAnnouncement;
import org.stargan.msg.TrainControl;
import org.stargan.msg.TrainEvent;
import org.stargan.msg.TrainRequest;

/** Trainers against the real local broker: events, checkpoints on the registry, cancel, bad specs, order, resume. */
@ExtendWith(KafkaBroker.class)
class TrainerWorkerTest {
    @TempDir
    Path tmp;

    private String bootstrap;
    private Topics topics;
    private final List<Vertx> vertxes = new ArrayList<>();

    @BeforeEach
    void setUp(KafkaBroker.Cluster kafka) {
        bootstrap = kafka.bootstrapServers();
        topics = new Topics("tr" + UUID.randomUUID().toString().substring(0, 8) + ".");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Vertx v : vertxes) {
            v.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private TrainerVerticle lastTrainer;

    private Vertx trainer(String id) throws Exception {
        return trainer(id, new io.vertx.core.json.JsonObject());
    }

    private Vertx trainer(String id, io.vertx.core.json.JsonObject extra) throws Exception {
        Vertx v = Vertx.vertx();
        vertxes.add(v);
        TrainerConfig c = new TrainerConfig(
                bootstrap,
                topics.prefix(),
                "trainers-" + topics.prefix(),
                id,
                "cpu",
                tmp.toString(),
                tmp.resolve("artifacts").toString(),
                0);
        lastTrainer = new TrainerVerticle();
        v.deployVerticle(
                        lastTrainer,
                        new DeploymentOptions().setConfig(c.toJson().mergeIn(extra)))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        return v;
    }

    private static TrainRequest job(String id, int iterations) {
        Map<String, String> o = new HashMap<>(Map.of(
                "image-size",
                "16",
                "g-conv-dim",
                "8",
                "d-conv-dim",
                "8",
                "g-repeat-num",
                "1",
                "d-repeat-num",
                "3",
                "batch-size",
                "4",
                "num-iters",
                Integer.toString(iterations),
                "num-iters-decay",
                "0",
                "log-step",
                "5"));
        o.put("sample-step", "10");
        o.put("model-save-step", "10");
        o.put("seed", "9");
        return new TrainRequest(id, "test", "m-" + id, o, Map.of("count", 40, "size", 16, "seed", 3));
    }

    private void send(String topic, String key, byte[] value) throws Exception {
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    /** Events of all jobs, in topic order, until {@code until} returns true or the time is up. */
    private List<TrainEvent> events(java.util.function.Predicate<List<TrainEvent>> until, long seconds) {
        List<TrainEvent> got = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(
                Map.of(
                        "bootstrap.servers",
                        bootstrap,
                        "group.id",
                        "ev-" + UUID.randomUUID(),
                        "auto.offset.reset",
                        "earliest"),
                new StringDeserializer(),
                new ByteArrayDeserializer())) {
            c.subscribe(List.of(topics.trainEvents()));
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            while (!until.test(got) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    got.add(TrainEvent.fromJson(r.value()));
                }
            }
        }
        return got;
    }

    private static boolean ended(List<TrainEvent> events, String job) {
        return events.stream().anyMatch(e -> e.jobId().equals(job) && e.type().ends());
    }

    private static List<String> types(List<TrainEvent> events, String job) {
        return events.stream()
                .filter(e -> e.jobId().equals(job))
                .map(e -> e.type().wire())
                .toList();
    }

    @Test
    void aJobStreamsItsEventsInOrderAndAnnouncesItsCheckpoints() throws Exception {
        trainer("t1");
        send(topics.trainRequests(), "j1", job("j1", 20).toJson());
        List<TrainEvent> ev = events(e -> ended(e, "j1"), 180);
        assertThat(types(ev, "j1"))
                .containsSubsequence(
                        "running", "log", "log", "sample", "checkpoint", "log", "log", "sample", "checkpoint", "done");
        TrainEvent log = ev.stream()
                .filter(e -> e.type() == TrainEvent.Type.LOG)
                .findFirst()
                .orElseThrow();
        assertThat(log.data())
                .containsKeys(
                        "D/loss_real",
                        "D/loss_fake",
                        "D/loss_cls",
                        "D/loss_gp",
                        "G/loss_fake",
                        "G/loss_rec",
                        "G/loss_cls",
                        "d_lr",
                        "it_per_s",
                        "eta_s");
        List<ModelAnnouncement> announced = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(
                Map.of(
                        "bootstrap.servers",
                        bootstrap,
                        "group.id",
                        "reg-" + UUID.randomUUID(),
                        "auto.offset.reset",
                        "earliest"),
                new StringDeserializer(),
                new ByteArrayDeserializer())) {
            c.subscribe(List.of(topics.models()));
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (announced.size() < 2 && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(r -> announced.add(ModelAnnouncement.fromJson(r.value())));
            }
        }
        assertThat(announced).extracting(ModelAnnouncement::version).containsExactly("j1-10", "j1-20");
        assertThat(GeneratorCheckpoint.load(
                                Path.of(java.net.URI.create(announced.get(1).uri())))
                        .info()
                        .iteration())
                .isEqualTo(20);
        // HTTP/1.1, as Prometheus scrapes; bounded, so a trainer that stopped answering fails the test.
        var metrics = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .build()
                .sendAsync(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                        "http://127.0.0.1:" + lastTrainer.metricsPort() + "/metrics"))
                                .timeout(java.time.Duration.ofSeconds(30))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString())
                .get(40, java.util.concurrent.TimeUnit.SECONDS)
                .body();
        // The job is labelled training_job: a label named job (or instance) would clash with the scraped target's.
        assertThat(metrics)
                .contains("stargan_train_iteration{training_job=\"j1\"} 20.0")
                .contains("stargan_train_loss{name=\"G/loss_rec\",training_job=\"j1\"}")
                .contains("stargan_train_learning_rate{training_job=\"j1\"}")
                .contains("stargan_train_checkpoints_total")
                .contains("stargan_train_job_events_total{type=\"done\"}")
                // Exported before the first cancellation (the registry is one per process, so other tests in this
                // JVM may have cancelled a job by now: the value is not checked).
                .containsPattern("stargan_train_job_events_total\\{type=\"cancelled\"} \\d+\\.0\n")
                .contains("jvm_gc_")
                .contains("process_cpu_usage")
                .doesNotContainPattern("[{,](job|instance)=")
                // What it computes with: the device, the libtorch flavor and version, the GPU (none on the CPU).
                .containsPattern(
                        "stargan_device_info\\{device=\"cpu\",flavor=\"cpu\",gpu=\"none\",libtorch=\"2\\.7\\.1\"} 1(\\.0)?\n")
                .contains("stargan_device_usable{device=\"cpu\"} 1.0");
    }

    @Test
    void aBadSpecFailsFastAndTheNextJobStillRuns() throws Exception {
        trainer("t1");
        Map<String, String> bad = new HashMap<>(job("bad", 10).options());
        bad.put("batch-size", "lots");
        send(
                topics.trainRequests(),
                "bad",
                new TrainRequest("bad", "test", "m", bad, Map.of("count", 40, "size", 16)).toJson());
        send(topics.trainRequests(), "junk", "{not json".getBytes(StandardCharsets.UTF_8));
        send(topics.trainRequests(), "ok", job("ok", 5).toJson());
        List<TrainEvent> ev = events(e -> ended(e, "ok"), 180);
        TrainEvent failed =
                ev.stream().filter(e -> e.jobId().equals("bad")).findFirst().orElseThrow();
        assertThat(failed.type()).isEqualTo(TrainEvent.Type.FAILED);
        assertThat(failed.data().get("reason").toString()).contains("--batch-size 'lots'");
        assertThat(types(ev, "junk")).containsExactly("failed");
        assertThat(types(ev, "ok")).endsWith("done");
    }

    @Test
    void aJobLongerThanThePollIntervalKeepsItsTrainerInTheGroupAndIsCommitted() throws Exception {
        // The group evicts a consumer that does not poll for max.poll.interval.ms: 2 s here, 5 minutes by default. A
        // trainer that stopped polling while it trained left its group mid-job, its commit failed and the job was
        // handed out again.
        trainer("t1", new io.vertx.core.json.JsonObject().put("maxPollIntervalMs", 2000));
        String group = "trainers-" + topics.prefix();
        AtomicBoolean watching = new AtomicBoolean(true);
        AtomicBoolean joined = new AtomicBoolean();
        AtomicBoolean left = new AtomicBoolean();
        Thread membership = new Thread(() -> {
            try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrap))) {
                while (watching.get()) {
                    int members = admin.describeConsumerGroups(List.of(group))
                            .all()
                            .get()
                            .get(group)
                            .members()
                            .size();
                    joined.compareAndSet(false, members > 0);
                    if (joined.get() && members == 0) {
                        left.set(true);
                    }
                    Thread.sleep(250);
                }
            } catch (Exception e) {
                left.set(true); // the check itself failed: do not pass on it
            }
        });
        membership.start();
        send(topics.trainRequests(), "slow", job("slow", 200).toJson());
        List<TrainEvent> ev = events(e -> ended(e, "slow"), 300);
        watching.set(false);
        membership.join(10_000);
        assertThat(types(ev, "slow")).endsWith("done");
        long took = ev.stream()
                        .filter(e -> e.jobId().equals("slow") && e.type().ends())
                        .findFirst()
                        .orElseThrow()
                        .timeMillis()
                - ev.stream()
                        .filter(e -> e.jobId().equals("slow"))
                        .findFirst()
                        .orElseThrow()
                        .timeMillis();
        assertThat(took).as("the job outlasts the poll interval").isGreaterThan(2000);
        assertThat(joined).as("the trainer joined its group").isTrue();
        assertThat(left).as("the trainer left its group while it trained").isFalse();
        // Committed once it ended: nothing hands it out again.
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrap))) {
            long deadline = System.nanoTime() + 30_000_000_000L;
            Long offset = null;
            while (System.nanoTime() < deadline && (offset == null || offset < 1)) {
                var committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get()
                        .get(new TopicPartition(topics.trainRequests(), 0));
                offset = committed == null ? null : committed.offset();
                Thread.sleep(200);
            }
            assertThat(offset).as("committed offset of the job").isEqualTo(1L);
        }
    }

    @Test
    void cancelStopsARunningJobAndJobsOnOneDeviceRunOneAfterTheOther() throws Exception {
        trainer("t1");
        send(topics.trainRequests(), "long", job("long", 100_000).toJson());
        send(topics.trainRequests(), "next", job("next", 5).toJson());
        events(e -> types(e, "long").contains("log"), 120);
        send(topics.trainControl(), "long", TrainControl.cancel("long").toJson());
        List<TrainEvent> ev = events(e -> ended(e, "next"), 180);
        assertThat(types(ev, "long")).endsWith("cancelled");
        List<String> order = ev.stream()
                .filter(e -> List.of("running", "cancelled", "done")
                        .contains(e.type().wire()))
                .map(e -> e.jobId() + ":" + e.type().wire())
                .toList();
        assertThat(order).containsSubsequence("long:running", "long:cancelled", "next:running", "next:done");
    }

    @Test
    void aTrainerThatDiesMidRunIsReplacedAndTheResultEqualsAnUninterruptedRun() throws Exception {
        Vertx first = trainer("doomed");
        send(topics.trainRequests(), "r1", job("r1", 30).toJson());
        events(e -> types(e, "r1").contains("checkpoint"), 180);
        first.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        vertxes.remove(first);
        trainer("survivor");
        List<TrainEvent> ev = events(e -> ended(e, "r1"), 240);
        assertThat(types(ev, "r1")).contains("resumed").endsWith("done");
        TrainEvent resumed = ev.stream()
                .filter(e -> e.type() == TrainEvent.Type.RESUMED)
                .findFirst()
                .orElseThrow();
        assertThat(resumed.worker()).isEqualTo("survivor");
        assertThat(resumed.iteration()).isGreaterThanOrEqualTo(10);

        // The same job, uninterrupted, under another id: the final generators agree.
        send(
                topics.trainRequests(),
                "r2",
                new TrainRequest(
                                "r2",
                                "test",
                                "m-r2",
                                job("r1", 30).options(),
                                job("r1", 30).synthetic())
                        .toJson());
        events(e -> ended(e, "r2"), 240);
        GeneratorCheckpoint a = GeneratorCheckpoint.load(tmp.resolve("artifacts/jobs/r1/models/30-G.safetensors"));
        GeneratorCheckpoint b = GeneratorCheckpoint.load(tmp.resolve("artifacts/jobs/r2/models/30-G.safetensors"));
        double max = 0;
        for (var e : a.weights().entrySet()) {
            float[] x = e.getValue().values();
            float[] y = b.weights().get(e.getKey()).values();
            for (int i = 0; i < x.length; i++) {
                max = Math.max(max, Math.abs((double) x[i] - y[i]));
            }
        }
        assertThat(max).as("max |resumed − uninterrupted|").isLessThan(1e-6);
    }
}
