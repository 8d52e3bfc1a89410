package org.stargan.kafka;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Sets up the platform's topics ({@link TopicPlan}, {@link TopicSetup}): as a one-shot command, {@code topics
 * [--bootstrap H:P] [--topic-prefix stargan.] [--partitions 16] [--wait-seconds 120]} (an init container, an operator
 * before the first start), and from every service's {@code main} before it subscribes or sends anything, so that no
 * topic is ever left to the broker's auto-creation (one partition, not compacted).
 */
public final class TopicsCommand {
    /** How long a starting service waits for the broker to take the topics (compose starts them all at once). */
    private static final Duration START_DEADLINE = Duration.ofMinutes(2);

    private TopicsCommand() {}

    /** Entry point of {@code bin/topics} and {@code ./stargan topics}. */
    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err)
            throws InterruptedException {
        String bootstrap = env.getOrDefault(
                "STARGAN_KAFKA_BOOTSTRAP", env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"));
        String prefix = env.getOrDefault("STARGAN_TOPIC_PREFIX", "stargan.");
        String partitions = null;
        String wait = "120";
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                err.println("topics: option " + args[i] + " needs a value");
                return 2;
            }
            switch (args[i]) {
                case "--bootstrap" -> bootstrap = args[i + 1];
                case "--topic-prefix" -> prefix = args[i + 1];
                case "--partitions" -> partitions = args[i + 1];
                case "--wait-seconds" -> wait = args[i + 1];
                default -> {
                    err.println("topics: unknown option " + args[i]
                            + "; known: --bootstrap --topic-prefix --partitions --wait-seconds");
                    return 2;
                }
            }
        }
        try {
            int n = TopicPlan.queuePartitions(
                    partitions == null ? env : Map.of(TopicPlan.QUEUE_PARTITIONS_VARIABLE, partitions));
            long seconds = Long.parseLong(wait.trim());
            List<TopicSpec> plan = TopicPlan.platform(new Topics(prefix), n);
            List<String> changes = TopicSetup.ensure(bootstrap, plan, Duration.ofSeconds(seconds));
            changes.forEach(out::println);
            out.println(
                    plan.size() + " topics ready on " + bootstrap + (changes.isEmpty() ? " (nothing to change)" : ""));
            return 0;
        } catch (NumberFormatException e) {
            err.println("topics: --wait-seconds '" + wait + "', expected a number of seconds");
            return 2;
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("topics: " + e.getMessage());
            return 1;
        }
    }

    /**
     * What a service's {@code main} calls before it starts: sets up the topics under {@code prefix} with the work
     * queues' partition count from {@code env} ({@value TopicPlan#QUEUE_PARTITIONS_VARIABLE}), printing each change;
     * on failure prints "{@code service}: failed to start: reason" and exits with status 1.
     */
    public static void ensureAtStart(String service, String bootstrap, String prefix, Map<String, String> env)
            throws InterruptedException {
        try {
            List<TopicSpec> plan = TopicPlan.platform(new Topics(prefix), TopicPlan.queuePartitions(env));
            for (String change : TopicSetup.ensure(bootstrap, plan, START_DEADLINE)) {
                System.err.println(service + ": topic " + change);
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println(service + ": failed to start: " + e.getMessage());
            System.exit(1);
        }
    }
}
