package org.stargan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.stargan.ckpt.GeneratorCheckpoint;
import org.stargan.ckpt.ModelInfo;
import org.stargan.inference.InferenceConfig;
import org.stargan.inference.InferenceVerticle;
import org.stargan.kafka.KafkaBroker;
import org.stargan.kafka.Topics;
import org.stargan.msg.ModelAnnouncement;
import org.stargan.trainer.TrainerConfig;
import org.stargan.trainer.TrainerVerticle;

/**
 * The web UI in a real browser: headless Chromium driven by Selenium through Debian's chromedriver, against the
 * gateway, the real local broker and real workers. The translation page takes an uploaded face and redraws it over the
 * WebSocket as a slider moves; the training page starts a tiny synthetic job and draws its losses and sample grid.
 * Fails, never skips, without Chromium or chromedriver.
 */
@ExtendWith(KafkaBroker.class)
class WebUiBrowserTest {
    @TempDir
    Path tmp;

    private final Vertx vertx = Vertx.vertx();
    private HeadlessBrowser chromium;
    private ChromeDriver browser;
    private String bootstrap;
    private Topics topics;

    @BeforeEach
    void start(KafkaBroker.Cluster kafka) {
        bootstrap = kafka.bootstrapServers();
        topics = new Topics("ui" + UUID.randomUUID().toString().substring(0, 8) + ".");
        chromium = new HeadlessBrowser(tmp.resolve("profile"));
        browser = chromium.driver;
    }

    @AfterEach
    void stop() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private String gatewayDeployment;

    private GatewayVerticle gateway(Map<String, String> keys, JsonObject extra) throws Exception {
        return gateway(0, keys, extra);
    }

    private GatewayVerticle gateway(int port, Map<String, String> keys, JsonObject extra) throws Exception {
        GatewayVerticle gateway = new GatewayVerticle();
        gatewayDeployment = vertx.deployVerticle(
                        gateway,
                        new DeploymentOptions()
                                .setConfig(new GatewayConfig(
                                                bootstrap, topics.prefix(), "ui-gw", port, 30_000, 64, 1 << 20, keys)
                                        .toJson()
                                        .mergeIn(extra)))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        return gateway;
    }

    private Object js(String script, Object... args) {
        return chromium.js(script, args);
    }

    private WebDriverWait waitUpTo(int seconds) {
        return chromium.waitUpTo(seconds);
    }

    /** The page as a phone shows it (390 px wide) does not scroll sideways; a screenshot is left in target/. */
    private void fitsAPhone(String page) throws Exception {
        chromium.viewport(HeadlessBrowser.PHONE);
        HeadlessBrowser.Overflow overflow = chromium.horizontalOverflow();
        chromium.screenshot(Path.of("target", "screenshots", page + "-390px.png"));
        assertThat(overflow.pixels())
                .as("%s at 390 px overflows sideways; elements past the right edge: %s", page, overflow.elements())
                .isLessThanOrEqualTo(0);
        assertThat(overflow.elements()).as(page + " at 390 px").isEmpty();
        chromium.viewport(new org.openqa.selenium.Dimension(1280, 1200));
    }

    @Test
    void anUploadedFaceIsRedrawnOverTheWebSocketAsASliderMoves() throws Exception {
        Path ckpt = tmp.resolve("G.ckpt");
        try (var in = getClass().getResourceAsStream("/parity/tiny-G.zip.ckpt")) {
            Files.copy(in, ckpt);
        }
        Path named = tmp.resolve("named-G.safetensors");
        GeneratorCheckpoint tiny = GeneratorCheckpoint.load(ckpt);
        new GeneratorCheckpoint(
                        tiny.config(),
                        tiny.weights(),
                        new ModelInfo(
                                List.of("Black_Hair", "Blond_Hair", "Male"),
                                List.of(List.of("Black_Hair", "Blond_Hair")),
                                32,
                                "test",
                                1,
                                ""),
                        "safetensors")
                .save(named);
        vertx.deployVerticle(
                        new InferenceVerticle(),
                        new DeploymentOptions()
                                .setConfig(new InferenceConfig(
                                                bootstrap,
                                                topics.prefix(),
                                                "inf-" + topics.prefix(),
                                                "w1",
                                                "cpu",
                                                4,
                                                5,
                                                64,
                                                null,
                                                -1)
                                        .toJson()))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(
                            topics.models(),
                            "default",
                            new ModelAnnouncement(
                                            "default", "ui1", named.toUri().toString(), 1)
                                    .toJson()))
                    .get();
        }
        // With a user key configured, the page must carry the key on the WebSocket too (?key=), not only on fetches.
        GatewayVerticle gateway = gateway(Map.of("u-key", "translate"), new JsonObject());
        awaitReady(gateway.port());
        Path face = tmp.resolve("face.png");
        BufferedImage img = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 40; x++) {
                img.setRGB(x, y, (x * 6) << 16 | (y * 6) << 8 | 0x40);
            }
        }
        ImageIO.write(img, "png", face.toFile());

        browser.get("http://127.0.0.1:" + gateway.port() + "/");
        WebElement key = browser.findElement(By.id("key"));
        key.sendKeys("u-key", Keys.TAB);
        // One slider per domain of the model.
        waitUpTo(30)
                .until(d -> d.findElements(By.cssSelector("#sliders input[type=range]"))
                                .size()
                        == 3);
        assertThat(browser.findElement(By.cssSelector("label[for=d1]")).getText())
                .isEqualTo("Blond_Hair");

        browser.findElement(By.id("upload")).sendKeys(face.toAbsolutePath().toString());
        // Choosing the face sends it and a first edit (seq 1, all sliders at 0).
        waitUpTo(60).until(d -> d.findElement(By.id("caption")).getText().startsWith("frame 1 "));
        String firstSrc = browser.findElement(By.id("output")).getDomProperty("src");
        assertThat(firstSrc).startsWith("blob:");
        assertThat(browser.findElement(By.id("input")).getDomProperty("src")).startsWith("blob:");

        WebElement blond = browser.findElement(By.id("d1"));
        new Actions(browser)
                .clickAndHold(blond)
                .moveByOffset(30, 0)
                .moveByOffset(30, 0)
                .release()
                .perform();
        assertThat(Double.parseDouble(blond.getDomProperty("value"))).isGreaterThan(0.5);
        assertThat(browser.findElement(By.id("v1")).getText())
                .isEqualTo(String.format("%.2f", Double.parseDouble(blond.getDomProperty("value"))));
        // The drag sent edits 2, 3, ...; the newest one answered is shown: a new frame with its model version and
        // timings.
        waitUpTo(60)
                .until(d ->
                        !d.findElement(By.id("output")).getDomProperty("src").equals(firstSrc));
        String caption = browser.findElement(By.id("caption")).getText();
        assertThat(caption).matches("frame \\d+ · model ui1 · compute [0-9.]+ ms · round trip \\d+ ms");
        assertThat(Integer.parseInt(caption.split(" ")[1])).isGreaterThan(1);
        waitUpTo(10)
                .until(d -> ((Number)
                                        js(
                                                "const i = document.getElementById('output'); return i.complete ? i.naturalWidth : 0"))
                                .intValue()
                        > 0);
        assertThat(browser.findElement(By.id("status")).getDomAttribute("class"))
                .doesNotContain("error");

        // The gateway goes away: the page says the live connection closed; once it is back, the next edit reconnects,
        // sends the image again and gets a new frame.
        int port = gateway.port();
        vertx.undeploy(gatewayDeployment)
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        waitUpTo(20).until(d -> d.findElement(By.id("status")).getText().startsWith("live connection closed"));
        assertThat(browser.findElement(By.id("status")).getDomAttribute("class"))
                .contains("error");
        awaitReady(gateway(port, Map.of("u-key", "translate"), new JsonObject()).port());
        String beforeReconnect = browser.findElement(By.id("output")).getDomProperty("src");
        int seqBefore =
                Integer.parseInt(browser.findElement(By.id("caption")).getText().split(" ")[1]);
        blond.sendKeys(Keys.ARROW_LEFT);
        waitUpTo(60)
                .until(d ->
                        !d.findElement(By.id("output")).getDomProperty("src").equals(beforeReconnect));
        assertThat(Integer.parseInt(
                        browser.findElement(By.id("caption")).getText().split(" ")[1]))
                .isGreaterThan(seqBefore);
        assertThat(browser.findElement(By.id("status")).getText()).isEmpty();

        // A file that is no picture the model reads: the page says so in plain words and shows no translation (not
        // the previous picture's under a new frame number).
        Path notAnImage = Files.writeString(tmp.resolve("holiday.png"), "these are not the bytes of a PNG file\n");
        browser.findElement(By.id("upload"))
                .sendKeys(notAnImage.toAbsolutePath().toString());
        waitUpTo(30)
                .until(d ->
                        d.findElement(By.id("status")).getDomAttribute("class").contains("error"));
        String said = browser.findElement(By.id("status")).getText();
        assertThat(said)
                .startsWith("This picture cannot be translated: it is not a PNG or JPEG image.")
                .contains("upload a PNG or JPEG")
                .doesNotContain("binary frame", "edit ", "image:", "seq");
        Thread.sleep(1500); // an answer about the old picture would arrive by now
        assertThat(browser.findElement(By.id("output")).getDomAttribute("src")).isNull();
        assertThat(browser.findElement(By.id("caption")).getText()).isEqualTo("translation");
        assertThat(browser.findElement(By.id("status")).getText()).isEqualTo(said);

        // A real picture after it is translated again.
        browser.findElement(By.id("upload")).sendKeys(face.toAbsolutePath().toString());
        waitUpTo(60).until(d -> d.findElement(By.id("output")).getDomAttribute("src") != null);
        assertThat(browser.findElement(By.id("status")).getDomAttribute("class"))
                .doesNotContain("error");
        fitsAPhone("index");
    }

    @Test
    void aPhotoCroppedToItsFaceShowsTheModelCardTheFaceFoundAndThePhotoPastedBack() throws Exception {
        Path ckpt = tmp.resolve("200000-G.ckpt");
        try (var in = getClass().getResourceAsStream("/parity/tiny-G.zip.ckpt")) {
            Files.copy(in, ckpt);
        }
        vertx.deployVerticle(
                        new InferenceVerticle(),
                        new DeploymentOptions()
                                .setConfig(new InferenceConfig(
                                                bootstrap,
                                                topics.prefix(),
                                                "inf-" + topics.prefix(),
                                                "w1",
                                                "cpu",
                                                4,
                                                5,
                                                64,
                                                null,
                                                -1)
                                        .toJson()))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        String card = "an official-format test generator, untrained: for trying the photo path";
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(
                            topics.models(),
                            "default",
                            new ModelAnnouncement(
                                            "default",
                                            "official1",
                                            ckpt.toUri().toString(),
                                            1,
                                            List.of("Black_Hair", "Blond_Hair", "Male"),
                                            128,
                                            card)
                                    .toJson()))
                    .get();
        }
        GatewayVerticle gateway = gateway(Map.of(), new JsonObject());
        awaitReady(gateway.port());
        browser.get("http://127.0.0.1:" + gateway.port() + "/");
        // The model card: which model serves, what it is for, its size and domains.
        waitUpTo(30)
                .until(d -> d.findElement(By.id("card-description")).getText().equals(card));
        assertThat(browser.findElement(By.id("card-name")).getText()).isEqualTo("default (version official1)");
        assertThat(browser.findElement(By.id("card-size")).getText()).isEqualTo("128 px faces");
        assertThat(browser.findElement(By.id("card-domains")).getText())
                .isEqualTo("3 domains: Black_Hair, Blond_Hair, Male");

        new Select(browser.findElement(By.id("crop"))).selectByValue("face");
        browser.findElement(By.id("paste")).click();
        browser.findElement(By.id("upload"))
                .sendKeys(org.stargan.testing.RealPhotos.ASTRONAUT.path().toString());
        // The answer is the whole photo (512×512) with the face translated, beside the input with the face outlined.
        waitUpTo(90)
                .until(d -> ((Number) js("const i = document.getElementById('output');"
                                        + " return i.complete && i.src ? i.naturalWidth : 0"))
                                .intValue()
                        > 0);
        assertThat(browser.findElement(By.id("status")).getText()).isEmpty();
        assertThat(((Number) js("return document.getElementById('output').naturalWidth")).intValue())
                .isEqualTo(512);
        assertThat(((Number) js("return document.getElementById('output').naturalHeight")).intValue())
                .isEqualTo(512);
        List<WebElement> boxes = browser.findElements(By.cssSelector("#boxes rect"));
        assertThat(boxes).hasSize(1);
        double x = Double.parseDouble(boxes.get(0).getDomAttribute("x"));
        double width = Double.parseDouble(boxes.get(0).getDomAttribute("width"));
        org.stargan.testing.RealPhotos.Annotated marked = org.stargan.testing.RealPhotos.ASTRONAUT;
        assertThat(x).isLessThan(marked.leftEyeX());
        assertThat(x + width).isGreaterThan(marked.rightEyeX());
        assertThat(browser.findElement(By.id("boxes")).getDomAttribute("viewBox"))
                .isEqualTo("0 0 512 512");
        // Drawn over the picture: the outline's box on screen lies inside the input image's box.
        @SuppressWarnings("unchecked")
        Map<String, Number> drawn = (Map<String, Number>) js("const r = document.querySelector('#boxes rect')"
                + ".getBoundingClientRect(), i = document.getElementById('input').getBoundingClientRect();"
                + " return {left: r.left - i.left, right: i.right - r.right, top: r.top - i.top, w: r.width};");
        assertThat(drawn.get("left").doubleValue()).isPositive();
        assertThat(drawn.get("right").doubleValue()).isPositive();
        assertThat(drawn.get("top").doubleValue()).isPositive();
        assertThat(drawn.get("w").doubleValue()).isGreaterThan(20);
        assertThat(browser.findElement(By.id("input-caption")).getText()).contains("the face found outlined");
        fitsAPhone("index-photo");

        // A photo without a face: said in plain words, with what to do; no translation or outline left standing.
        Path coffee = Path.of("/usr/lib/python3/dist-packages/skimage/data/coffee.png");
        org.stargan.testing.RealPhotos.noFace("coffee.png"); // fails naming the package when it is missing
        browser.findElement(By.id("upload")).sendKeys(coffee.toString());
        waitUpTo(90)
                .until(d ->
                        d.findElement(By.id("status")).getDomAttribute("class").contains("error"));
        assertThat(browser.findElement(By.id("status")).getText())
                .startsWith("No face was found in this picture; choose 'centre square' (crop) to translate it anyway");
        assertThat(browser.findElement(By.id("output")).getDomAttribute("src")).isNull();
        assertThat(browser.findElements(By.cssSelector("#boxes rect"))).isEmpty();
        // Choosing the centre square translates it: the photo pasted back at its size, 600×400.
        new Select(browser.findElement(By.id("crop"))).selectByValue("center");
        waitUpTo(90)
                .until(d -> ((Number) js("const i = document.getElementById('output');"
                                        + " return i.complete && i.src ? i.naturalWidth : 0"))
                                .intValue()
                        == 600);
        assertThat(browser.findElement(By.id("status")).getText()).isEmpty();
    }

    @Test
    void theTrainingPageStartsASyntheticJobAndDrawsItsLossesAndSamples() throws Exception {
        Path artifacts = tmp.resolve("artifacts");
        vertx.deployVerticle(
                        new TrainerVerticle(),
                        new DeploymentOptions()
                                .setConfig(new TrainerConfig(
                                                bootstrap,
                                                topics.prefix(),
                                                "trainers-" + topics.prefix(),
                                                "t1",
                                                "cpu",
                                                tmp.toString(),
                                                artifacts.toString(),
                                                -1)
                                        .toJson()))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        GatewayVerticle gateway = gateway(
                Map.of("a-key", "admin", "*", "translate"), new JsonObject().put("artifactRoot", artifacts.toString()));

        browser.get("http://127.0.0.1:" + gateway.port() + "/");
        browser.findElement(By.id("training-link")).click();
        waitUpTo(10).until(d -> d.getCurrentUrl().endsWith("/training.html"));
        browser.findElement(By.id("key")).sendKeys("a-key", Keys.TAB);
        WebElement form = browser.findElement(By.id("job-form"));
        // As tiny as the trainer's own tests: 16 px, 20 iterations, a point every 5, a sample and a checkpoint every
        // 10.
        for (String[] field : new String[][] {
            {"iterations", "20"},
            {"batch_size", "4"},
            {"count", "40"},
            {"seed", "3"},
            {"log_step", "5"},
            {"sample_step", "10"},
            {"save_step", "10"}
        }) {
            WebElement input = form.findElement(By.name(field[0]));
            input.clear();
            input.sendKeys(field[1]);
        }
        new Select(form.findElement(By.name("image_size"))).selectByVisibleText("16");
        browser.findElement(By.id("start")).click();

        waitUpTo(20).until(d -> d.findElement(By.id("form-status")).getText().matches("job job-\\w+ queued"));
        String job = browser.findElement(By.id("form-status")).getText().split(" ")[1];
        assertThat(browser.findElement(By.id("job-id")).getText()).isEqualTo(job);
        // The job runs to its end; the page follows it from the event stream.
        waitUpTo(150)
                .until(d -> d.findElement(By.id("progress")).getText().startsWith("done")
                        || d.findElement(By.id("progress")).getText().startsWith("failed"));
        assertThat(browser.findElement(By.id("progress")).getText()).startsWith("done · iteration 20 / 20");

        // Both loss charts have a curve per loss with a point per log event (iterations 5, 10, 15, 20); the form's
        // quick
        // settings add the identity term, G/loss_id.
        List<WebElement> curves = browser.findElements(By.cssSelector("#chart-d path.series, #chart-g path.series"));
        assertThat(curves)
                .extracting(c -> c.getDomAttribute("data-name"))
                .containsExactlyInAnyOrder(
                        "D/loss_real",
                        "D/loss_fake",
                        "D/loss_cls",
                        "D/loss_gp",
                        "G/loss_fake",
                        "G/loss_rec",
                        "G/loss_cls",
                        "G/loss_id");
        for (WebElement curve : curves) {
            String d = curve.getDomAttribute("d");
            assertThat(d.split("[ML]").length - 1)
                    .as("points of %s: %s", curve.getDomAttribute("data-name"), d)
                    .isEqualTo(4);
        }
        assertThat(browser.findElement(By.id("legend-g")).getText()).contains("G/loss_rec");

        // The latest sample grid comes through the gateway's artifact route and decodes as an image.
        waitUpTo(20).until(d -> d.findElement(By.id("sample-caption")).getText().equals("iteration 20"));
        waitUpTo(10)
                .until(d -> ((Number)
                                        js(
                                                "const i = document.getElementById('sample-img'); return i.complete ? i.naturalWidth : 0"))
                                .intValue()
                        > 0);
        assertThat(browser.findElement(By.id("sample-img")).getDomProperty("src"))
                .startsWith("blob:");
        assertThat(browser.findElements(By.cssSelector("#checkpoints tr")))
                .extracting(row -> String.join(
                        "|",
                        row.findElements(By.tagName("td")).stream()
                                .map(WebElement::getText)
                                .toList()))
                .containsExactly("10|" + job + "-10|10-G.safetensors", "20|" + job + "-20|20-G.safetensors");
        assertThat(browser.findElements(By.cssSelector("#jobs-body tr.job.selected")))
                .hasSize(1);
        assertThat(browser.findElement(By.id("cancel")).isEnabled())
                .as("cancel after the end")
                .isFalse();
        // Charts, tables and the form with a job on screen fit a phone.
        fitsAPhone("training");
    }

    private static void awaitReady(int port) throws Exception {
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        long deadline = System.nanoTime() + 60_000_000_000L;
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                .build();
        HttpResponse<String> answer = http.send(ready, HttpResponse.BodyHandlers.ofString());
        while (System.nanoTime() < deadline && answer.statusCode() != 200) {
            Thread.sleep(100);
            answer = http.send(ready, HttpResponse.BodyHandlers.ofString());
        }
        // A gateway that never got ready fails here, by its own reason, not later as a page that never drew.
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    }
}
