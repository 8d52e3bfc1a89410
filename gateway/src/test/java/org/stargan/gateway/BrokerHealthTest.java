package org.stargan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The broker's reachability from probe outcomes, on a fake clock. */
class BrokerHealthTest {
    private final AtomicLong now = new AtomicLong(10_000);
    private final List<String> downs = new ArrayList<>();
    private boolean up = true;
    private final BrokerHealth health = new BrokerHealth(
            () -> up ? Future.succeededFuture() : Future.failedFuture("127.0.0.1:9092: Connection refused"),
            now::get,
            250,
            downs::add);

    @Test
    void twoFailedProbesInARowMarkItUnreachableOnceAndOneSuccessReachableAgain() {
        health.check();
        assertThat(health.reachable()).isTrue();
        assertThat(health.problem()).isNull();
        up = false;
        health.check();
        assertThat(health.reachable())
                .as("one refused connection can be a blink")
                .isTrue();
        health.check();
        assertThat(health.reachable()).isFalse();
        assertThat(downs)
                .containsExactly("the Kafka broker is unreachable (127.0.0.1:9092: Connection refused) since 0.0 s ago;"
                        + " retry shortly");
        now.addAndGet(1500);
        health.check();
        assertThat(downs).as("told once per outage").hasSize(1);
        assertThat(health.problem()).contains("since 1.5 s ago");
        up = true;
        health.check();
        assertThat(health.reachable()).isTrue();
        up = false;
        health.check();
        assertThat(health.reachable()).as("the count starts again").isTrue();
    }

    @Test
    void aProbeStillRunningIsNotStartedAgain() {
        List<io.vertx.core.Promise<Void>> running = new ArrayList<>();
        BrokerHealth slow = new BrokerHealth(
                () -> {
                    io.vertx.core.Promise<Void> p = io.vertx.core.Promise.promise();
                    running.add(p);
                    return p.future();
                },
                now::get,
                250,
                downs::add);
        slow.check();
        slow.check();
        assertThat(running).hasSize(1);
        running.get(0).fail("timed out");
        slow.check();
        assertThat(running).hasSize(2);
    }

    @Test
    void aSendAcknowledgedWithinThePeriodStandsForAProbeAndAnOutageIsStillKnownOnePeriodLater() {
        List<String> probes = new ArrayList<>();
        BrokerHealth counted = new BrokerHealth(
                () -> {
                    probes.add("probe at " + now.get());
                    return up ? Future.succeededFuture() : Future.failedFuture("127.0.0.1:9092: Connection refused");
                },
                now::get,
                250,
                downs::add);
        counted.heard();
        now.addAndGet(249);
        counted.check();
        assertThat(probes).as("no connection while sends are acknowledged").isEmpty();
        assertThat(counted.reachable()).isTrue();
        // The broker goes away right after that acknowledgement: the next checks probe and find it gone.
        up = false;
        now.addAndGet(1);
        counted.check();
        assertThat(probes).hasSize(1);
        assertThat(counted.reachable()).as("one failure").isTrue();
        now.addAndGet(250);
        counted.check();
        assertThat(counted.reachable()).isFalse();
        assertThat(downs).hasSize(1);
        // An acknowledged send is as good as a successful probe: reachable again at once.
        up = true;
        counted.heard();
        assertThat(counted.reachable()).isTrue();
        assertThat(counted.problem()).isNull();
    }
}
