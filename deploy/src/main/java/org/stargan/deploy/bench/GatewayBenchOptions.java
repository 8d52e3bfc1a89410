package org.stargan.deploy.bench;

import java.nio.file.Path;
import java.util.List;
import org.stargan.options.Option;
import org.stargan.options.OptionException;
import org.stargan.options.OptionTable;
import org.stargan.options.OptionValues;

/**
 * The options of {@code ./stargan bench gateway}, from one table ({@link #OPTIONS}); {@link #parse} fails naming the
 * option, the value and what was expected.
 *
 * @param concurrency requests kept in flight by the load client (its connections)
 * @param durationS measured seconds per phase (0 when {@code requests} is given)
 * @param requests measured requests per phase (0: run for {@code durationS})
 * @param warmupS seconds of load on each path before measuring, not counted
 * @param sliceS the two paths take turns in slices this long until each had {@code durationS}
 * @param batch the worker's largest batch, and the batch of the bare generator run
 * @param maxDelayMs longest a request waits in the worker for company
 * @param model the generator the worker serves and the bare run times
 * @param image the request body (PNG or JPEG); null: the web UI's first sample face
 * @param target the requested domains, e.g. {@code Blond_Hair=1}
 * @param device the worker's and the bare run's device
 * @param url a running gateway to load instead of starting one (null: start broker, worker and gateway here)
 * @param bootstrap a running Kafka cluster to use instead of starting a local broker (null: start one)
 * @param topicPrefix with {@code url}: the prefix that gateway's deployment uses, for the Kafka-only phase
 * @param apiKey with {@code url}: sent as {@code X-API-Key}
 * @param timeoutS per-request deadline, seconds
 * @param readyTimeoutS how long the load client waits for the first successful translation before giving up
 * @param bareS seconds spent timing the bare generator
 * @param idleS seconds without load after the measured phases, measuring the services' background CPU (0: skip)
 * @param direct whether to also drive the worker over Kafka without the gateway
 * @param paper serve a generator of the paper's size (128 px) with PyTorch's initialisation instead of {@code model}
 */
public record GatewayBenchOptions(
        int concurrency,
        double durationS,
        long requests,
        double warmupS,
        double sliceS,
        int batch,
        long maxDelayMs,
        Path model,
        Path image,
        String target,
        String device,
        String url,
        String bootstrap,
        String topicPrefix,
        String apiKey,
        double timeoutS,
        double readyTimeoutS,
        double bareS,
        double idleS,
        boolean direct,
        boolean paper) {

    /** The options, declared once: parsing, errors and {@link #USAGE} derive from it. */
    public static final OptionTable OPTIONS = new OptionTable(
            "bench gateway",
            List.of(
                    Option.integer("concurrency", "requests in flight (the load client's connections)")
                            .atLeast(1)
                            .atMost(1024)
                            .byDefault(8),
                    Option.number("duration-s", "measured seconds per phase")
                            .atLeast(0.1)
                            .atMost(86_400)
                            .byDefault(30.0),
                    Option.wholeNumber("requests", "measure N requests per phase instead of a duration")
                            .atLeast(1)
                            .atMost(100_000_000),
                    Option.number(
                                    "warmup-s",
                                    "uncounted load on each path before measuring (the services' JIT compilers are"
                                            + " their largest CPU consumer for about the first minute)")
                            .atLeast(0)
                            .atMost(3600)
                            .byDefault(60.0),
                    Option.number("slice-s", "measure the paths in turns of this long")
                            .atLeast(0.1)
                            .atMost(86_400)
                            .byDefault(10.0),
                    Option.integer("batch", "the worker's --max-batch, and the bare generator's batch")
                            .atLeast(1)
                            .atMost(1024)
                            .byDefault(8),
                    Option.wholeNumber("max-delay-ms", "the worker's --max-delay-ms")
                            .atLeast(0)
                            .atMost(10_000)
                            .byDefault(10L),
                    Option.choice(
                            "config",
                            List.of("paper"),
                            "paper: serve a generator of the paper's size instead of --model (128 px, conv 64, 6 "
                                    + "blocks, 5 domains, PyTorch's initialisation: its cost is what counts)"),
                    Option.path("model", "FILE", "generator to serve")
                            .defaultDescribed("deploy/models/synthetic48-G.safetensors, the demo's"),
                    Option.path("image", "FILE", "request body, PNG or JPEG")
                            .defaultDescribed("the web UI's samples/face1.png"),
                    Option.text("target", "SPEC", "requested domains").byDefault("Blond_Hair=1"),
                    Option.text("device", "DEVICE", "cpu, cuda:N: the worker's and the bare run's device")
                            .byDefault("cpu"),
                    Option.text(
                            "url",
                            "URL",
                            "load this running gateway (e.g. http://127.0.0.1:8080) instead of starting services; the "
                                    + "Kafka-only phase then needs --bootstrap (and --topic-prefix if not stargan.)"),
                    Option.text("api-key", "KEY", "X-API-Key for --url"),
                    Option.text(
                            "bootstrap",
                            "HOST:PORT",
                            "use this Kafka cluster instead of starting a local broker (topics get a fresh prefix "
                                    + "unless --url is given)"),
                    Option.text("topic-prefix", "PREFIX", "with --url: the prefix that gateway's deployment uses"),
                    Option.number("timeout-s", "per-request deadline")
                            .atLeast(0.1)
                            .atMost(3600)
                            .byDefault(30.0),
                    Option.number("ready-timeout-s", "how long to wait for the first successful translation")
                            .atLeast(0)
                            .atMost(3600)
                            .byDefault(120.0),
                    Option.number("bare-s", "seconds spent timing the bare generator")
                            .atLeast(0)
                            .atMost(3600)
                            .byDefault(5.0),
                    Option.number("idle-s", "seconds without load measuring the services' background CPU")
                            .atLeast(0)
                            .atMost(3600)
                            .byDefault(5.0),
                    Option.flag("no-direct", "skip the Kafka-only phase")));

    /** What {@code --help} prints. */
    public static final String USAGE = OPTIONS.help("""
            bench gateway [--concurrency 8] [--duration-s 30 | --requests N] [--warmup-s 60] [--slice-s 10] [--batch 8]
                          [--url URL [--api-key K] [--topic-prefix P]] [--bootstrap H:P] [options]""", """
            Starts a local Kafka broker, one inference worker serving --model and one gateway, each in its own JVM as
            deployed, then drives POST /v1/translations from a separate load-client JVM:
            --concurrency requests in flight, --warmup-s uncounted, then --duration-s seconds (or --requests
            requests) measured. The same load also goes to the worker over Kafka without the gateway, the two paths
            taking turns in slices of --slice-s so that other work on the machine weighs on both alike. After the
            services have stopped, the bare generator is timed at --batch images per batch. CPU per request is
            reported per process (gateway, worker: generator and the rest, broker, load client), with and without
            the JIT compiler's share, and each service's background CPU per second over --idle-s without load.
            Prints a table and, last, one JSON line.""");

    /** Parses {@code args}; {@code home} is the project directory the default model is found in. */
    public static GatewayBenchOptions parse(List<String> args, Path home) {
        OptionValues o = OPTIONS.parse(args);
        if (o.has("duration-s") && o.has("requests")) {
            throw new OptionException("bench gateway: --duration-s and --requests: both given, expected one of them");
        }
        String url = o.text("url");
        if (url != null) {
            if (!url.startsWith("http://") && !url.startsWith("https://")) {
                throw new OptionException(
                        "bench gateway: --url '" + url + "', expected http://host:port or https://host:port");
            }
            url = url.replaceAll("/+$", "");
        }
        if (url == null && (o.has("api-key") || o.has("topic-prefix"))) {
            throw new OptionException("bench gateway: " + (o.has("api-key") ? "--api-key" : "--topic-prefix")
                    + " only applies with --url (a gateway started here has no keys and a fresh topic prefix)");
        }
        String target = o.text("target");
        if (target.isBlank()) {
            throw new OptionException("bench gateway: --target: empty, expected e.g. Blond_Hair=1 or Male=0.5,Young=1");
        }
        long requests = o.has("requests") ? o.wholeNumber("requests") : 0;
        if (o.has("config") && o.has("model")) {
            throw new OptionException("bench gateway: --config and --model: both given, expected one of them");
        }
        return new GatewayBenchOptions(
                o.integer("concurrency"),
                requests > 0 ? 0 : o.number("duration-s"),
                requests,
                o.number("warmup-s"),
                o.number("slice-s"),
                o.integer("batch"),
                o.wholeNumber("max-delay-ms"),
                o.has("model") ? Path.of(o.text("model")) : home.resolve("deploy/models/synthetic48-G.safetensors"),
                o.has("image") ? Path.of(o.text("image")) : null,
                target,
                o.text("device"),
                url,
                o.text("bootstrap"),
                o.text("topic-prefix"),
                o.text("api-key"),
                o.number("timeout-s"),
                o.number("ready-timeout-s"),
                o.number("bare-s"),
                o.number("idle-s"),
                !o.flag("no-direct"),
                o.has("config"));
    }

    /** {@code d} without a fraction when it has none: 30, not 30.0. */
    static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
