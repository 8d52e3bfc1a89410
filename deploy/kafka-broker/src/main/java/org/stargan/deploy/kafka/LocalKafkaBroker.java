package org.stargan.deploy.kafka;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * One Apache Kafka node in KRaft mode (broker and controller), for tests, the demo and development:
 * {@code java -cp ... LocalKafkaBroker --port 9092 --controller-port 9093 --dir DIR}. Formats {@code DIR} on first
 * use, starts the server, and prints {@code STARGAN_KAFKA_READY 127.0.0.1:<port>} on standard output once clients
 * can connect. SIGTERM stops it cleanly (Kafka's own shutdown hook).
 */
public final class LocalKafkaBroker {
    /** The line the parent process waits for. */
    public static final String READY = "STARGAN_KAFKA_READY";

    /** {@code message.max.bytes}: the same as {@code KafkaSettings.MAX_RECORD_BYTES}, 11 MiB. */
    public static final int MAX_RECORD_BYTES = 11 << 20;

    private LocalKafkaBroker() {}

    /** Entry point of the child JVM. */
    public static void main(String[] args) throws Exception {
        int port = 9092;
        int controllerPort = 9093;
        Path dir = Path.of("kafka-data");
        boolean managed = false;
        for (int i = 0; i < args.length; i += 2) {
            if (args[i].equals("--managed")) {
                managed = true;
                i--;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--controller-port" -> controllerPort = Integer.parseInt(args[i + 1]);
                case "--dir" -> dir = Path.of(args[i + 1]);
                default ->
                    throw new IllegalArgumentException(
                            "unknown option " + args[i] + "; expected --port, --controller-port, --dir, --managed");
            }
        }
        if (managed) {
            // Started by another JVM (LocalKafka): Ctrl-C in the terminal reaches the whole process group, but the
            // parent must stop its clients first and then stop us (SIGTERM); and if the parent dies, so do we.
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), sig -> {});
            ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> System.exit(0)));
        }
        Files.createDirectories(dir);
        Path logs = dir.resolve("logs");
        Path config = dir.resolve("server.properties");
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("log.dirs", logs.toAbsolutePath().toString());
        // One node: every replication factor is 1.
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        // One partition for consumer offsets: faster start, plenty for local use.
        p.setProperty("offsets.topic.num.partitions", "1");
        // Without this every consumer group join waits 3 s for more members.
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // The log cleaner's default 128 MB dedupe buffer is most of the broker's memory; compacted topics are tiny
        // here.
        p.setProperty("log.cleaner.dedupe.buffer.size", "4194304");
        // The largest record of the translation topics: a 10 MiB request value plus 1 MiB for key and headers
        // (KafkaSettings.MAX_RECORD_BYTES, which this module cannot import: it has no parent). Kafka's default, ~1 MiB,
        // refused ordinary photos.
        p.setProperty("message.max.bytes", Integer.toString(MAX_RECORD_BYTES));
        p.setProperty("num.partitions", "1");
        p.setProperty("auto.create.topics.enable", "true");
        try (Writer w = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
            p.store(w, "written by LocalKafkaBroker");
        }
        if (!Files.exists(logs.resolve("meta.properties"))) {
            // Kafka's own generator: never starts with '-', which the storage tool would take for an option.
            String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
            int code = kafka.tools.StorageTool.execute(
                    new String[] {"format", "-t", clusterId, "-c", config.toString()},
                    new PrintStream(System.err, true, StandardCharsets.UTF_8));
            if (code != 0) {
                System.err.println("LocalKafkaBroker: formatting " + logs + " failed with status " + code);
                System.exit(code);
            }
        }
        final int clientPort = port;
        Thread ready = new Thread(() -> announceWhenReady(clientPort), "ready-probe");
        ready.setDaemon(true);
        ready.start();
        kafka.Kafka.main(new String[] {config.toString()});
    }

    private static void announceWhenReady(int port) {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                // The listener accepts before the broker has registered; give metadata a moment to settle.
                Thread.sleep(300);
                System.out.println(READY + " 127.0.0.1:" + port);
                System.out.flush();
                return;
            } catch (IOException e) {
                sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
        System.err.println("LocalKafkaBroker: not accepting connections on port " + port + " after 120 s");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
