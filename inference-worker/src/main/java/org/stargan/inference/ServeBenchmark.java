package org.stargan.inference;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.stargan.bench.CpuTimes;
import org.stargan.ckpt.GeneratorCheckpoint;
import org.stargan.ckpt.ModelInfo;
import org.stargan.data.ImageCodec;
import org.stargan.data.SyntheticFaces;
import org.stargan.infer.Translator;
import org.stargan.kafka.LocalKafka;
import org.stargan.kafka.Topics;
import org.stargan.msg.Protocol;
import org.stargan.nn.Generator;
import org.stargan.nn.GeneratorConfig;
import org.stargan.options.Option;
import org.stargan.options.OptionException;
import org.stargan.options.OptionTable;
import org.stargan.options.OptionValues;

/**
 * {@code stargan bench serve}: requests through a real broker and one worker on this machine, timed end to end
 * (encode → Kafka → decode → batch → generator → encode → Kafka), next to the bare generator at the same batch size.
 * The added latency at concurrency 1 is measured per request as its end-to-end time minus the compute time the
 * worker reports for it (robust to the machine's drift between runs). Over the saturation phase it also reports the
 * CPU milliseconds per request of the worker (split into its compute threads, i.e. the generator, and the rest), the
 * broker and the client. Prints a JSON object on its last line.
 */
public final class ServeBenchmark {
    static final OptionTable OPTIONS = new OptionTable(
            "bench serve",
            List.of(
                    Option.choice(
                                    "config",
                                    List.of("paper", "small"),
                                    "generator size: paper = 128 px, conv 64, 6 blocks; small = 32 px, conv 16, 2 "
                                            + "blocks (c_dim 5, PyTorch's initialisation: its cost is what counts)")
                            .byDefault("paper"),
                    Option.integer("requests", "requests timed at --concurrency")
                            .atLeast(1)
                            .byDefault(200),
                    Option.integer("concurrency", "requests in flight")
                            .atLeast(1)
                            .atMost(4096)
                            .byDefault(16),
                    Option.integer("batch", "the worker's largest batch, and the bare generator's batch")
                            .atLeast(1)
                            .atMost(1024)
                            .byDefault(16),
                    Option.integer("max-delay-ms", "the worker's longest wait for company")
                            .atLeast(0)
                            .atMost(10_000)
                            .byDefault(5),
                    Option.integer("latency-requests", "requests timed one at a time for the added latency")
                            .atLeast(1)
                            .byDefault(40),
                    Option.text("device", "DEVICE", "cpu or cuda:N").byDefault("cpu")));

    static final String USAGE = OPTIONS.help(
            "bench serve [--config paper|small] [--requests 200] [--concurrency 16] [--batch 16] [options]", """
            Starts a local Kafka broker (or uses $KAFKA_BOOTSTRAP_SERVERS) and one inference worker, drives requests
            through them from a plain Kafka client in this JVM, and prints throughput, latency percentiles, the bare
            generator's throughput at the same batch size, and the latency the service adds at concurrency 1. The
            last line is one JSON object.""");

    private ServeBenchmark() {}

    /** Entry point; {@code --help} lists the options. Exit status 2 for a wrong option. */
    public static void main(String[] args) throws Exception {
        if (OptionTable.asksForHelp(List.of(args))) {
            System.out.print(USAGE);
            return;
        }
        OptionValues o;
        try {
            o = OPTIONS.parse(List.of(args));
        } catch (OptionException e) {
            System.err.println(e.getMessage());
            System.err.println("(" + OPTIONS.hint() + ")");
            System.exit(2);
            return;
        }
        int requests = o.integer("requests");
        int concurrency = o.integer("concurrency");
        int batch = o.integer("batch");
        boolean paper = o.text("config").equals("paper");
        int size = paper ? 128 : 32;
        Path tmp = Files.createTempDirectory("stargan-bench-serve");

        Path ckpt = tmp.resolve("G.safetensors");
        writeGenerator(ckpt, paper);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(
                SyntheticFaces.render(7, new SyntheticFaces.Attributes(0, true, true, false, false, -1), size),
                "png",
                png);
        byte[] image = png.toByteArray();

        String external = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        LocalKafka broker = null;
        String bootstrap = external;
        if (external == null || external.isBlank()) {
            System.err.println("bench serve: starting the local Kafka broker...");
            broker = LocalKafka.start(
                    Path.of(System.getProperty("stargan.kafka.broker.home", "deploy/kafka-broker")),
                    0,
                    tmp.resolve("kafka"),
                    120);
            bootstrap = broker.bootstrapServers();
        }
        Topics topics = new Topics("bench" + UUID.randomUUID().toString().substring(0, 6) + ".");
        Vertx vertx = Vertx.vertx();
        Map<String, Object> result = new LinkedHashMap<>();
        try {
            InferenceConfig config = new InferenceConfig(
                    bootstrap,
                    topics.prefix(),
                    "bench-inference",
                    "bench",
                    o.text("device"),
                    batch,
                    o.integer("max-delay-ms"),
                    Math.max(256, 4 * concurrency),
                    ckpt.toString(),
                    -1);
            vertx.deployVerticle(new InferenceVerticle(), new DeploymentOptions().setConfig(config.toJson()))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(5, TimeUnit.MINUTES);
            try (Client client = new Client(bootstrap, topics, image)) {
                client.run(2 * batch, concurrency, "warm-up");
                // CPU over the saturation phase: the worker shares this JVM with the client, so the client's own
                // threads (this one and its Kafka clients') are measured apart and taken off the process's time.
                long pid = ProcessHandle.current().pid();
                long[] cpu0 = cpuSample(pid, broker);
                List<Double> loaded = client.run(requests, concurrency, "saturation");
                long[] cpu1 = cpuSample(pid, broker);
                double seconds = client.lastElapsedSeconds;
                List<Double> single = client.run(o.integer("latency-requests"), 1, "concurrency 1");
                result.put("c1_added_latency_p50_ms", percentile(client.lastOverheads, 50));
                result.put("c1_added_latency_p95_ms", percentile(client.lastOverheads, 95));
                result.put("requests", requests);
                result.put("concurrency", concurrency);
                result.put("max_batch", batch);
                result.put("image_size", size);
                result.put("throughput_img_s", requests / seconds);
                result.put("latency_p50_ms", percentile(loaded, 50));
                result.put("latency_p95_ms", percentile(loaded, 95));
                result.put("latency_p99_ms", percentile(loaded, 99));
                result.put("c1_latency_p50_ms", percentile(single, 50));
                putCpu(result, cpu0, cpu1, loaded.size());
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            if (broker != null) {
                broker.close();
            }
        }
        // The bare model, same machine, same batch size: the ceiling the service is measured against.
        try (Translator t = new Translator(
                GeneratorCheckpoint.load(ckpt), org.stargan.device.Devices.parse(o.text("device")), batch)) {
            float[] x = ImageCodec.toTensor(ImageIO.read(new java.io.ByteArrayInputStream(image)), 0, size)
                    .chw();
            float[] xs = new float[batch * x.length];
            float[] labels = new float[batch * 5];
            for (int i = 0; i < batch; i++) {
                System.arraycopy(x, 0, xs, i * x.length, x.length);
            }
            double bareBatch = timeMedian(() -> t.translate(xs, batch, size, size, labels), 5);
            double bareOne = timeMedian(() -> t.translate(x, 1, size, size, new float[5]), 5);
            result.put("bare_img_s_at_max_batch", batch / (bareBatch / 1000));
            result.put("bare_ms_at_batch_1", bareOne);
            result.put(
                    "throughput_ratio",
                    (double) result.get("throughput_img_s") / (double) result.get("bare_img_s_at_max_batch"));
        }
        System.out.println(new ObjectMapper().writeValueAsString(result));
        System.exit(0);
    }

    /**
     * Writes a generator of the paper's size (128 px, conv 64, 6 blocks) or the small one (32 px, conv 16, 2 blocks),
     * 5 CelebA domains, with PyTorch's initialisation: its outputs do not matter, its cost does.
     */
    public static void writeGenerator(Path file, boolean paper) throws java.io.IOException {
        try (NDManager m = NDManager.newBaseManager();
                Generator g = new Generator(
                        paper ? GeneratorConfig.paper(5) : new GeneratorConfig(16, 5, 2), m, DataType.FLOAT32, 1)) {
            GeneratorCheckpoint.of(
                            g,
                            new ModelInfo(
                                    List.of("Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young"),
                                    List.of(List.of("Black_Hair", "Blond_Hair", "Brown_Hair")),
                                    paper ? 128 : 32,
                                    "bench",
                                    0,
                                    ""))
                    .save(file);
        }
    }

    /** Nanoseconds of CPU: process, client threads, compute threads, JIT compiler threads, broker (-1: unknown). */
    private static long[] cpuSample(long pid, LocalKafka broker) {
        return new long[] {
            CpuTimes.process(pid),
            CpuTimes.javaThreads(n -> n.equals("main") || n.contains(Client.CLIENT_ID)),
            CpuTimes.threads(pid, n -> n.startsWith("compute-")),
            CpuTimes.threads(pid, n -> n.matches("C[12] CompilerThre.*")),
            broker == null ? -1 : CpuTimes.process(broker.pid())
        };
    }

    /**
     * CPU milliseconds per request over the saturation phase: {@code cpu_worker} (this JVM less the client's threads:
     * JIT and GC of both count here), its compute threads ({@code cpu_worker_generator}, libtorch's intra-op threads
     * included) and the rest ({@code cpu_worker_other}, of which {@code cpu_worker_jit} is compiling), the broker and
     * the client.
     */
    private static void putCpu(Map<String, Object> result, long[] a, long[] b, long requests) {
        long[] d = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] < 0 || b[i] < 0 ? -1 : b[i] - a[i];
        }
        long worker = d[0] < 0 || d[1] < 0 ? -1 : d[0] - d[1];
        result.put("cpu_worker_ms_per_req", CpuTimes.msPerRequest(worker, requests));
        result.put("cpu_worker_generator_ms_per_req", CpuTimes.msPerRequest(d[2], requests));
        result.put(
                "cpu_worker_other_ms_per_req",
                CpuTimes.msPerRequest(worker < 0 || d[2] < 0 ? -1 : Math.max(0, worker - d[2]), requests));
        result.put("cpu_worker_jit_ms_per_req", CpuTimes.msPerRequest(d[3], requests));
        result.put("cpu_broker_ms_per_req", CpuTimes.msPerRequest(d[4], requests));
        result.put("cpu_client_ms_per_req", CpuTimes.msPerRequest(d[1], requests));
    }

    private static double timeMedian(Runnable r, int reps) {
        r.run();
        List<Double> t = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            long s = System.nanoTime();
            r.run();
            t.add((System.nanoTime() - s) / 1e6);
        }
        return percentile(t, 50);
    }

    static double percentile(List<Double> values, double p) {
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        return org.stargan.bench.Percentiles.nearestRank(s, p);
    }

    /** A closed-loop client: keeps {@code concurrency} requests in flight, times each from send to result. */
    private static final class Client implements AutoCloseable {
        /** In the names of the client's Kafka threads, so that their CPU time is told from the worker's. */
        static final String CLIENT_ID = "bench-serve-client";

        private final KafkaProducer<String, byte[]> producer;
        private final KafkaConsumer<String, byte[]> consumer;
        private final Topics topics;
        private final byte[] image;
        private double lastElapsedSeconds;
        private final List<Double> lastOverheads = new ArrayList<>();
        private int counter;

        Client(String bootstrap, Topics topics, byte[] image) {
            this.topics = topics;
            this.image = image;
            producer = new KafkaProducer<>(
                    Map.of("bootstrap.servers", bootstrap, "linger.ms", "0", "client.id", CLIENT_ID),
                    new StringSerializer(),
                    new ByteArraySerializer());
            consumer = new KafkaConsumer<>(
                    Map.of(
                            "bootstrap.servers",
                            bootstrap,
                            "group.id",
                            CLIENT_ID + "-" + UUID.randomUUID(),
                            "auto.offset.reset",
                            "earliest",
                            "client.id",
                            CLIENT_ID),
                    new StringDeserializer(),
                    new ByteArrayDeserializer());
            consumer.subscribe(List.of(topics.translateResults()));
        }

        List<Double> run(int n, int concurrency, String phase) {
            Map<String, Long> sent = new HashMap<>();
            List<Double> latencies = new ArrayList<>();
            lastOverheads.clear();
            long start = System.nanoTime();
            int issued = 0;
            while (issued < Math.min(concurrency, n)) {
                send(sent);
                issued++;
            }
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (latencies.size() < n && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(5))) {
                    Long t0 = sent.remove(r.key());
                    if (t0 == null) {
                        continue;
                    }
                    String status =
                            new String(r.headers().lastHeader(Protocol.STATUS).value(), StandardCharsets.UTF_8);
                    if (!status.equals("ok")) {
                        throw new IllegalStateException("request " + r.key() + " failed: "
                                + new String(
                                        r.headers().lastHeader(Protocol.ERROR).value(), StandardCharsets.UTF_8));
                    }
                    double latency = (System.nanoTime() - t0) / 1e6;
                    latencies.add(latency);
                    // What the service adds to this very request: everything but its batch's compute time.
                    lastOverheads.add(latency
                            - Double.parseDouble(new String(
                                    r.headers().lastHeader(Protocol.COMPUTE_MS).value(), StandardCharsets.UTF_8)));
                    if (issued < n) {
                        send(sent);
                        issued++;
                    }
                }
            }
            lastElapsedSeconds = (System.nanoTime() - start) / 1e9;
            System.err.printf(
                    "bench serve %s: %d requests, concurrency %d, %.1f img/s%n",
                    phase, latencies.size(), concurrency, latencies.size() / lastElapsedSeconds);
            return latencies;
        }

        private void send(Map<String, Long> sent) {
            String id = "b" + (counter++);
            ProducerRecord<String, byte[]> r = new ProducerRecord<>(topics.translateRequests(), id, image);
            r.headers().add(Protocol.SCHEMA, Protocol.REQUEST_V1.getBytes(StandardCharsets.UTF_8));
            r.headers().add(Protocol.REPLY_TO, topics.translateResults().getBytes(StandardCharsets.UTF_8));
            r.headers().add(Protocol.TARGET, "Blond_Hair=1".getBytes(StandardCharsets.UTF_8));
            sent.put(id, System.nanoTime());
            producer.send(r);
            producer.flush();
        }

        @Override
        public void close() {
            producer.close();
            consumer.close();
        }
    }
}
