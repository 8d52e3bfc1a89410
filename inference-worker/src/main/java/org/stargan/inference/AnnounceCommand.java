package org.stargan.inference;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.stargan.ckpt.GeneratorCheckpoint;
import org.stargan.kafka.KafkaSettings;
import org.stargan.kafka.Topics;
import org.stargan.msg.ModelAnnouncement;
import org.stargan.options.Option;
import org.stargan.options.OptionTable;
import org.stargan.options.OptionValues;

/**
 * {@code stargan announce}: publishes a generator checkpoint on the model registry, so that every inference worker
 * loads it and gateways list it. An official {@code *-G.ckpt} carries no domain names or image size: the announcement
 * says them ({@code --domains}, {@code --image-size}), and {@code --description} what the model was trained on. The
 * checkpoint is read first, so a name list that does not fit the generator is refused here rather than by every worker.
 */
public final class AnnounceCommand {
    static final OptionTable OPTIONS = new OptionTable(
                    "announce",
                    List.of(
                            Option.path(
                                    "checkpoint",
                                    "PATH",
                                    "generator checkpoint readable at this path by every worker (shared storage): this "
                                            + "project's .safetensors or an official *-G.ckpt (required)"),
                            Option.text("name", "NAME", "model name (the one requests get without stargan.model)")
                                    .byDefault("default"),
                            Option.text("version", "V", "version label")
                                    .defaultDescribed("the file name without its extension"),
                            Option.names(
                                    "domains",
                                    "A,B,...",
                                    "domain names in label order (official checkpoints carry none; the official "
                                            + "CelebA model's: Black_Hair,Blond_Hair,Brown_Hair,Male,Young)"),
                            Option.integer("image-size", "the side it was trained at (official checkpoints: 128)")
                                    .atLeast(4)
                                    .atMost(4096),
                            Option.text(
                                    "description",
                                    "TEXT",
                                    "what it is and was trained on, shown to people choosing a model"),
                            Option.text("bootstrap", "HOST:PORT", "Kafka bootstrap servers")
                                    .byDefault("127.0.0.1:9092"),
                            Option.text("topic-prefix", "PREFIX", "prefix of every topic name")
                                    .byDefault("stargan.")))
            .withEnvironment("bootstrap", "STARGAN_KAFKA_BOOTSTRAP")
            .withEnvironment("topic-prefix", "STARGAN_TOPIC_PREFIX");

    static final String USAGE =
            OPTIONS.help("announce --checkpoint PATH [--name NAME] [--version V] [--domains A,B,...] [options]", """
            Publishes a generator checkpoint on the model registry (stargan.models): every inference worker loads it,
            gateways list it, and requests name it by stargan.model. The checkpoint is read first: names that do not
            fit its c_dim, or differ from the names it carries, are refused before anything is published.""");

    private AnnounceCommand() {}

    /** Announces and exits: 0 announced, 1 failed, 2 usage error. */
    public static void main(String[] args) {
        System.exit(run(args, System.getenv()));
    }

    /**
     * Runs the command with {@code env} as its environment; returns 0 announced, 1 failed, 2 usage error (the
     * reason printed).
     */
    public static int run(String[] args, Map<String, String> env) {
        if (OptionTable.asksForHelp(List.of(args))) {
            System.out.print(USAGE);
            return 0;
        }
        ModelAnnouncement a;
        String bootstrap;
        Topics topics;
        try {
            OptionValues v = OPTIONS.parse(List.of(args), env);
            bootstrap = v.text("bootstrap");
            topics = new Topics(v.text("topic-prefix"));
            a = announcement(options(v));
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            System.err.println(m.startsWith("announce: ") ? "stargan " + m : "stargan announce: " + m);
            System.err.println("(" + OPTIONS.hint() + ")");
            return 2;
        }
        try {
            publish(bootstrap, topics, a);
        } catch (Exception e) {
            System.err.println("stargan announce: not published to " + bootstrap + ": " + e.getMessage());
            return 1;
        }
        System.err.printf(
                "announced model %s version %s (%s%s) on %s at %s%n",
                a.name(),
                a.version(),
                a.domains().isEmpty() ? "domains from the checkpoint" : "domains " + String.join(",", a.domains()),
                a.imageSize() > 0 ? ", " + a.imageSize() + " px" : "",
                topics.models(),
                bootstrap);
        return 0;
    }

    /** The announcement the options describe, checked against the checkpoint's generator. */
    static ModelAnnouncement announcement(Map<String, String> o) {
        String path = o.get("checkpoint");
        if (path == null) {
            throw new IllegalArgumentException("--checkpoint is required (see stargan announce --help)");
        }
        Path checkpoint = Path.of(path).toAbsolutePath();
        if (!Files.isRegularFile(checkpoint)) {
            throw new IllegalArgumentException("--checkpoint " + path + ": no such file");
        }
        List<String> domains = new ArrayList<>();
        if (o.containsKey("domains")) {
            for (String d : o.get("domains").split(",")) {
                domains.add(d.trim());
            }
        }
        int imageSize = 0;
        if (o.containsKey("image-size")) {
            try {
                imageSize = Integer.parseInt(o.get("image-size").trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "--image-size '" + o.get("image-size") + "', expected a multiple of 4");
            }
        }
        GeneratorCheckpoint ckpt;
        try {
            ckpt = GeneratorCheckpoint.load(checkpoint);
        } catch (Exception e) {
            throw new IllegalArgumentException("--checkpoint " + path + ": " + e.getMessage());
        }
        int cDim = ckpt.config().cDim();
        List<String> own = ckpt.info().domains();
        if (!domains.isEmpty() && domains.size() != cDim) {
            throw new IllegalArgumentException("--domains names " + domains.size() + " domains " + domains
                    + ", the generator in " + checkpoint.getFileName() + " has c_dim " + cDim);
        }
        if (!domains.isEmpty() && !own.isEmpty() && !own.equals(domains)) {
            throw new IllegalArgumentException(
                    "--domains " + domains + " differ from the checkpoint's own names " + own);
        }
        String file = checkpoint.getFileName().toString();
        String version = o.getOrDefault("version", file.contains(".") ? file.substring(0, file.indexOf('.')) : file);
        try {
            return new ModelAnnouncement(
                    o.getOrDefault("name", "default"),
                    version,
                    checkpoint.toUri().toString(),
                    System.currentTimeMillis(),
                    domains,
                    imageSize,
                    o.get("description"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the announcement's " + e.getMessage());
        }
    }

    private static void publish(String bootstrap, Topics topics, ModelAnnouncement a) throws Exception {
        Map<String, Object> settings = new HashMap<String, Object>(KafkaSettings.durableProducer(bootstrap, 1 << 20));
        try (KafkaProducer<String, byte[]> p =
                new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(topics.models(), a.name(), a.toJson())).get(30, TimeUnit.SECONDS);
        }
    }

    /** The given options as text, as {@link #announcement} reads them. */
    private static Map<String, String> options(OptionValues v) {
        Map<String, String> o = new HashMap<>();
        for (String name : List.of("checkpoint", "name", "version", "description")) {
            if (v.has(name)) {
                o.put(name, v.text(name));
            }
        }
        if (v.has("domains")) {
            o.put("domains", String.join(",", v.names("domains")));
        }
        if (v.has("image-size")) {
            o.put("image-size", Integer.toString(v.integer("image-size")));
        }
        return o;
    }
}
