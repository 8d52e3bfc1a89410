package org.stargan.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.stargan.gateway.GatewayConfig;
import org.stargan.gateway.GatewayVerticle;
import org.stargan.inference.InferenceConfig;
import org.stargan.inference.InferenceVerticle;
import org.stargan.kafka.KafkaBroker;
import org.stargan.kafka.Topics;
import org.stargan.msg.ModelAnnouncement;
import org.stargan.msg.TrainRequest;
import org.stargan.trainer.TrainerConfig;
import org.stargan.trainer.TrainerVerticle;

/** Every metric a Grafana dashboard queries is exported by the running services. */
@ExtendWith(KafkaBroker.class)
class DashboardMetricsTest {
    private static final Pattern METRIC = Pattern.compile("\\b((?:stargan|jvm|kafka)_[a-z0-9_]+)\\b");

    @TempDir
    Path tmp;

    @Test
    void everyDashboardMetricIsExported(KafkaBroker.Cluster kafka) throws Exception {
        Topics topics = new Topics("dash" + System.nanoTime() % 100000 + ".");
        Vertx vertx = Vertx.vertx();
        // HTTP/1.1 and timeouts: a request that gets no answer must fail the attempt, never hang the build.
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(java.time.Duration.ofSeconds(10))
                .build();
        try {
            Path ckpt = tmp.resolve("G.ckpt");
            try (var in = getClass().getResourceAsStream("/parity/tiny-G.zip.ckpt")) {
                Files.copy(in, ckpt);
            }
            try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(
                    Map.of("bootstrap.servers", kafka.bootstrapServers()),
                    new StringSerializer(),
                    new ByteArraySerializer())) {
                p.send(new ProducerRecord<>(
                                topics.models(),
                                "default",
                                new ModelAnnouncement(
                                                "default", "v1", ckpt.toUri().toString(), 1)
                                        .toJson()))
                        .get();
                TrainRequest job = new TrainRequest(
                        "m1",
                        "test",
                        "m",
                        Map.of(
                                "image-size",
                                "16",
                                "g-conv-dim",
                                "4",
                                "d-conv-dim",
                                "4",
                                "g-repeat-num",
                                "1",
                                "d-repeat-num",
                                "3",
                                "batch-size",
                                "2",
                                "num-iters",
                                "5",
                                "num-iters-decay",
                                "0"),
                        Map.of("count", 20, "size", 16));
                p.send(new ProducerRecord<>(topics.trainRequests(), "m1", job.toJson()))
                        .get();
            }
            InferenceVerticle inference = new InferenceVerticle();
            TrainerVerticle trainer = new TrainerVerticle();
            GatewayVerticle gateway = new GatewayVerticle();
            deploy(
                    vertx,
                    inference,
                    new InferenceConfig(
                                    kafka.bootstrapServers(),
                                    topics.prefix(),
                                    "i-" + topics.prefix(),
                                    "i1",
                                    "cpu",
                                    4,
                                    5,
                                    64,
                                    null,
                                    0)
                            .toJson());
            deploy(
                    vertx,
                    trainer,
                    new TrainerConfig(
                                    kafka.bootstrapServers(),
                                    topics.prefix(),
                                    "t-" + topics.prefix(),
                                    "t1",
                                    "cpu",
                                    tmp.toString(),
                                    tmp.resolve("art").toString(),
                                    0)
                            .toJson());
            deploy(
                    vertx,
                    gateway,
                    new GatewayConfig(kafka.bootstrapServers(), topics.prefix(), "g1", 0, 30_000, 16, 1 << 20, Map.of())
                            .toJson());
            String translate = "http://127.0.0.1:" + gateway.port() + "/v1/translations?target=domain1=1";
            byte[] png;
            try (var in = getClass().getResourceAsStream("/webroot/samples/face1.png")) {
                png = in.readAllBytes();
            }
            long deadline = System.nanoTime() + 120_000_000_000L;
            int status = 0;
            while (status != 200 && System.nanoTime() < deadline) {
                status = http.send(
                                HttpRequest.newBuilder(URI.create(translate))
                                        .timeout(java.time.Duration.ofSeconds(40))
                                        .header("Content-Type", "image/png")
                                        .POST(HttpRequest.BodyPublishers.ofByteArray(png))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                Thread.sleep(200);
            }
            assertThat(status).isEqualTo(200);
            String scraped = "";
            while (System.nanoTime() < deadline) {
                scraped = scrape(http, gateway.port())
                        + scrape(http, inference.metricsPort())
                        + scrape(http, trainer.metricsPort());
                if (scraped.contains("stargan_train_job_events_total{type=\"done\"")) {
                    break;
                }
                Thread.sleep(500);
            }
            Set<String> wanted = new TreeSet<>();
            ObjectMapper json = new ObjectMapper();
            try (Stream<Path> files = Files.list(Path.of("grafana/dashboards"))) {
                for (Path f : files.toList()) {
                    for (JsonNode panel : json.readTree(f.toFile()).path("panels")) {
                        for (JsonNode target : panel.path("targets")) {
                            Matcher m = METRIC.matcher(target.path("expr").asText());
                            while (m.find()) {
                                wanted.add(m.group(1));
                            }
                        }
                    }
                }
            }
            assertThat(wanted).hasSizeGreaterThan(15);
            for (String metric : wanted) {
                assertThat(scraped)
                        .as("dashboard metric %s is exported", metric)
                        .contains(metric);
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
    }

    private static void deploy(Vertx vertx, io.vertx.core.Deployable v, io.vertx.core.json.JsonObject config)
            throws Exception {
        vertx.deployVerticle(v, new DeploymentOptions().setConfig(config))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
    }

    private static String scrape(HttpClient http, int port) throws Exception {
        try {
            return http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                    .timeout(java.time.Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (java.net.http.HttpTimeoutException e) {
            return ""; // retried by the caller's loop until its deadline
        }
    }
}
