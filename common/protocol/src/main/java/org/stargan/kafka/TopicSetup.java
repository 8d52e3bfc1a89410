package org.stargan.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Makes the broker's topics what a {@link TopicPlan} says, idempotently: creates the missing ones, gives a growable
 * topic that has too few partitions more, and sets topic configs that differ (a registry that the broker auto-created
 * with {@code cleanup.policy=delete} becomes compacted). Several services may do this at once: a topic another one
 * just created or grew counts as done. A topic with more partitions than planned is left alone.
 */
public final class TopicSetup {
    private final Admin admin;
    private final Duration callTimeout;

    /** Works through {@code admin}; each call waits at most {@code callTimeout}. */
    public TopicSetup(Admin admin, Duration callTimeout) {
        this.admin = admin;
        this.callTimeout = callTimeout;
    }

    /**
     * Ensures every topic of {@code plan}, retrying while the broker is unreachable or busy (a broker that is still
     * starting), for at most {@code deadline}. Returns what it changed, one line each (empty: nothing to do).
     */
    public static List<String> ensure(String bootstrapServers, List<TopicSpec> plan, Duration deadline)
            throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        Duration call = Duration.ofSeconds(Math.max(1, Math.min(10, deadline.toSeconds())));
        Map<String, Object> settings = new HashMap<>(KafkaSettings.admin(bootstrapServers, call.toMillis()));
        try (Admin admin = Admin.create(settings)) {
            TopicSetup setup = new TopicSetup(admin, call);
            // Changes made by a pass that then failed (a topic just created is not yet described) count too.
            List<String> changes = new ArrayList<>();
            while (true) {
                try {
                    setup.ensure(plan, changes);
                    return changes;
                } catch (ExecutionException e) {
                    // A broker that is still starting answers with retriable errors; anything else is final.
                    Throwable cause = e.getCause() == null ? e : e.getCause();
                    if (!(cause instanceof RetriableException)) {
                        throw new IllegalStateException(
                                "topics on " + bootstrapServers + " could not be set up: " + cause, cause);
                    }
                    if (System.nanoTime() > end) {
                        throw unanswered(bootstrapServers, deadline, cause);
                    }
                } catch (java.util.concurrent.TimeoutException e) {
                    if (System.nanoTime() > end) {
                        throw unanswered(bootstrapServers, deadline, e);
                    }
                }
                Thread.sleep(500);
            }
        }
    }

    /** One pass over {@code plan}, adding what it changes to {@code changes}. */
    public void ensure(List<TopicSpec> plan, List<String> changes)
            throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        Set<String> existing = admin.listTopics().names().get(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
        List<TopicSpec> missing =
                plan.stream().filter(t -> !existing.contains(t.name())).toList();
        for (TopicSpec t : missing) {
            NewTopic topic = new NewTopic(t.name(), Optional.of(t.partitions()), Optional.empty()).configs(t.configs());
            try {
                admin.createTopics(List.of(topic)).all().get(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
                changes.add("created " + t.name() + " (" + t.partitions() + " partition"
                        + (t.partitions() == 1 ? "" : "s") + (t.configs().isEmpty() ? "" : ", " + t.configs()) + ")");
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                // Another service created it just now: checked below like any existing topic.
            }
        }
        Map<String, TopicDescription> described = admin.describeTopics(
                        plan.stream().map(TopicSpec::name).toList())
                .allTopicNames()
                .get(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
        for (TopicSpec t : plan) {
            int has = described.get(t.name()).partitions().size();
            if (has < t.partitions() && t.growable()) {
                try {
                    admin.createPartitions(Map.of(t.name(), NewPartitions.increaseTo(t.partitions())))
                            .all()
                            .get(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
                    changes.add(t.name() + ": " + has + " → " + t.partitions() + " partitions");
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof InvalidPartitionsException)) {
                        throw e;
                    }
                    // Another service grew it first (the broker refuses a count that is not larger).
                }
            } else if (has < t.partitions()) {
                changes.add(t.name() + ": has " + has + " partitions, fewer than " + t.partitions()
                        + "; left as is (more partitions would move keys whose records must stay in order)");
            }
        }
        changes.addAll(alignConfigs(plan));
    }

    private List<String> alignConfigs(List<TopicSpec> plan)
            throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        List<ConfigResource> resources = plan.stream()
                .filter(t -> !t.configs().isEmpty())
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t.name()))
                .toList();
        Map<ConfigResource, Config> current =
                admin.describeConfigs(resources).all().get(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
        Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
        List<String> changes = new ArrayList<>();
        for (TopicSpec t : plan) {
            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, t.name());
            Config config = current.get(r);
            if (config == null) {
                continue;
            }
            List<AlterConfigOp> set = new ArrayList<>();
            t.configs().forEach((key, want) -> {
                ConfigEntry e = config.get(key);
                String has = e == null ? null : e.value();
                if (!want.equals(has)) {
                    set.add(new AlterConfigOp(new ConfigEntry(key, want), AlterConfigOp.OpType.SET));
                    changes.add(t.name() + ": " + key + " " + has + " → " + want);
                }
            });
            if (!set.isEmpty()) {
                ops.put(r, set);
            }
        }
        if (!ops.isEmpty()) {
            admin.incrementalAlterConfigs(ops).all().get(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        return changes;
    }

    /**
     * The deadline passed with the broker unreachable, whether the last call timed out here or in Kafka's client (a
     * retriable error): one message, naming the setting to check.
     */
    private static IllegalStateException unanswered(String bootstrapServers, Duration deadline, Throwable cause) {
        return new IllegalStateException(
                "the broker at " + bootstrapServers + " (STARGAN_KAFKA_BOOTSTRAP) did not answer within "
                        + deadline.toSeconds() + " s (" + cause + ")",
                cause);
    }
}
