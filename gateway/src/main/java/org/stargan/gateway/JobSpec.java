package org.stargan.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.stargan.msg.TrainRequest;
import org.stargan.options.TrainOptions;

/**
 * A training job as clients POST it: checked against the job schema derived from {@link TrainOptions} (every option by name and JSON
 * type, paths relative to the data root, nothing else), then turned into the {@link TrainRequest} the trainers read.
 */
final class JobSpec {
    /** The schema, also served at /v1/training-jobs/schema. */
    static final Buffer SCHEMA = Buffer.buffer(TrainOptions.jobSchema());

    private static final Validator VALIDATOR = Validator.create(
            JsonSchema.of(new JsonObject(SCHEMA)),
            new JsonSchemaOptions()
                    .setDraft(Draft.DRAFT202012)
                    .setBaseUri("https://stargan.example/schemas/")
                    .setOutputFormat(OutputFormat.Basic));

    private JobSpec() {}

    /** Validates {@code body}; fails naming the first field at fault and what the schema expects there. */
    static TrainRequest parse(JsonObject body) {
        OutputUnit result = VALIDATOR.validate(body);
        if (!result.getValid()) {
            throw new IllegalArgumentException(describe(result));
        }
        Map<String, String> options = new LinkedHashMap<>();
        body.getJsonObject("options", new JsonObject())
                .forEach(e -> options.put(
                        e.getKey(),
                        e.getValue() instanceof JsonArray a
                                ? String.join(
                                        ",", a.stream().map(String::valueOf).toList())
                                : String.valueOf(e.getValue())));
        Map<String, Integer> synthetic = new LinkedHashMap<>();
        body.getJsonObject("synthetic", new JsonObject())
                .forEach(e -> synthetic.put(e.getKey(), ((Number) e.getValue()).intValue()));
        return new TrainRequest(
                body.getString("job_id", "job-" + UUID.randomUUID().toString().substring(0, 8)),
                body.getString("requested_by", "api"),
                body.getString("model", "default"),
                options,
                synthetic);
    }

    /**
     * The most specific error: the deepest field, and there the failing keyword itself rather than the
     * "does not match" summaries of the objects around it; {@code options.num-iters: 0 is less than 1}.
     */
    private static String describe(OutputUnit result) {
        OutputUnit best = result;
        for (OutputUnit e : result.getErrors() == null ? java.util.List.<OutputUnit>of() : result.getErrors()) {
            if (best == result || rank(e) > rank(best)) {
                best = e;
            }
        }
        String location = best.getInstanceLocation() == null
                ? ""
                : best.getInstanceLocation().replaceFirst("^#?/?", "").replace('/', '.');
        String keyword = best.getKeywordLocation() == null ? "" : best.getKeywordLocation();
        String message = keyword.endsWith("additionalProperties")
                ? "not a field a job may set"
                : keyword.endsWith("/pattern") && DATA_PATHS.stream().anyMatch(location::endsWith)
                        ? "expected a path relative to the trainer's data root, without '..'"
                        : best.getError();
        return (location.isEmpty() ? "body" : location) + ": " + message + " (schema: GET /v1/training-jobs/schema)";
    }

    private static final java.util.List<String> DATA_PATHS =
            java.util.List.of("attr-path", "celeba-image-dir", "rafd-image-dir");

    private static long rank(OutputUnit u) {
        String l = u.getInstanceLocation() == null ? "" : u.getInstanceLocation();
        String k = u.getKeywordLocation() == null ? "" : u.getKeywordLocation();
        long depth = l.length() - l.replace("/", "").length();
        boolean summary = k.endsWith("additionalProperties") || k.endsWith("/properties") || k.endsWith("$ref");
        return depth * 10_000 + (summary ? 0 : 5_000) + k.length();
    }
}
