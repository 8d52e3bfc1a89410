package org.stargan.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.stargan.msg.Protocol;

/**
 * The Kafka client settings of every service, one factory per role, each setting with the reason it is there. Every
 * map is mutable, so a service can add what only it needs. Values are strings, as the Vert.x clients take them.
 */
public final class KafkaSettings {
    /** Headroom above the largest record value for its key and headers. */
    private static final int RECORD_OVERHEAD_BYTES = 1 << 20;

    /**
     * The largest record (value, key and headers) of the translation topics: the largest request value plus headroom.
     * Brokers must accept it ({@code message.max.bytes}, or the topics' {@code max.message.bytes}); the local broker,
     * compose and Kubernetes files set exactly this.
     */
    public static final int MAX_RECORD_BYTES = Protocol.MAX_VALUE_BYTES + RECORD_OVERHEAD_BYTES;

    /**
     * How long the group coordinator waits for a work consumer's heartbeat before it gives the member's partitions to
     * another: the time a killed worker's requests wait before a survivor takes them over. 6 s is the smallest value a
     * broker accepts by default ({@code group.min.session.timeout.ms}); Kafka's own default, 45 s, is longer than the
     * gateway's deadline, so requests in flight on a killed worker used to time out although a survivor was idle.
     */
    public static final int WORK_SESSION_TIMEOUT_MS = 6_000;

    /** Heartbeats three times per session, as Kafka advises, so one lost heartbeat does not evict a live member. */
    public static final int WORK_HEARTBEAT_INTERVAL_MS = WORK_SESSION_TIMEOUT_MS / 3;

    /**
     * The longest a result send may take in all, retries included: long enough to ride out a broker restart, short
     * enough that a result which cannot be delivered is dead-lettered and its offset committed (a gateway stops waiting
     * after its own deadline anyway).
     */
    public static final int RESULT_DELIVERY_TIMEOUT_MS = 30_000;

    /**
     * The longest {@code send} may block the producer's sending thread waiting for a topic's metadata (or buffer
     * space). The Vert.x producer runs sends one after another, so this bounds how long one send to a topic the
     * producer knows nothing about yet holds back every other result; Kafka's default is 60 s.
     */
    public static final int MAX_BLOCK_MS = 5_000;

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
        // A send waiting for metadata must not hold back the sends queued behind it for a minute.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Integer.toString(MAX_BLOCK_MS));
        return p;
    }

    /**
     * The gateway's request producer: durable, and never holding a request past its deadline when the broker is gone.
     *
     * @param deadlineMillis how long a caller waits for its answer in all
     */
    public static Map<String, String> requestProducer(String bootstrapServers, int maxValueBytes, long deadlineMillis) {
        Map<String, String> p = durableProducer(bootstrapServers, maxValueBytes);
        // Requests that arrive together (a client's burst, the answers of one batch asked again) go to the broker in
        // one produce request and reach a worker in one fetch, instead of one of each per request; 1 ms is nothing
        // beside a batch's own wait for company.
        p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        // A send that cannot complete within the caller's deadline fails instead of answering nobody later.
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(Math.max(deadlineMillis, 1000)));
        // Kafka requires delivery.timeout.ms ≥ linger.ms + request.timeout.ms.
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.max(deadlineMillis / 2, 500)));
        // Nor may a send wait for metadata longer than the caller waits.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(Math.min(MAX_BLOCK_MS, Math.max(deadlineMillis, 100))));
        return p;
    }

    /** A worker's result producer: durable, batching results that complete together, every send bounded in time. */
    public static Map<String, String> resultProducer(String bootstrapServers, int maxValueBytes) {
        Map<String, String> p = durableProducer(bootstrapServers, maxValueBytes);
        // Results are images of tens of kB finishing a batch at once; 1 ms of lingering sends them in one request
        // under load without a visible delay.
        p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        // Bounded, so that a result that cannot be delivered is dead-lettered and the partition's commits go on
        // (Kafka's default is two minutes).
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.toString(RESULT_DELIVERY_TIMEOUT_MS));
        // delivery.timeout.ms ≥ linger.ms + request.timeout.ms, and a broker that does not answer one request within
        // 10 s gets it again rather than using up the whole delivery time.
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        return p;
    }

    /**
     * A member of a work-sharing group (inference requests, training jobs): offsets are committed by the service after
     * the work is done, so a member that dies leaves its work to another (at-least-once), within seconds.
     *
     * @param clientId this member's name in the broker's logs, quotas and metrics (the worker's id): each process has
     *     its own
     * @param staticInstanceId a name this member keeps across restarts (a StatefulSet pod's name), or null
     */
    public static Map<String, String> workConsumer(
            String bootstrapServers, String groupId, int maxValueBytes, String clientId, String staticInstanceId) {
        Map<String, String> c = workConsumer(bootstrapServers, groupId, maxValueBytes);
        // Kafka's default (consumer-<group>-<n>) is the same in every process of the group: logs, quotas and the
        // broker's view of who holds which partition could not tell two workers apart.
        c.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        if (staticInstanceId != null && !staticInstanceId.isBlank()) {
            // Static membership: a member that restarts under the same name within the session timeout gets its
            // partitions back without a rebalance of the whole group. Only with a name that is stable and unique
            // (two live members with one name fence each other), so never derived from a process id.
            c.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, staticInstanceId);
        }
        return c;
    }

    /** As {@link #workConsumer(String, String, int, String, String)}, with Kafka's default client id. */
    public static Map<String, String> workConsumer(String bootstrapServers, String groupId, int maxValueBytes) {
        Map<String, String> c = fromStart(bootstrapServers, groupId, maxValueBytes);
        // Committed by hand, only after the result is published.
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // A dead member's partitions move to a survivor after this long (see the constant).
        c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Integer.toString(WORK_SESSION_TIMEOUT_MS));
        c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Integer.toString(WORK_HEARTBEAT_INTERVAL_MS));
        // Incremental rebalancing: when a member dies or joins, only the partitions that move are revoked; the others
        // keep being served throughout instead of every member stopping for the rebalance.
        c.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        return c;
    }

    /**
     * A reader of a whole topic in a group of its own (the registry, job events, control commands, a gateway's
     * replies): it starts at the beginning, and its offsets matter to nobody else.
     */
    public static Map<String, String> readerOfAll(String bootstrapServers, String groupId, int maxValueBytes) {
        return fromStart(bootstrapServers, groupId, maxValueBytes);
    }

    /** {@code settings} with {@code client.id} set: the broker's logs, quotas and metrics then name the process. */
    public static Map<String, String> named(Map<String, String> settings, String clientId) {
        // Kafka's defaults (producer-<n>, consumer-<group>-<n>) repeat in every process.
        settings.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        return settings;
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
        // No client metrics pushed to the broker (KIP-714, on by default): the services export their Kafka clients'
        // metrics to Prometheus, and the telemetry sender otherwise wakes on every heartbeat and poll.
        m.put(CommonClientConfigs.ENABLE_METRICS_PUSH_CONFIG, "false");
        return m;
    }
}
