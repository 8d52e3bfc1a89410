package org.stargan.deploy.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.stargan.gateway.GatewayVerticle;
import org.stargan.inference.ServeBenchmark;
import org.stargan.kafka.LocalKafka;
import org.stargan.kafka.Topics;
import org.stargan.options.OptionTable;

/**
 * {@code ./stargan bench gateway}: what the whole serving path costs. Starts a local broker, one inference worker and
 * one gateway, each in its own JVM as deployed (so each process's CPU time is its own), then a {@link LoadClient} in a
 * separate JVM sends {@code POST /v1/translations} through gateway → Kafka → worker; then the
 * same load goes to the worker over Kafka alone (what {@code bench serve} calls the worker's throughput), and once the
 * services have stopped the bare generator is timed on the same image, target and batch. Prints a table, then one JSON
 * line. Everything started is stopped on success, failure and Ctrl-C. The load client also reports each process's CPU
 * milliseconds per request over the measured windows ({@link CpuMeter}), the worker's split into its compute threads
 * (the generator) and the rest.
 */
public final class GatewayBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GATEWAY_ID = "bench-gateway";

    private GatewayBench() {}

    /** Entry point; see {@link GatewayBenchOptions#USAGE}. Exit status 0, 2 for bad options, 1 when the run failed. */
    public static void main(String[] args) {
        List<String> a = Arrays.asList(args);
        if (OptionTable.asksForHelp(a)) {
            System.out.print(GatewayBenchOptions.USAGE);
            System.exit(0);
        }
        GatewayBenchOptions o;
        try {
            o = GatewayBenchOptions.parse(a, Path.of(System.getProperty("stargan.home", ".")));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println("(" + GatewayBenchOptions.OPTIONS.hint() + ")");
            System.exit(2);
            return;
        }
        try {
            run(o, System.out, System.err);
            System.exit(0);
        } catch (IllegalArgumentException e) {
            System.err.println("bench gateway: " + e.getMessage());
            System.exit(2);
        } catch (Exception e) {
            System.err.println("bench gateway: failed: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            System.exit(1);
        }
    }

    /** Runs the benchmark and returns what the JSON line holds; the table and the JSON line go to {@code out}. */
    public static Map<String, Object> run(GatewayBenchOptions o, PrintStream out, PrintStream err) throws Exception {
        if (!o.paper() && !Files.isRegularFile(o.model())) {
            throw new IllegalArgumentException("--model: " + o.model()
                    + " is not a file, expected a generator checkpoint (.safetensors or *-G.ckpt)");
        }
        byte[] image = readImage(o.image());
        // Two stages: the services stop before the bare generator runs; the temporary directory (which may hold the
        // model) goes last.
        Cleanup services = new Cleanup(err);
        Cleanup cleanup = new Cleanup(err);
        Thread hook = new Thread(
                () -> {
                    err.println("bench gateway: interrupted, stopping what was started...");
                    services.close();
                    cleanup.close();
                },
                "bench-gateway-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Path tmp = Files.createTempDirectory("stargan-bench-gateway");
            cleanup.add("the temporary directory", () -> org.stargan.process.FileTree.delete(tmp));
            Path imageFile = tmp.resolve(image[0] == (byte) 0x89 ? "request.png" : "request.jpg");
            Files.write(imageFile, image);
            Path model = o.model();
            if (o.paper()) {
                model = tmp.resolve("paper-G.safetensors");
                step(err, "writing a generator of the paper's size (PyTorch's initialisation)");
                ServeBenchmark.writeGenerator(model, true);
            }

            String url = o.url();
            String bootstrap = o.bootstrap();
            // The processes whose CPU time per request is reported (none for a gateway given by --url).
            Map<String, Long> pids = new LinkedHashMap<>();
            String prefix = o.topicPrefix() != null ? o.topicPrefix() : "stargan.";
            if (url == null) {
                if (bootstrap == null) {
                    step(err, "starting a local Kafka broker");
                    LocalKafka kafka = LocalKafka.start(
                            Path.of(System.getProperty("stargan.kafka.broker.home", "deploy/kafka-broker")),
                            0,
                            tmp.resolve("kafka"),
                            120);
                    services.add("the Kafka broker", kafka::close);
                    bootstrap = kafka.bootstrapServers();
                    pids.put("broker", kafka.pid());
                }
                // Own topics and groups: on a shared cluster no other worker takes the load and nothing old is read.
                prefix = "benchgw" + UUID.randomUUID().toString().substring(0, 8) + ".";
                url = startServices(o, model, bootstrap, prefix, services, pids, err);
            }
            String translate = url + "/v1/translations?target=" + URLEncoder.encode(o.target(), StandardCharsets.UTF_8);
            List<String> common = new ArrayList<>(List.of(
                    "--image",
                    imageFile.toString(),
                    "--target",
                    o.target(),
                    "--concurrency",
                    Integer.toString(o.concurrency()),
                    "--warmup-s",
                    Double.toString(o.warmupS()),
                    "--slice-s",
                    Double.toString(o.sliceS()),
                    "--timeout-s",
                    Double.toString(o.timeoutS()),
                    "--ready-timeout-s",
                    Double.toString(o.readyTimeoutS()),
                    "--idle-s",
                    Double.toString(o.idleS())));
            common.addAll(
                    o.requests() > 0
                            ? List.of("--requests", Long.toString(o.requests()))
                            : List.of("--duration-s", Double.toString(o.durationS())));

            List<String> client = new ArrayList<>(common);
            client.addAll(List.of("--url", translate));
            if (!pids.isEmpty()) {
                client.addAll(List.of(
                        "--cpu-pids",
                        pids.entrySet().stream()
                                .map(e -> e.getKey() + "=" + e.getValue())
                                .collect(java.util.stream.Collectors.joining(","))));
            }
            if (o.apiKey() != null) {
                client.addAll(List.of("--api-key", o.apiKey()));
            }
            boolean direct = o.direct() && bootstrap != null;
            if (direct) {
                client.addAll(List.of("--mode", "http,kafka", "--bootstrap", bootstrap, "--topic-prefix", prefix));
                step(
                        err,
                        "load through the gateway (" + translate
                                + ") and, in turns, straight to the worker over Kafka");
            } else {
                client.addAll(List.of("--mode", "http"));
                if (o.direct()) {
                    err.println("bench gateway: no --bootstrap for the gateway at --url: skipping the Kafka-only path");
                }
                step(err, "load through the gateway: " + translate);
            }
            Map<String, Map<String, Object>> measured = runClient(client, services, err);

            // The bare generator runs alone: the services would otherwise share the cores with it.
            step(err, "stopping the services");
            services.close();
            step(err, "timing the bare generator (batches of " + o.batch() + ")");
            BareGenerator.Result bare =
                    BareGenerator.measure(model, image, o.target(), o.batch(), o.device(), o.bareS(), err);

            Map<String, Object> result = GatewayBenchReport.result(
                    o, o.paper() ? "paper" : model.getFileName().toString(), measured, bare);
            GatewayBenchReport.printTable(o, result, out);
            out.println(JSON.writeValueAsString(result));
            out.flush();
            return result;
        } finally {
            services.close();
            cleanup.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down: the hook is running
            }
        }
    }

    /**
     * Broker → worker and gateway, each in its own JVM as deployed (so that each process's CPU time is its own), the
     * model announced; returns the gateway's base URL and adds the services' process ids to {@code pids}.
     */
    private static String startServices(
            GatewayBenchOptions o,
            Path model,
            String bootstrap,
            String prefix,
            Cleanup cleanup,
            Map<String, Long> pids,
            PrintStream err)
            throws Exception {
        createTopics(bootstrap, new Topics(prefix), o.bootstrap() != null, cleanup);
        step(
                err,
                "starting an inference worker (" + o.device() + ", batches up to " + o.batch() + ", "
                        + model.getFileName() + ")");
        // --max-batch sets the worker's queue (4 × the batch, at least 256): it holds what the client keeps in flight
        // up to a concurrency of 64, so the worker does not pause its consumer under the benchmark's load.
        ServiceJvm worker = ServiceJvm.start(
                "worker",
                "org.stargan.inference.Main",
                List.of(
                        "--bootstrap",
                        bootstrap,
                        "--topic-prefix",
                        prefix,
                        "--group",
                        prefix + "inference",
                        "--worker-id",
                        "bench-worker",
                        "--device",
                        o.device(),
                        "--max-batch",
                        Integer.toString(o.batch()),
                        "--max-delay-ms",
                        Long.toString(o.maxDelayMs()),
                        "--model",
                        model.toAbsolutePath().toString(),
                        "--announce-model",
                        "--metrics-port",
                        "0"),
                // As its start script (bin/inference-worker) sets it: libtorch's threads sleep between batches.
                Map.of("OMP_WAIT_POLICY", System.getenv().getOrDefault("OMP_WAIT_POLICY", "PASSIVE")),
                l -> l.startsWith("inference worker bench-worker consuming"),
                600,
                cleanup,
                err);
        pids.put("worker", worker.pid());
        step(err, "starting the gateway");
        // No API keys: translation open, on the loopback address only. In-flight limit above the load so 429s mean a
        // fault; the load client is a single client, so it gets the whole gateway (no per-client share, no rate limit).
        int inFlight = Math.max(256, 2 * o.concurrency());
        ServiceJvm gateway = ServiceJvm.start(
                "gateway",
                "org.stargan.gateway.Main",
                List.of(
                        "--bootstrap",
                        bootstrap,
                        "--topic-prefix",
                        prefix,
                        "--instance-id",
                        GATEWAY_ID,
                        "--host",
                        "127.0.0.1",
                        "--port",
                        "0",
                        "--timeout-ms",
                        Long.toString((long) (o.timeoutS() * 1000)),
                        "--max-in-flight",
                        Integer.toString(inFlight),
                        "--max-in-flight-per-client",
                        Integer.toString(inFlight),
                        "--rate-limit",
                        "0",
                        "--max-body-bytes",
                        Integer.toString(10 << 20)),
                Map.of(),
                l -> l.startsWith("gateway " + GATEWAY_ID + " on http://"),
                120,
                cleanup,
                err);
        pids.put("gateway", gateway.pid());
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("on (http://[^ ]+)").matcher(gateway.readyLine());
        if (!m.find()) {
            throw new IllegalStateException("the gateway did not say its address: " + gateway.readyLine());
        }
        return m.group(1);
    }

    /**
     * Creates the topics the services use before they start, so none of them begins by logging unknown-topic warnings
     * while auto-creation catches up; on a cluster given by {@code --bootstrap} they are deleted again at the end.
     */
    private static void createTopics(String bootstrap, Topics topics, boolean deleteAfter, Cleanup cleanup)
            throws Exception {
        List<String> names = List.of(
                topics.translateRequests(),
                topics.replyTopic(GATEWAY_ID),
                topics.models(),
                topics.trainEvents(),
                topics.deadLetters());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            // The cluster's default partitions and replication: the benchmark runs as a deployment on that cluster
            // would.
            admin.createTopics(names.stream()
                            .map(n -> new NewTopic(n, Optional.empty(), Optional.empty()))
                            .toList())
                    .all()
                    .get(60, TimeUnit.SECONDS);
        }
        if (deleteAfter) {
            cleanup.add("the benchmark's topics", () -> {
                try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                    admin.deleteTopics(names).all().get(60, TimeUnit.SECONDS);
                }
            });
        }
    }

    /**
     * Runs a {@link LoadClient} in its own JVM on this JVM's classpath, passes its progress through to {@code err} and
     * returns the summaries it prints last, by mode ({@code http}, {@code kafka}).
     */
    private static Map<String, Map<String, Object>> runClient(List<String> args, Cleanup cleanup, PrintStream err)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // A small heap and the serial collector: the client should take as little of the machine as it can.
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                LoadClient.class.getName()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).start();
        cleanup.add("the load client", () -> {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        });
        Thread pump = new Thread(() -> copyLines(p.getErrorStream(), err), "load-client-stderr");
        pump.setDaemon(true);
        pump.start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = p.waitFor();
        pump.join(2_000);
        if (status == 130 || status == 143) {
            throw new IllegalStateException("the load client was stopped by a signal (status " + status + ")");
        }
        if (status != 0) {
            throw new IllegalStateException(
                    "the load client exited with status " + status + "; its messages are above");
        }
        String last =
                stdout.lines().filter(l -> !l.isBlank()).reduce((x, y) -> y).orElse("");
        if (!last.startsWith("{")) {
            throw new IllegalStateException("the load client printed no result line; its output: " + stdout.strip());
        }
        return JSON.readValue(last, new TypeReference<LinkedHashMap<String, Map<String, Object>>>() {});
    }

    private static void copyLines(InputStream in, PrintStream err) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                err.println("  " + line);
            }
        } catch (IOException ignored) {
            // the client went away; its exit status tells the rest
        }
    }

    private static byte[] readImage(Path image) throws IOException {
        if (image == null) {
            try (InputStream in = GatewayVerticle.class.getResourceAsStream("/webroot/samples/face1.png")) {
                if (in == null) {
                    throw new IllegalStateException(
                            "the gateway's sample face /webroot/samples/face1.png is not on the classpath; pass --image FILE");
                }
                return in.readAllBytes();
            }
        }
        if (!Files.isRegularFile(image)) {
            throw new IllegalArgumentException("--image: " + image + " is not a file, expected a PNG or JPEG");
        }
        return Files.readAllBytes(image);
    }

    private static void step(PrintStream err, String what) {
        err.println("bench gateway: " + what + "...");
    }
}
