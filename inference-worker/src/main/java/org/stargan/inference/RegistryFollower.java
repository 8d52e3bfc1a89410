package org.stargan.inference;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stargan.kafka.KafkaSettings;
import org.stargan.kafka.Topics;
import org.stargan.msg.ModelAnnouncement;

/**
 * An inference worker's side of the model registry ({@code stargan.models}): every announcement, read from the start,
 * is loaded into the {@link ModelRegistry}; one designated worker also announces its default model. Event loop only.
 */
final class RegistryFollower {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceVerticle.class);

    private final Vertx vertx;
    private final InferenceConfig config;
    private final Topics topics;
    private final ModelRegistry registry;
    private final InferenceMetrics metrics;
    private KafkaConsumer<String, Buffer> consumer;

    RegistryFollower(
            Vertx vertx, InferenceConfig config, Topics topics, ModelRegistry registry, InferenceMetrics metrics) {
        this.vertx = vertx;
        this.config = config;
        this.topics = topics;
        this.registry = registry;
        this.metrics = metrics;
    }

    /**
     * When {@code wanted} ({@code "announceDefault": true}) (one designated worker, e.g. in compose), publishes the default model on the
     * registry so gateways and other workers know it; otherwise an operator or a trainer announces models.
     */
    Future<?> announceDefault(KafkaProducer<String, Buffer> producer, boolean wanted) {
        if (!wanted || config.defaultModelPath() == null) {
            return Future.succeededFuture();
        }
        ModelAnnouncement a = new ModelAnnouncement(
                "default",
                "initial",
                Path.of(config.defaultModelPath()).toAbsolutePath().toUri().toString(),
                System.currentTimeMillis());
        return producer.send(KafkaProducerRecord.create(topics.models(), a.name(), Buffer.buffer(a.toJson())));
    }

    /** Subscribes to the registry under a group of its own ({@code deployment} makes it unique). */
    Future<Void> start(String deployment) {
        // Every worker reads the whole registry: its own group, from the beginning, nothing committed that matters.
        Map<String, String> c = KafkaSettings.named(
                KafkaSettings.readerOfAll(
                        config.bootstrapServers(), config.workerId() + "-registry-" + deployment, 1 << 20),
                config.workerId() + "-registry");
        consumer = KafkaConsumer.create(vertx, c, String.class, Buffer.class);
        // Records end a poll at once; the timeout only sets how often an idle follower wakes (it never commits).
        consumer.pollTimeout(Duration.ofMillis(500));
        consumer.handler(rec -> {
            try {
                ModelAnnouncement a = ModelAnnouncement.fromJson(rec.value().getBytes());
                String uri = a.uri().startsWith("file:")
                        ? Path.of(java.net.URI.create(a.uri())).toString()
                        : a.uri();
                if (registry.resolve(a.name(), a.version()) != null) {
                    return; // already serving it (the registry is re-read after a rebalance)
                }
                registry.load(a.name(), a.version(), Path.of(uri), a.domains(), a.imageSize())
                        .thenAccept(m -> LOG.info(
                                "serving model {} version {} (image {} px, {} domains)",
                                m.name(),
                                m.version(),
                                m.imageSize(),
                                m.domains().size()));
            } catch (RuntimeException e) {
                LOG.warn("ignoring registry record {}@{}: {}", rec.partition(), rec.offset(), e.getMessage());
                metrics.failure("bad_announcement");
            }
        });
        return consumer.subscribe(topics.models());
    }

    /** Stops reading the registry. */
    Future<Void> close() {
        return consumer == null ? Future.succeededFuture() : consumer.close();
    }
}
