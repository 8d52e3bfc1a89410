package org.stargan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.stargan.ckpt.GeneratorCheckpoint;
import org.stargan.ckpt.ModelInfo;
import org.stargan.inference.InferenceConfig;
import org.stargan.inference.InferenceVerticle;
import org.stargan.kafka.KafkaBroker;
import org.stargan.kafka.Topics;
import org.stargan.msg.ModelAnnouncement;

/**
 * The web UI in a real browser (headless Chromium, which .ci/run installs): the page loads the model's domains,
 * builds a slider per domain, picks a sample face from the URL, sends it through the gateway, Kafka and a real
 * inference worker, and shows the translation with its model version. Fails, never skips, without Chromium.
 */
@ExtendWith(KafkaBroker.class)
class WebUiBrowserTest {
    @TempDir
    Path tmp;

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void theUiTranslatesASampleFaceInARealBrowser(KafkaBroker.Cluster kafka) throws Exception {
        String chromium = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
        assertThat(Path.of(chromium)).as("Chromium for the browser test (apt-get install chromium; .ci/run installs it)").exists();
        Topics topics = new Topics("ui" + UUID.randomUUID().toString().substring(0, 8) + ".");
        Path ckpt = tmp.resolve("G.ckpt");
        try (var in = getClass().getResourceAsStream("/parity/tiny-G.zip.ckpt")) {
            Files.copy(in, ckpt);
        }
        Path named = tmp.resolve("named-G.safetensors");
        GeneratorCheckpoint tiny = GeneratorCheckpoint.load(ckpt);
        new GeneratorCheckpoint(tiny.config(), tiny.weights(), new ModelInfo(List.of("Black_Hair", "Blond_Hair", "Male"),
                List.of(List.of("Black_Hair", "Blond_Hair")), 32, "test", 1, ""), "safetensors").save(named);
        vertx.deployVerticle(new InferenceVerticle(), new DeploymentOptions().setConfig(new InferenceConfig(kafka.bootstrapServers(), topics.prefix(),
                "inf-" + topics.prefix(), "w1", "cpu", 4, 5, 64, null, -1).toJson())).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()), new StringSerializer(),
                new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(topics.models(), "default", new ModelAnnouncement("default", "ui1", named.toUri().toString(), 1).toJson())).get();
        }
        GatewayVerticle gateway = new GatewayVerticle();
        vertx.deployVerticle(gateway, new DeploymentOptions().setConfig(new GatewayConfig(kafka.bootstrapServers(), topics.prefix(), "ui-gw", 0, 30_000,
                64, 1 << 20, Map.of()).toJson())).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        var http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).connectTimeout(java.time.Duration.ofSeconds(10)).build();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline && http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + gateway.port()
                + "/health/ready")).build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
            Thread.sleep(100);
        }

        List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=" + tmp.resolve("profile"),
                "--virtual-time-budget=15000", "--dump-dom", "http://127.0.0.1:" + gateway.port() + "/?sample=2&Blond_Hair=1"));
        Process browser = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String dom = new String(browser.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(browser.waitFor(90, TimeUnit.SECONDS)).isTrue();
        // One slider per domain of the model, the URL's value applied, the translation shown with its version.
        assertThat(dom).contains("id=\"d0\"").contains("id=\"d1\"").contains("id=\"d2\"").doesNotContain("id=\"d3\"");
        assertThat(dom).contains("<label for=\"d1\">Blond_Hair</label>");
        assertThat(dom).containsPattern("id=\"output\"[^>]*src=\"blob:");
        assertThat(dom).contains("version ui1, compute");
    }
}
