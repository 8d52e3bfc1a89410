package org.stargan.options;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The options of {@code ./stargan train}, with the official names and defaults of {@code main.py}: the one place a
 * training option is declared. The command line, the training configuration's defaults, the trainer service's job
 * options and the job JSON schema the gateway validates against all derive from {@link #TABLE}; an option marked
 * {@link Option#forJobs()} may be set by a job, the others (outputs, resuming, the device) are the trainer's business.
 */
public final class TrainOptions {
    /** The official CelebA attributes of the paper's experiments. */
    public static final List<String> DEFAULT_ATTRS = List.of("Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young");

    /** The dataset options, shared by train, test, eval and train-classifier. */
    public static final List<Option> DATA = List.of(
            Option.choice(
                            "dataset",
                            List.of("celeba", "rafd", "folder", "synthetic", "both"),
                            "celeba, rafd (folder per expression), folder (any folder-per-domain set), synthetic (the "
                                    + "output of `stargan synth`), or both (train only: CelebA-style attributes and "
                                    + "RaFD-style folders jointly, with the mask vector)")
                    .byDefault("celeba")
                    .forJobs(),
            Option.path("celeba-image-dir", "DIR", "CelebA images").forJobs(),
            Option.path("attr-path", "FILE", "CelebA's list_attr_celeba.txt").forJobs(),
            Option.path("rafd-image-dir", "DIR", "root of the folder-per-domain images (rafd, folder)")
                    .forJobs(),
            Option.path("synthetic-dir", "DIR", "a directory written by `stargan synth`"),
            Option.names("selected-attrs", "A,B", "attributes to train on, in label order")
                    .byDefault(DEFAULT_ATTRS)
                    .forJobs(),
            Option.integer("celeba-crop-size", "centre crop before resizing")
                    .atLeast(1)
                    .atMost(8192)
                    .defaultDescribed("178; synthetic: none")
                    .forJobs(),
            Option.integer("rafd-crop-size", "centre crop for folder datasets")
                    .atLeast(1)
                    .atMost(8192)
                    .defaultDescribed("256; synthetic: none")
                    .forJobs(),
            Option.integer("image-size", "network image size")
                    .atLeast(8)
                    .atMost(1024)
                    .byDefault(128)
                    .forJobs(),
            Option.integer("test-count", "images held out for testing, CelebA-style sets")
                    .atLeast(0)
                    .defaultDescribed("2000; synthetic 10%")
                    .forJobs(),
            Option.wholeNumber("seed", "data order, flips, initial weights and per-iteration draws")
                    .byDefault(1234L)
                    .forJobs());

    /** Network sizes. */
    public static final List<Option> MODEL = List.of(
            Option.integer("c-dim", "number of domains (checked against the dataset's)")
                    .atLeast(1)
                    .atMost(64)
                    .forJobs(),
            Option.integer("g-conv-dim", "generator's first-layer channels")
                    .atLeast(1)
                    .atMost(1024)
                    .byDefault(64)
                    .forJobs(),
            Option.integer("d-conv-dim", "discriminator's first-layer channels")
                    .atLeast(1)
                    .atMost(1024)
                    .byDefault(64)
                    .forJobs(),
            Option.integer("g-repeat-num", "generator residual blocks")
                    .atLeast(0)
                    .atMost(64)
                    .byDefault(6)
                    .forJobs(),
            Option.integer("d-repeat-num", "discriminator stride-2 layers")
                    .atLeast(1)
                    .atMost(10)
                    .byDefault(6)
                    .forJobs());

    /** The training loop and losses. */
    public static final List<Option> TRAINING = List.of(
            Option.integer("batch-size", "images per iteration")
                    .atLeast(1)
                    .atMost(1024)
                    .byDefault(16)
                    .forJobs(),
            Option.integer("num-iters", "iterations in all")
                    .atLeast(1)
                    .atMost(10_000_000)
                    .byDefault(200_000)
                    .forJobs(),
            Option.integer("num-iters-decay", "iterations over which both learning rates decay linearly to 0")
                    .atLeast(0)
                    .atMost(10_000_000)
                    .byDefault(100_000)
                    .defaultDescribed("100000, at most --num-iters")
                    .forJobs(),
            Option.number("g-lr", "generator learning rate")
                    .above(0)
                    .atMost(1)
                    .byDefault(1e-4)
                    .forJobs(),
            Option.number("d-lr", "discriminator learning rate")
                    .above(0)
                    .atMost(1)
                    .byDefault(1e-4)
                    .forJobs(),
            Option.integer("n-critic", "D updates per G update")
                    .atLeast(1)
                    .atMost(100)
                    .byDefault(5)
                    .forJobs(),
            Option.number("beta1", "Adam β₁").atLeast(0).below(1).byDefault(0.5).forJobs(),
            Option.number("beta2", "Adam β₂")
                    .atLeast(0)
                    .below(1)
                    .byDefault(0.999)
                    .forJobs(),
            Option.number("lambda-cls", "weight of the domain classification loss")
                    .atLeast(0)
                    .byDefault(1.0)
                    .forJobs(),
            Option.number("lambda-rec", "weight of the reconstruction loss")
                    .atLeast(0)
                    .byDefault(10.0)
                    .forJobs(),
            Option.number("lambda-gp", "weight of the gradient penalty")
                    .atLeast(0)
                    .byDefault(10.0)
                    .forJobs(),
            Option.number(
                            "lambda-id",
                            "not official: weight of an identity term mean|x − G(x, c_org)| in G's loss; 0 leaves the "
                                    + "official objective")
                    .atLeast(0)
                    .byDefault(0.0)
                    .forJobs(),
            Option.number(
                            "g-ema-beta",
                            "not official: keep a moving average of G's weights, ema ← β·ema + (1 − β)·G after every "
                                    + "G step (StarGAN v2 uses 0.999); samples and <i>-G.safetensors then come from the "
                                    + "average; 0 keeps none")
                    .atLeast(0)
                    .below(1)
                    .byDefault(0.0)
                    .forJobs(),
            Option.integer("lr-update-step", "iterations between learning-rate decrements")
                    .atLeast(1)
                    .byDefault(1000)
                    .forJobs());

    /** What the run writes and how often. */
    public static final List<Option> OUTPUT = List.of(
            Option.integer("log-step", "iterations between metrics lines")
                    .atLeast(1)
                    .byDefault(10)
                    .forJobs(),
            Option.integer("sample-step", "iterations between sample grids")
                    .atLeast(1)
                    .byDefault(1000)
                    .forJobs(),
            Option.integer("model-save-step", "iterations between checkpoints")
                    .atLeast(1)
                    .byDefault(10_000)
                    .forJobs(),
            // Not the official stargan/...: ./stargan is this project's launcher, a file, in the directory users run it
            // from.
            Option.path("log-dir", "DIR", "where metrics.jsonl goes").byDefault("runs/logs"),
            Option.path("sample-dir", "DIR", "where sample grids go").byDefault("runs/samples"),
            Option.path("model-save-dir", "DIR", "where checkpoints go").byDefault("runs/models"));

    /** How this machine runs it. */
    public static final List<Option> RUN = List.of(
            Option.integer(
                            "resume-iters",
                            "continue from <model-save-dir>/N-state.safetensors; only --num-iters, --num-iters-decay, "
                                    + "--g-lr, --d-lr and --lr-update-step may differ from the saved run's options")
                    .atLeast(1),
            Option.text("device", "DEVICE", "cpu, cuda or cuda:N").byDefault("cpu"),
            Option.integer("num-workers", "image decoding threads")
                    .atLeast(1)
                    .atMost(64)
                    .defaultDescribed("2 on the CPU; on a GPU all cores but one, up to 8")
                    .forJobs());

    /** Every option of {@code train}, grouped as its usage lists them. */
    public static final OptionTable TABLE = new OptionTable("train", all());

    /** The data options alone, for the commands that only read a dataset ({@link OptionTable#with} adds theirs). */
    public static final OptionTable DATA_TABLE = new OptionTable("data", dataOptions());

    /** The options a training job may set. */
    public static final OptionTable JOB_OPTIONS = TABLE.only("train", Option::jobField);

    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainOptions() {}

    private static List<Option> all() {
        List<Option> all = new ArrayList<>();
        DATA.forEach(o -> all.add(o.inGroup("data")));
        MODEL.forEach(o -> all.add(o.inGroup("model (official defaults)")));
        TRAINING.forEach(o -> all.add(o.inGroup("training (official defaults)")));
        OUTPUT.forEach(o -> all.add(o.inGroup("output")));
        RUN.forEach(o -> all.add(o.inGroup("run")));
        return all;
    }

    /** The data options under the heading {@code data}, for the commands that only read a dataset. */
    public static List<Option> dataOptions() {
        return DATA.stream().map(o -> o.inGroup("data")).toList();
    }

    /**
     * The JSON schema (draft 2020-12) of a training job as clients POST it: {@code job_id}, {@code requested_by},
     * {@code model}, {@code synthetic} and {@code options}, where every option a job may set appears with its JSON type
     * and bounds, and nothing else is allowed.
     */
    public static String jobSchema() {
        ObjectNode root = JSON.createObjectNode();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.put("$id", "https://stargan.example/schemas/training-job.json");
        root.put("title", "A training job, as POSTed to /v1/training-jobs");
        root.put(
                "description",
                "Options are ./stargan train's, by their kebab-case names with JSON types. Paths are relative to the "
                        + "trainer's data root. Output directories, resuming and the device are the trainer's "
                        + "business and cannot be set.");
        root.put("type", "object");
        root.put("additionalProperties", false);
        ObjectNode props = root.putObject("properties");
        props.putObject("job_id").put("type", "string").put("pattern", "^[A-Za-z0-9._-]{1,64}$");
        props.putObject("requested_by").put("type", "string").put("maxLength", 128);
        props.putObject("model").put("type", "string").put("pattern", "^[A-Za-z0-9._-]{1,64}$");
        ObjectNode synthetic = props.putObject("synthetic");
        synthetic.put("description", "Have the trainer draw synthetic faces (./stargan synth) and train on them.");
        synthetic.put("type", "object");
        synthetic.put("additionalProperties", false);
        synthetic.putArray("required").add("count").add("size");
        ObjectNode sp = synthetic.putObject("properties");
        sp.putObject("count").put("type", "integer").put("minimum", 10).put("maximum", 200_000);
        sp.putObject("size").put("type", "integer").put("minimum", 16).put("maximum", 512);
        sp.putObject("seed").put("type", "integer");
        ObjectNode options = props.putObject("options");
        options.put("type", "object");
        options.put("additionalProperties", false);
        ObjectNode op = options.putObject("properties");
        for (Option o : JOB_OPTIONS.options()) {
            op.set(o.name(), schemaOf(o));
        }
        ObjectNode dataPath = root.putObject("$defs").putObject("dataPath");
        dataPath.put(
                "description",
                "A path inside the trainer's data root: relative, no '..' component (symbolic links leaving the root "
                        + "are refused by the trainer).");
        dataPath.put("type", "string");
        dataPath.put("minLength", 1);
        dataPath.put("maxLength", 1024);
        dataPath.put("pattern", "^(?!/)(?!.*(^|/)\\.\\.(/|$))[^\\\\\\u0000]+$");
        return root.toPrettyString();
    }

    private static ObjectNode schemaOf(Option o) {
        ObjectNode s = JSON.createObjectNode();
        s.put("description", o.help());
        switch (o.kind()) {
            case INTEGER, LONG -> {
                s.put("type", "integer");
                bounds(s, o);
            }
            case NUMBER -> {
                s.put("type", "number");
                bounds(s, o);
            }
            case CHOICE -> {
                ArrayNode e = s.putArray("enum");
                o.choices().forEach(e::add);
            }
            case PATH -> s.put("$ref", "#/$defs/dataPath");
            case NAMES -> {
                ArrayNode oneOf = s.putArray("oneOf");
                oneOf.addObject().put("type", "string").put("pattern", "^[A-Za-z0-9_]+(,[A-Za-z0-9_]+)*$");
                ObjectNode array = oneOf.addObject()
                        .put("type", "array")
                        .put("minItems", 1)
                        .put("maxItems", 64);
                array.putObject("items").put("type", "string").put("pattern", "^[A-Za-z0-9_]+$");
            }
            case TEXT -> s.put("type", "string");
            case FLAG -> s.put("type", "boolean");
        }
        return s;
    }

    private static void bounds(ObjectNode s, Option o) {
        if (!Double.isInfinite(o.min())) {
            put(s, o.minExclusive() ? "exclusiveMinimum" : "minimum", o.min());
        }
        if (!Double.isInfinite(o.max())) {
            put(s, o.maxExclusive() ? "exclusiveMaximum" : "maximum", o.max());
        }
    }

    private static void put(ObjectNode s, String key, double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            s.put(key, (long) v);
        } else {
            s.put(key, v);
        }
    }
}
