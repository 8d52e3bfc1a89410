package org.stargan.deploy.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.stargan.msg.Protocol;
import org.stargan.msg.TranslateRequest;

/**
 * Faults of the serving path with every service its own process and the load from outside (issue "Serving under faults
 * and hostile clients"): a request naming a reply partition that does not exist, a worker killed with {@code kill -9}
 * under load, and the broker stopped and started again. Each prints its figures, measured from the client's side, and
 * asserts the targets. The scenarios share one cluster (broker, gateway, two workers on two request partitions) and run
 * in order: the last leaves one worker after the kill.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverChaosTest {
    private ChaosCluster cluster;
    private byte[] face;

    @BeforeAll
    void start() throws Exception {
        cluster = ChaosCluster.start(2, List.of("w-a", "w-b"), List.of());
        face = ChaosCluster.face();
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private ChaosLoad load(int users, long requests, Duration timeout) {
        return new ChaosLoad(cluster.translate(), face, "normal", users, requests, timeout).start();
    }

    /** Target: dead letter within 1 s; other requests' latency unaffected; offsets keep advancing. */
    @Test
    @Order(1)
    void aBadReplyPartitionIsDeadLetteredWithinASecondAndHoldsNothingBack() throws Exception {
        try (KafkaConsumer<String, byte[]> dead = new KafkaConsumer<>(
                        Map.of("bootstrap.servers", cluster.bootstrap()),
                        new StringDeserializer(),
                        new ByteArrayDeserializer());
                KafkaProducer<String, byte[]> third = new KafkaProducer<>(
                        Map.of("bootstrap.servers", cluster.bootstrap()),
                        new StringSerializer(),
                        new ByteArraySerializer());
                ChaosLoad load = load(2, 0, Duration.ofSeconds(35))) {
            TopicPartition dl = new TopicPartition(ChaosCluster.TOPICS.deadLetters(), 0);
            dead.assign(List.of(dl));
            dead.seekToEnd(List.of(dl));
            dead.position(dl);
            long t0 = System.nanoTime();
            // Windows by count, not time: on a busy machine a few seconds may hold only a handful of answers.
            awaitAnswered(load, 20);
            // A third-party client asking for an answer on a partition the gateway's reply topic does not have.
            TranslateRequest bad = new TranslateRequest(
                    "chaos-bad-1",
                    face,
                    ChaosCluster.TOPICS.replyTopic(ChaosCluster.GATEWAY_ID),
                    7,
                    null,
                    "domain1=1",
                    "default",
                    null,
                    Protocol.PNG);
            ProducerRecord<String, byte[]> rec =
                    new ProducerRecord<>(ChaosCluster.TOPICS.translateRequests(), bad.id(), bad.image());
            bad.headers().forEach((k, v) -> rec.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
            long injected = System.nanoTime();
            RecordMetadata sent = third.send(rec).get(10, TimeUnit.SECONDS);
            ConsumerRecord<String, byte[]> letter = null;
            long deadline = System.nanoTime() + 15_000_000_000L;
            while (letter == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : dead.poll(Duration.ofMillis(100))) {
                    if (bad.id().equals(r.key())) {
                        letter = r;
                    }
                }
            }
            awaitAnswered(load, load.answered() + 20);
            load.stop();
            long end = System.nanoTime();
            assertThat(letter).as("dead letter of the bad request").isNotNull();
            long deadLetterMs = letter.timestamp() - sent.timestamp();
            String reason = new String(
                    letter.headers().lastHeader(Protocol.DEAD_LETTER_REASON).value(), StandardCharsets.UTF_8);
            ChaosLoad.Figures before = ChaosLoad.figures(load.calls(), t0, injected);
            ChaosLoad.Figures after = ChaosLoad.figures(load.calls(), injected, end);
            System.out.println(before.line("bad-reply-partition, before"));
            System.out.println(after.line("bad-reply-partition, after"));
            System.out.printf(
                    "CHAOS bad-reply-partition: dead letter %d ms after the request (%s)%n", deadLetterMs, reason);
            assertThat(reason).startsWith("stargan.reply-partition: 7, but topic");
            assertThat(deadLetterMs).as("ms to the dead letter").isLessThanOrEqualTo(1000);
            assertThat(before.failed() + before.lost() + after.failed() + after.lost())
                    .as("failed or lost requests")
                    .isZero();
            assertThat(after.answered()).isPositive();
            // Unaffected: within twice the usual p99 (plus scheduling noise of a shared machine); the jam it replaces
            // held every result for the producer's metadata timeout.
            assertThat(after.p99Ms())
                    .as("p99 ms after the bad request (before: %.0f)", before.p99Ms())
                    .isLessThanOrEqualTo(2 * before.p99Ms() + 250);
        }
        awaitCommittedToTheEnd();
    }

    private static void awaitAnswered(ChaosLoad load, long count) throws InterruptedException {
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (load.answered() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    /** The workers' group has committed every request partition up to its end: nothing is stuck behind a record. */
    private void awaitCommittedToTheEnd() throws Exception {
        long deadline = System.nanoTime() + 15_000_000_000L;
        Map<TopicPartition, long[]> offsets = cluster.committedAndEnd();
        while (offsets.values().stream().anyMatch(o -> o[0] < o[1]) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            offsets = cluster.committedAndEnd();
        }
        offsets.forEach((tp, o) -> System.out.printf("CHAOS offsets %s: committed %d of %d%n", tp, o[0], o[1]));
        assertThat(offsets.values()).allSatisfy(o -> assertThat(o[0]).isEqualTo(o[1]));
    }

    /** Target: 0 requests lost or failed; longest gap ≤ 10 s. */
    @Test
    @Order(2)
    void aWorkerKilledUnderLoadLosesNothingAndLeavesNoGapOverTenSeconds() throws Exception {
        double hedgedBefore = cluster.gatewayMetric("stargan_gateway_hedged_requests");
        try (ChaosLoad load = load(4, 200, Duration.ofSeconds(35))) {
            awaitAnswered(load, 50);
            ChaosLoad.Call last = load.lastAnswered();
            assertThat(last).as("answers before the kill").isNotNull();
            ServiceJvm victim = cluster.worker(last.worker());
            long killedAt = System.nanoTime();
            victim.kill9();
            assertThat(load.awaitDone(Duration.ofMinutes(3)))
                    .as("all 200 requests ended")
                    .isTrue();
            List<ChaosLoad.Call> calls = load.calls();
            ChaosLoad.Figures f = ChaosLoad.figures(calls, Long.MIN_VALUE, Long.MAX_VALUE);
            double firstAfterKill = calls.stream()
                            .filter(c -> c.status() == 200 && c.endNanos() > killedAt)
                            .mapToLong(ChaosLoad.Call::endNanos)
                            .min()
                            .orElse(Long.MAX_VALUE)
                    - killedAt;
            double hedged = cluster.gatewayMetric("stargan_gateway_hedged_requests") - hedgedBefore;
            System.out.println(f.line("worker-kill (" + last.worker() + " killed with kill -9 after "
                    + calls.stream().filter(c -> c.endNanos() < killedAt).count() + " answers)"));
            System.out.printf(
                    "CHAOS worker-kill: first answer %.0f ms after the kill; %.0f requests hedged to the survivor%n",
                    firstAfterKill / 1e6, hedged);
            assertThat(f.sent()).isEqualTo(200);
            assertThat(f.failed()).as("failed requests: %s", f.statuses()).isZero();
            assertThat(f.lost()).as("lost requests").isZero();
            assertThat(f.longestGapMs()).as("longest gap, ms").isLessThanOrEqualTo(10_000);
        }
    }

    /** Target: every request answered (503 or success) within 2 s; success within 5 s of the broker's return. */
    @Test
    @Order(3)
    void withTheBrokerDownEveryRequestIsAnsweredWithinTwoSecondsAndServiceResumesWithinFive() throws Exception {
        try (ChaosLoad load = load(2, 0, Duration.ofSeconds(35))) {
            Thread.sleep(3000);
            long stopping = System.nanoTime();
            cluster.stopBroker();
            long stopped = System.nanoTime();
            Thread.sleep(5000);
            cluster.startBroker();
            long back = System.nanoTime();
            long deadline = back + 20_000_000_000L;
            while (System.nanoTime() < deadline
                    && load.calls().stream().noneMatch(c -> c.status() == 200 && c.endNanos() > back)) {
                Thread.sleep(50);
            }
            Thread.sleep(2000);
            load.stop();
            List<ChaosLoad.Call> calls = load.calls();
            // Every call the outage touched: in flight when the broker began to stop, or started before it was back.
            List<ChaosLoad.Call> touched = calls.stream()
                    .filter(c -> c.endNanos() > stopping && c.startNanos() < back)
                    .toList();
            // How long the outage kept each call waiting: from its start, or from when the stop began for a call
            // already
            // in flight (whatever it had waited before is the machine's, not the outage's).
            double longest = touched.stream()
                    .mapToDouble(c -> (c.endNanos() - Math.max(c.startNanos(), stopping)) / 1e6)
                    .max()
                    .orElse(0);
            long firstSuccess = calls.stream()
                    .filter(c -> c.status() == 200 && c.endNanos() > back)
                    .mapToLong(ChaosLoad.Call::endNanos)
                    .min()
                    .orElse(Long.MAX_VALUE);
            ChaosLoad.Figures during = ChaosLoad.figures(touched, Long.MIN_VALUE, Long.MAX_VALUE);
            System.out.println(during.line("broker-down (stopped in " + (stopped - stopping) / 1_000_000 + " ms, "
                    + "down 5 s, calls the outage touched)"));
            System.out.printf(
                    "CHAOS broker-down: longest wait the outage caused %.0f ms; first success %.0f ms after the"
                            + " broker was back%n",
                    longest, (firstSuccess - back) / 1e6);
            touched.stream()
                    .filter(c -> c.endNanos() - Math.max(c.startNanos(), stopping) > 2_000_000_000L
                            || (c.status() != 200 && c.status() != 503))
                    .forEach(c -> System.out.printf(
                            "CHAOS broker-down: a call from %+.0f to %+.0f ms (stop began at 0, broker back at %+.0f):"
                                    + " %d %s%n",
                            (c.startNanos() - stopping) / 1e6,
                            (c.endNanos() - stopping) / 1e6,
                            (back - stopping) / 1e6,
                            c.status(),
                            c.error() == null ? "" : c.error()));
            assertThat(touched).as("calls during the outage").isNotEmpty();
            assertThat(touched)
                    .allSatisfy(c -> assertThat(c.status()).as(c.error()).isIn(200, 503));
            assertThat(longest).as("longest wait the outage caused, ms").isLessThanOrEqualTo(2000);
            assertThat((firstSuccess - back) / 1e6)
                    .as("ms from the broker's return to a success")
                    .isLessThanOrEqualTo(5000);
        }
    }
}
