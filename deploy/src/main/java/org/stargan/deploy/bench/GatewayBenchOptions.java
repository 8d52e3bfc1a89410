package org.stargan.deploy.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * The options of {@code ./stargan bench gateway}; {@link #parse} fails naming the option, the value and what was expected.
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
 * @param direct whether to also drive the worker over Kafka without the gateway
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
        boolean direct) {

    /** What {@code --help} prints. */
    public static final String USAGE = """
            usage: stargan bench gateway [--concurrency 8] [--duration-s 30 | --requests N] [--warmup-s 5] [--slice-s 10]
                                         [--batch 8] [--max-delay-ms 10] [--model FILE] [--image FILE]
                                         [--target Blond_Hair=1] [--device cpu] [--url URL [--api-key K] [--topic-prefix P]]
                                         [--bootstrap H:P] [--timeout-s 30] [--ready-timeout-s 120] [--bare-s 5]
                                         [--no-direct]

            Starts a local Kafka broker (its own JVM), one inference worker serving --model and one gateway (in this JVM, as
            ./stargan demo does), then drives POST /v1/translations from a separate load-client JVM: --concurrency requests in
            flight, --warmup-s uncounted, then --duration-s seconds (or --requests requests) measured. The same load also
            goes to the worker over Kafka without the gateway, the two paths taking turns in slices of --slice-s so that
            other work on the machine weighs on both alike. After the services have stopped, the bare generator is timed at
            --batch images per batch. Prints a table and, last, one JSON line.

              --concurrency N    requests in flight (the load client's connections), 1..1024        (default 8)
              --duration-s S     measured seconds per phase                                         (default 30)
              --requests N       measure N requests per phase instead of a duration
              --warmup-s S       uncounted load on each path before measuring                       (default 5)
              --slice-s S        measure the paths in turns of this long                            (default 10)
              --batch B          the worker's --max-batch, and the bare generator's batch, 1..1024  (default 8)
              --max-delay-ms D   the worker's --max-delay-ms                                        (default 10)
              --model FILE       generator to serve (default deploy/models/synthetic48-G.safetensors, the demo's)
              --image FILE       request body, PNG or JPEG (default the web UI's samples/face1.png)
              --target SPEC      requested domains                                                  (default Blond_Hair=1)
              --device D         cpu, cuda:N: the worker's and the bare run's device                (default cpu)
              --url URL          load this running gateway (e.g. http://127.0.0.1:8080) instead of starting services;
                                 the Kafka-only phase then needs --bootstrap (and --topic-prefix if not stargan.)
              --api-key K        X-API-Key for --url
              --bootstrap H:P    use this Kafka cluster instead of starting a local broker (topics get a fresh prefix
                                 unless --url is given)
              --timeout-s S      per-request deadline                                               (default 30)
              --ready-timeout-s S  how long to wait for the first successful translation            (default 120)
              --bare-s S         seconds spent timing the bare generator                            (default 5)
              --no-direct        skip the Kafka-only phase
            """;

    /** Parses {@code args}; {@code home} is the project directory the default model is found in. */
    public static GatewayBenchOptions parse(List<String> args, Path home) {
        int concurrency = 8;
        double duration = 30;
        long requests = 0;
        boolean durationGiven = false;
        double warmup = 5;
        double slice = 10;
        int batch = 8;
        long maxDelay = 10;
        Path model = home.resolve("deploy/models/synthetic48-G.safetensors");
        Path image = null;
        String target = "Blond_Hair=1";
        String device = "cpu";
        String url = null;
        String bootstrap = null;
        String prefix = null;
        String apiKey = null;
        double timeout = 30;
        double ready = 120;
        double bare = 5;
        boolean direct = true;
        for (int i = 0; i < args.size(); i++) {
            String name = args.get(i);
            if (name.equals("--no-direct")) {
                direct = false;
                continue;
            }
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(name + ": needs a value");
            }
            String v = args.get(++i);
            switch (name) {
                case "--concurrency" -> concurrency = (int) integer(name, v, 1, 1024);
                case "--duration-s" -> {
                    duration = number(name, v, 0.1, 86_400);
                    durationGiven = true;
                }
                case "--requests" -> requests = integer(name, v, 1, 100_000_000);
                case "--warmup-s" -> warmup = number(name, v, 0, 3600);
                case "--slice-s" -> slice = number(name, v, 0.1, 86_400);
                case "--batch" -> batch = (int) integer(name, v, 1, 1024);
                case "--max-delay-ms" -> maxDelay = integer(name, v, 0, 10_000);
                case "--model" -> model = Path.of(v);
                case "--image" -> image = Path.of(v);
                case "--target" -> target = v;
                case "--device" -> device = v;
                case "--url" -> {
                    if (!v.startsWith("http://") && !v.startsWith("https://")) {
                        throw new IllegalArgumentException(
                                "--url: '" + v + "', expected http://host:port or https://host:port");
                    }
                    url = v.replaceAll("/+$", "");
                }
                case "--bootstrap" -> bootstrap = v;
                case "--topic-prefix" -> prefix = v;
                case "--api-key" -> apiKey = v;
                case "--timeout-s" -> timeout = number(name, v, 0.1, 3600);
                case "--ready-timeout-s" -> ready = number(name, v, 0, 3600);
                case "--bare-s" -> bare = number(name, v, 0, 3600);
                default ->
                    throw new IllegalArgumentException(
                            "unknown option " + name + "; known: --concurrency --duration-s --requests "
                                    + "--warmup-s --slice-s --batch --max-delay-ms --model --image --target --device --url --api-key --bootstrap "
                                    + "--topic-prefix --timeout-s --ready-timeout-s --bare-s "
                                    + "--no-direct --help");
            }
        }
        if (durationGiven && requests > 0) {
            throw new IllegalArgumentException("--duration-s and --requests: both given, expected one of them");
        }
        if (url == null && (apiKey != null || prefix != null)) {
            throw new IllegalArgumentException((apiKey != null ? "--api-key" : "--topic-prefix")
                    + ": only applies with --url (a gateway started here " + "has no keys and a fresh topic prefix)");
        }
        if (target.isBlank()) {
            throw new IllegalArgumentException("--target: empty, expected e.g. Blond_Hair=1 or Male=0.5,Young=1");
        }
        return new GatewayBenchOptions(
                concurrency,
                requests > 0 ? 0 : duration,
                requests,
                warmup,
                slice,
                batch,
                maxDelay,
                model,
                image,
                target,
                device,
                url,
                bootstrap,
                prefix,
                apiKey,
                timeout,
                ready,
                bare,
                direct);
    }

    private static long integer(String name, String v, long min, long max) {
        try {
            long n = Long.parseLong(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + ": '" + v + "', expected an integer " + min + ".." + max);
    }

    /** {@code d} without a fraction when it has none: 30, not 30.0. */
    static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static double number(String name, String v, double min, double max) {
        try {
            double n = Double.parseDouble(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + ": '" + v + "', expected a number " + plain(min) + ".." + plain(max));
    }
}
