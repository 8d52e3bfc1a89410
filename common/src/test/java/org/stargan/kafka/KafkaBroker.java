package org.stargan.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving tests a real Kafka broker, chosen explicitly and never skipped:
 * {@code KAFKA_BOOTSTRAP_SERVERS} set → that external cluster; otherwise the local child-JVM broker built from
 * {@code deploy/kafka-broker}. One broker serves every test class of the JVM and stops when the JVM's tests end;
 * tests receive it as a {@link Cluster} parameter.
 *
 * <p>A Testcontainers path for machines with a Docker engine is not built yet: the machines this project is
 * developed and tested on have none, so it could not be tested here.
 */
public final class KafkaBroker implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(KafkaBroker.class);

    /** The running broker's bootstrap servers. */
    public record Cluster(String bootstrapServers) {}

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster(context);
    }

    private static Cluster cluster(ExtensionContext context) {
        ExtensionContext.Store store = context.getRoot().getStore(NS);
        return store.getOrComputeIfAbsent("cluster", k -> start(), Holder.class).cluster;
    }

    private static Holder start() {
        String external = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        if (external != null && !external.isBlank()) {
            return new Holder(new Cluster(external), null, null);
        }
        String home = System.getProperty("stargan.kafka.broker.home");
        if (home == null) {
            throw new IllegalStateException(
                    "system property stargan.kafka.broker.home is not set (the build sets it to deploy/kafka-broker)");
        }
        try {
            Path dir = Files.createTempDirectory("stargan-kafka-test");
            LocalKafka k = LocalKafka.start(Path.of(home), 0, dir.resolve("data"), 120);
            return new Holder(new Cluster(k.bootstrapServers()), k, dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the local Kafka broker: " + e.getMessage(), e);
        }
    }

    /**
     * Keeps the broker for the JVM's tests and stops it when JUnit closes the root store, then deletes its data
     * directory (about 25 MB a test JVM, which used to stay behind in the temporary directory).
     */
    private record Holder(Cluster cluster, LocalKafka broker, Path dir)
            implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() {
            if (broker != null) {
                broker.close();
            }
            if (dir != null) {
                try {
                    org.stargan.process.FileTree.delete(dir);
                } catch (IOException e) {
                    System.err.println("could not delete the test broker's directory " + dir + ": " + e.getMessage());
                }
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == Cluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) throws ParameterResolutionException {
        return cluster(e);
    }
}
