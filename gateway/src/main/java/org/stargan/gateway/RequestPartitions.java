package org.stargan.gateway;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * Where a hedged request should go: a partition of the request topic that a different worker holds than the one its
 * key sends it to, so that its second copy does not queue behind the first on a worker that may be dead or stuck.
 * Kept current from {@link WorkerProbe} views; until one arrives (or with one partition, or one worker) there is no
 * such partition. Thread-safe: the latest view is replaced whole.
 */
final class RequestPartitions {
    private volatile WorkerProbe.View view = new WorkerProbe.View(0, 0, java.util.Map.of());

    /** Takes the broker's latest answer. */
    void update(WorkerProbe.View latest) {
        view = latest;
    }

    /** The partition the producer's default partitioner picks for {@code key} among {@code partitions}. */
    static int byKey(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** A partition held by another worker than {@code key}'s own, or −1 when there is none. */
    int alternative(String key) {
        WorkerProbe.View v = view;
        if (v.partitions() < 2) {
            return -1;
        }
        int own = byKey(key, v.partitions());
        String ownHolder = v.owners().get(own);
        for (int i = 1; i < v.partitions(); i++) {
            int p = (own + i) % v.partitions();
            String holder = v.owners().get(p);
            if (holder != null && !holder.equals(ownHolder)) {
                return p;
            }
        }
        return -1;
    }
}
