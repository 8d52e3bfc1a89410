package org.stargan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where a hedged request goes: a partition another worker holds, never its own worker's. */
class RequestPartitionsTest {
    private final RequestPartitions partitions = new RequestPartitions();

    @Test
    void theKeysPartitionIsTheProducersDefault() {
        // Kafka's default partitioner: murmur2 of the key bytes, made positive, modulo the partition count.
        assertThat(RequestPartitions.byKey("gw-1-1", 4))
                .isEqualTo(org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(
                                "gw-1-1".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                        % 4);
    }

    @Test
    void anotherWorkersPartitionIsChosen() {
        partitions.update(new WorkerProbe.View(2, 4, Map.of(0, "a", 1, "a", 2, "b", 3, "b")));
        for (int i = 0; i < 50; i++) {
            String key = "gw-1-" + i;
            int own = RequestPartitions.byKey(key, 4);
            int other = partitions.alternative(key);
            assertThat(other).isBetween(0, 3);
            assertThat(own < 2 ? "a" : "b").isNotEqualTo(other < 2 ? "a" : "b");
        }
    }

    @Test
    void withOnePartitionOneWorkerOrNoViewThereIsNone() {
        assertThat(partitions.alternative("k")).as("no view yet").isEqualTo(-1);
        partitions.update(new WorkerProbe.View(1, 1, Map.of(0, "a")));
        assertThat(partitions.alternative("k")).isEqualTo(-1);
        partitions.update(new WorkerProbe.View(1, 3, Map.of(0, "a", 1, "a", 2, "a")));
        assertThat(partitions.alternative("k")).isEqualTo(-1);
        partitions.update(new WorkerProbe.View(1, 2, Map.of(0, "a")));
        assertThat(partitions.alternative("k")).as("a partition nobody holds").isEqualTo(-1);
    }
}
