package org.stargan.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.stargan.gateway.GatewayConfig;
import org.stargan.gateway.GatewayVerticle;
import org.stargan.inference.InferenceConfig;
import org.stargan.inference.InferenceVerticle;
import org.stargan.kafka.KafkaBroker;
import org.stargan.kafka.Topics;
import org.stargan.testing.RealPhotos;

/**
 * An official-format generator (written by PyTorch's {@code torch.save}; its file names no domains) announced with
 * {@code ./stargan announce --domains ...} is served by name through HTTP → gateway → Kafka → worker.
 */
@ExtendWith(KafkaBroker.class)
class OfficialCheckpointServingTest {
    @TempDir
    Path tmp;

    @Test
    void anAnnouncedOfficialCheckpointTranslatesByDomainNameThroughTheGateway(KafkaBroker.Cluster kafka)
            throws Exception {
        Topics topics = new Topics("official" + System.nanoTime() % 100000 + ".");
        Path ckpt = tmp.resolve("200000-G.ckpt");
        try (var in = getClass().getResourceAsStream("/parity/tiny-G.zip.ckpt")) {
            Files.copy(in, ckpt);
        }
        Vertx vertx = Vertx.vertx();
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        try {
            deploy(
                    vertx,
                    new InferenceVerticle(),
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
                                    -1)
                            .toJson());
            GatewayVerticle gateway = new GatewayVerticle();
            deploy(
                    vertx,
                    gateway,
                    new GatewayConfig(kafka.bootstrapServers(), topics.prefix(), "g1", 0, 30_000, 16, 8 << 20, Map.of())
                            .toJson());
            int announced = org.stargan.inference.AnnounceCommand.run(
                    new String[] {
                        "--checkpoint",
                        ckpt.toString(),
                        "--domains",
                        "Black_Hair,Blond_Hair,Young",
                        "--description",
                        "official StarGAN format (torch.save), 3 domains"
                    },
                    Map.of(
                            "STARGAN_KAFKA_BOOTSTRAP",
                            kafka.bootstrapServers(),
                            "STARGAN_TOPIC_PREFIX",
                            topics.prefix()));
            assertThat(announced).isZero();
            String base = "http://127.0.0.1:" + gateway.port();
            byte[] photo = RealPhotos.ASTRONAUT.bytes();
            HttpResponse<byte[]> ok = null;
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (System.nanoTime() < deadline) {
                ok = post(http, base + "/v1/translations?target=Blond_Hair=1", photo);
                if (ok.statusCode() == 200) {
                    break;
                }
                Thread.sleep(300);
            }
            assertThat(ok.statusCode()).as(new String(ok.body())).isEqualTo(200);
            assertThat(ok.headers().firstValue("X-Model-Version")).hasValue("200000-G");
            assertThat(ImageIO.read(new ByteArrayInputStream(ok.body())).getWidth())
                    .as("an official checkpoint is served at 128 px")
                    .isEqualTo(128);
            // The names are the announcement's: one the model does not have is refused, naming it.
            HttpResponse<byte[]> unknown = post(http, base + "/v1/translations?target=Male=1", photo);
            assertThat(unknown.statusCode()).isEqualTo(400);
            assertThat(new String(unknown.body())).contains("Male").contains("Blond_Hair");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
    }

    private static HttpResponse<byte[]> post(HttpClient http, String url, byte[] png) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(40))
                        .header("Content-Type", "image/png")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(png))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void deploy(Vertx vertx, io.vertx.core.Deployable v, io.vertx.core.json.JsonObject config)
            throws Exception {
        vertx.deployVerticle(v, new DeploymentOptions().setConfig(config))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
    }
}
