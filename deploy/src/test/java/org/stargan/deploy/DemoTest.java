package org.stargan.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stargan.kafka.LocalKafka;

/**
 * {@code ./stargan demo} as a user runs it (its own JVM, its own local broker): once it prints that it is up, a
 * translation sent at that moment is answered with a PNG, its training job is listed as submitted through the gateway,
 * and SIGTERM stops everything in order, mid-training.
 */
class DemoTest {
    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();

    @Test
    void aTranslationSentWhenTheDemoSaysItIsUpIsAnsweredItsJobIsListedAndSigtermStopsIt(@TempDir Path dir)
            throws Exception {
        int port = LocalKafka.freePort();
        int kafkaPort = LocalKafka.freePort();
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g",
                "-Dstargan.home=" + HOME,
                "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_interop_threads=1"));
        String djlCache = System.getProperty("DJL_CACHE_DIR");
        if (djlCache != null) {
            cmd.add("-DDJL_CACHE_DIR=" + djlCache);
        }
        cmd.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                Demo.class.getName(),
                "--port",
                Integer.toString(port),
                "--kafka-port",
                Integer.toString(kafkaPort),
                "--inference-metrics-port",
                Integer.toString(LocalKafka.freePort()),
                "--trainer-metrics-port",
                Integer.toString(LocalKafka.freePort()),
                "--dir",
                dir.toString()));
        Process demo = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> output = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch up = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                    if (line.contains("training events")) { // the last line naming what is where
                        up.countDown();
                    }
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        reader.start();
        try {
            assertThat(up.await(180, TimeUnit.SECONDS))
                    .as("the demo says it is up; its output:%n%s", String.join("\n", output))
                    .isTrue();

            HttpResponse<byte[]> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(
                                            "http://127.0.0.1:" + port + "/v1/translations?target=Blond_Hair=1"))
                                    .header("Content-Type", "image/png")
                                    .timeout(Duration.ofSeconds(60))
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(face()))
                                    .build(),
                            HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode())
                    .as("first translation: %s", new String(r.body(), StandardCharsets.UTF_8))
                    .isEqualTo(200);
            BufferedImage out = ImageIO.read(new java.io.ByteArrayInputStream(r.body()));
            assertThat(out.getWidth()).isEqualTo(48);

            String key = output.stream()
                    .filter(l -> l.contains("admin API key"))
                    .findFirst()
                    .orElseThrow()
                    .trim()
                    .split("\\s+")[3];
            HttpResponse<String> jobs = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/training-jobs"))
                                    .header("X-API-Key", key)
                                    .timeout(Duration.ofSeconds(30))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(jobs.statusCode()).as(jobs.body()).isEqualTo(200);
            // Submitted through the gateway: its queued event carries who asked and the model it trains.
            assertThat(jobs.body())
                    .contains("\"requested_by\":\"demo\"")
                    .contains("\"model\":\"" + DemoTraining.MODEL + "\"");
        } finally {
            // SIGTERM, as a service manager would; through the handle because Process.destroy() also closes the pipe
            // this test reads the demo's stopping messages from.
            demo.toHandle().destroy();
            boolean exited = demo.waitFor(90, TimeUnit.SECONDS);
            if (!exited) {
                demo.destroyForcibly();
            }
            reader.join(5000);
            assertThat(exited).as("the demo exits within 90 s of SIGTERM").isTrue();
        }
        assertThat(output)
                .as("ordered stop (exit code %d)", demo.exitValue())
                .contains("stopping: services, then the broker...", "stopped.");
    }

    /** A 48 px PNG with a face-like blob; the generator translates any picture, this only has to be a real PNG. */
    private static byte[] face() throws java.io.IOException {
        BufferedImage img = new BufferedImage(48, 48, BufferedImage.TYPE_INT_RGB);
        var g = img.createGraphics();
        g.setColor(new java.awt.Color(90, 140, 200));
        g.fillRect(0, 0, 48, 48);
        g.setColor(new java.awt.Color(230, 190, 160));
        g.fillOval(12, 8, 24, 30);
        g.dispose();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ImageIO.write(img, "png", b);
        return b.toByteArray();
    }
}
