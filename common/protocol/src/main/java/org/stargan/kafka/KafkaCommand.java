package org.stargan.kafka;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.stargan.options.Option;
import org.stargan.options.OptionException;
import org.stargan.options.OptionTable;
import org.stargan.options.OptionValues;

/**
 * {@code ./stargan kafka}: a local Kafka broker (KRaft, one node) in the foreground until Ctrl-C, for running the
 * services by hand. The broker runs in a child JVM from the {@code deploy/kafka-broker} module's jars ({@link
 * LocalKafka}), which stops with this one.
 */
public final class KafkaCommand {
    static final OptionTable OPTIONS = new OptionTable(
            "kafka",
            List.of(
                    Option.integer("port", "the port clients connect to (--bootstrap 127.0.0.1:PORT)")
                            .atLeast(1)
                            .atMost(65535)
                            .byDefault(9092),
                    Option.path("dir", "DIR", "where the broker keeps its topics between runs")
                            .defaultDescribed("~/.cache/stargan/kafka")));

    static final String USAGE = OPTIONS.help("kafka [--port 9092] [--dir DIR]", """
            Runs Apache Kafka 4.1 (KRaft, one node as broker and controller) in the foreground until Ctrl-C, for the
            services started by hand (./stargan gateway, inference-worker, trainer-worker). ./stargan demo starts its
            own; the tests start theirs.""");

    private KafkaCommand() {}

    /**
     * Entry point: {@code -Dstargan.kafka.broker.home} is the broker module's directory, {@code -Dstargan.cache.dir}
     * the default parent of {@code --dir}.
     */
    public static void main(String[] args) throws Exception {
        System.exit(run(List.of(args), System.out, System.err));
    }

    static int run(List<String> args, PrintStream out, PrintStream err) throws InterruptedException {
        if (OptionTable.asksForHelp(args)) {
            out.print(USAGE);
            return 0;
        }
        OptionValues o;
        try {
            o = OPTIONS.parse(args);
        } catch (OptionException e) {
            err.println(e.getMessage());
            err.println("(" + OPTIONS.hint() + ")");
            return 2;
        }
        Path dir = o.has("dir")
                ? Path.of(o.text("dir"))
                : Path.of(System.getProperty(
                                "stargan.cache.dir",
                                Path.of(System.getProperty("user.home"), ".cache", "stargan")
                                        .toString()))
                        .resolve("kafka");
        Path home = Path.of(System.getProperty("stargan.kafka.broker.home", "deploy/kafka-broker"));
        LocalKafka kafka;
        try {
            java.nio.file.Files.createDirectories(dir);
            kafka = LocalKafka.start(home, LocalKafka.checkFree(o.integer("port")), dir, 120);
        } catch (IOException | IllegalStateException e) {
            err.println("kafka: " + e.getMessage() + " (--port)");
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "kafka-stop"));
        err.printf(
                "Kafka broker on %s (topics in %s, its log in %s.log); Ctrl-C stops it%n",
                kafka.bootstrapServers(), dir, dir);
        while (kafka.isAlive()) {
            Thread.sleep(500);
        }
        err.println("kafka: the broker stopped; see " + dir + ".log");
        return 1;
    }
}
