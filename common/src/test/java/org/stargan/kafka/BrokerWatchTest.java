package org.stargan.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service started before its broker says so once, with what to start, and once more when the broker answers — in
 * place of the Kafka clients' retry warnings (turned off in simplelogger.properties).
 */
class BrokerWatchTest {
    @Test
    void aMissingBrokerIsReportedOnceWithWhatToStartThenItsArrival(@TempDir Path dir) throws Exception {
        int port = LocalKafka.freePort();
        String bootstrap = "127.0.0.1:" + port;
        List<String> said = new CopyOnWriteArrayList<>();
        try (BrokerWatch watch = BrokerWatch.start("gateway", bootstrap, said::add)) {
            waitFor(said, 1, 30);
            assertThat(said)
                    .containsExactly("gateway: no Kafka broker answers at " + bootstrap + "; start one with `./stargan "
                            + "kafka --port " + port + "` (or give --bootstrap HOST:PORT). Waiting for it...");
            Thread.sleep(6_000); // another probe: still one message
            assertThat(said).hasSize(1);
            try (LocalKafka kafka = LocalKafka.start(
                    Path.of(System.getProperty("stargan.kafka.broker.home")), port, dir.resolve("data"), 120)) {
                waitFor(said, 2, 60);
                assertThat(said.get(1)).isEqualTo("gateway: connected to Kafka at " + bootstrap);
            }
        }
    }

    @Test
    void aBrokerElsewhereIsNotToBeStartedHere() {
        assertThat(BrokerWatch.advice("trainer-worker", "127.0.0.1:9092"))
                .contains("start one with `./stargan kafka` (or give");
        assertThat(BrokerWatch.advice("trainer-worker", "kafka:9092"))
                .startsWith("trainer-worker: no Kafka broker answers at kafka:9092; check that it runs")
                .doesNotContain("./stargan kafka");
    }

    private static void waitFor(List<String> said, int count, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (said.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(said).as("messages after %d s", seconds).hasSizeGreaterThanOrEqualTo(count);
    }
}
