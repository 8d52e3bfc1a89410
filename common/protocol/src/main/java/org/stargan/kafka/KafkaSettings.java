package org.stargan.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The Kafka client settings of every service, one factory per role, each setting with the reason it is there. Every
 * map is mutable, so a service can add what only it needs. Values are strings, as the Vert.x clients take them.
 */
public final class KafkaSettings {
    /** Headroom above the largest record value for its key and headers. */
    private static final int RECORD_OVERHEAD_BYTES = 1 << 20;

    private KafkaSettings() {}

    /**
     * A producer whose sends count as done only when the record is durable: requests, results, events,
     * announcements.
     *
     * @param maxValueBytes the largest record value it sends
     */
    public static Map<String, String> durableProducer(String bootstrapServers, int maxValueBytes) {
        Map<String, String> p = base(bootstrapServers);
        // A send succeeds once every in-sync replica has the record: that is when a request counts as queued and a
        // result as published (and only then is the request's offset committed).
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // Retries after a lost acknowledgement must not duplicate or reorder records within a partition.
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(maxValueBytes + RECORD_OVERHEAD_BYTES));
        return p;
    }

    /**
     * The gateway's request producer: durable, and never holding a request past its deadline when the broker is gone.
     *
     * @param deadlineMillis how long a caller waits for its answer in all
     */
    public static Map<String, String> requestProducer(String bootstrapServers, int maxValueBytes, long deadlineMillis) {
        Map<String, String> p = durableProducer(bootstrapServers, maxValueBytes);
        // A send that cannot complete within the caller's deadline fails instead of answering nobody later.
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(Math.max(deadlineMillis, 1000)));
        // Kafka requires delivery.timeout.ms ≥ linger.ms + request.timeout.ms.
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.max(deadlineMillis / 2, 500)));
        return p;
    }

    /** A worker's result producer: durable, and batching results that complete together. */
    public static Map<String, String> resultProducer(String bootstrapServers, int maxValueBytes) {
        Map<String, String> p = durableProducer(bootstrapServers, maxValueBytes);
        // Results are images of tens of kB finishing a batch at once; 1 ms of lingering sends them in one request
        // under load without a visible delay.
        p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        return p;
    }

    /**
     * A member of a work-sharing group (inference requests, training jobs): offsets are committed by the service after
     * the work is done, so a member that dies leaves its work to another (at-least-once).
     */
    public static Map<String, String> workConsumer(String bootstrapServers, String groupId, int maxValueBytes) {
        Map<String, String> c = fromStart(bootstrapServers, groupId, maxValueBytes);
        // Committed by hand, only after the result is published.
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return c;
    }

    /**
     * A member of the inference workers' group: a work consumer whose death the group notices within seconds. The
     * gateway answers a translation within its deadline (30 s by default); a worker killed without leaving the group
     * keeps its partitions until its session expires, and only then are its uncommitted requests redelivered to a
     * survivor. With the default 45 s session every request in flight on a dead worker would miss the deadline.
     */
    public static Map<String, String> requestConsumer(String bootstrapServers, String groupId, int maxValueBytes) {
        Map<String, String> c = workConsumer(bootstrapServers, groupId, maxValueBytes);
        // The smallest session a broker accepts by default (group.min.session.timeout.ms): a dead worker's partitions
        // move to the survivors ~6 s after its last heartbeat, leaving the redelivered requests most of the deadline.
        c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000");
        // A third of the session, as Kafka advises: two heartbeats may be lost before a live worker is taken for dead.
        // Heartbeats come from the client's own thread, so a busy compute thread never delays them.
        c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "2000");
        return c;
    }

    /**
     * A reader of a whole topic in a group of its own (the registry, job events, control commands, a gateway's
     * replies): it starts at the beginning, and its offsets matter to nobody else.
     */
    public static Map<String, String> readerOfAll(String bootstrapServers, String groupId, int maxValueBytes) {
        return fromStart(bootstrapServers, groupId, maxValueBytes);
    }

    /** An admin client whose calls fail within {@code timeoutMillis} when the broker does not answer (probes). */
    public static Map<String, String> admin(String bootstrapServers, long timeoutMillis) {
        Map<String, String> a = base(bootstrapServers);
        // A readiness probe must answer whether or not the broker does.
        a.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.max(timeoutMillis * 3 / 4, 100)));
        a.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeoutMillis));
        return a;
    }

    private static Map<String, String> fromStart(String bootstrapServers, String groupId, int maxValueBytes) {
        Map<String, String> c = base(bootstrapServers);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        // A group without committed offsets starts at the beginning: nothing queued before its first member joined is
        // skipped.
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // One record may be as large as the largest value; the default 1 MiB would stall a partition on it.
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(maxValueBytes + RECORD_OVERHEAD_BYTES));
        return c;
    }

    private static Map<String, String> base(String bootstrapServers) {
        Map<String, String> m = new HashMap<>();
        m.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return m;
    }
}
