package org.stargan.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

/** Reply targets are checked against the broker's partition counts, cached, without a broker here. */
class ReplyTargetsTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final List<String> asked = new ArrayList<>();
    private final Map<String, Integer> partitions = new java.util.HashMap<>(Map.of("replies", 2));
    private boolean brokerAway;

    private final ReplyTargets targets = new ReplyTargets(
            topic -> {
                asked.add(topic);
                if (brokerAway) {
                    return Future.failedFuture(new TimeoutException("Timed out waiting for a node assignment"));
                }
                Integer n = partitions.get(topic);
                return n == null
                        ? Future.failedFuture(new UnknownTopicOrPartitionException("This server does not host it"))
                        : Future.succeededFuture(n);
            },
            now::get);

    private String problem(String topic, int partition) {
        return targets.problem(topic, partition).result();
    }

    @Test
    void anExistingPartitionOrTheKeysChoicePasses() {
        assertThat(problem("replies", 1)).isNull();
        assertThat(problem("replies", -1)).isNull();
    }

    @Test
    void aPartitionBeyondTheTopicIsNamedWithTheRange() {
        assertThat(problem("replies", 7))
                .isEqualTo("stargan.reply-partition: 7, but topic 'replies' has 2 partitions, expected 0..1");
    }

    @Test
    void anUnknownTopicIsNamed() {
        assertThat(problem("nowhere", -1)).startsWith("stargan.reply-to: topic 'nowhere' does not exist");
    }

    @Test
    void countsAreCachedForTenSecondsAndUnknownTopicsForOne() {
        problem("replies", 0);
        problem("replies", 7);
        now.addAndGet(ReplyTargets.KNOWN_MILLIS - 1);
        problem("replies", 0);
        assertThat(asked).containsExactly("replies");
        partitions.put("replies", 8); // the topic grew
        now.addAndGet(1);
        assertThat(problem("replies", 7)).isNull();

        problem("later", 0);
        partitions.put("later", 1); // created a moment after the first request
        assertThat(problem("later", 0)).isNotNull();
        now.addAndGet(ReplyTargets.UNKNOWN_MILLIS);
        assertThat(problem("later", 0)).isNull();
        assertThat(asked).containsExactly("replies", "replies", "later", "later");
    }

    @Test
    void whenTheBrokerCannotBeAskedTheTargetPassesAndNothingIsCached() {
        brokerAway = true;
        assertThat(problem("replies", 7)).isNull();
        brokerAway = false;
        assertThat(problem("replies", 7)).isNotNull();
    }
}
