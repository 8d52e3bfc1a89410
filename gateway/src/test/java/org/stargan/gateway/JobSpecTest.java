package org.stargan.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.stargan.msg.TrainRequest;
import org.stargan.options.Option;
import org.stargan.options.TrainOptions;

/** Training-job specs against the JSON schema: the field at fault is named, and the schema knows every train option. */
class JobSpecTest {
    @Test
    void aGoodSpecBecomesATrainRequest() {
        TrainRequest r = JobSpec.parse(
                new JsonObject(
                        "{\"job_id\": \"j1\", \"options\": {\"num-iters\": 20, \"g-lr\": 0.0002,"
                                + " \"selected-attrs\": [\"Black_Hair\", \"Male\"]}, \"synthetic\": {\"count\": 40, \"size\": 16}}"));
        assertThat(r.jobId()).isEqualTo("j1");
        assertThat(r.options())
                .containsEntry("num-iters", "20")
                .containsEntry("g-lr", "2.0E-4")
                .containsEntry("selected-attrs", "Black_Hair,Male");
        assertThat(r.synthetic()).containsEntry("count", 40);
    }

    @Test
    void badSpecsNameTheField() {
        assertThatThrownBy(() -> JobSpec.parse(new JsonObject("{\"options\": {\"num-iters\": \"many\"}}")))
                .hasMessageStartingWith("options.num-iters: ");
        assertThatThrownBy(() -> JobSpec.parse(new JsonObject("{\"options\": {\"num-iters\": 0}}")))
                .hasMessageStartingWith("options.num-iters: ");
        assertThatThrownBy(() -> JobSpec.parse(new JsonObject("{\"options\": {\"log-dir\": \"/etc\"}}")))
                .hasMessageContaining("options")
                .hasMessageContaining("log-dir");
        assertThatThrownBy(() -> JobSpec.parse(new JsonObject("{\"options\": {\"attr-path\": \"../../etc/passwd\"}}")))
                .hasMessageStartingWith("options.attr-path: ");
        assertThatThrownBy(() -> JobSpec.parse(new JsonObject("{\"options\": {\"attr-path\": \"/etc/passwd\"}}")))
                .hasMessageStartingWith("options.attr-path: ");
        assertThatThrownBy(() -> JobSpec.parse(new JsonObject("{\"synthetic\": {\"count\": 5, \"size\": 16}}")))
                .hasMessageStartingWith("synthetic.count: ");
        assertThatThrownBy(() -> JobSpec.parse(new JsonObject("{\"job_id\": \"a b\"}")))
                .hasMessageStartingWith("job_id: ");
        assertThatThrownBy(() -> JobSpec.parse(new JsonObject("{\"surprise\": 1}")))
                .hasMessageContaining("surprise");
    }

    @Test
    void theSchemaAndTheTrainersParserAgreeOnEveryOptionsBounds() {
        JsonObject options = new JsonObject(JobSpec.SCHEMA)
                .getJsonObject("properties")
                .getJsonObject("options")
                .getJsonObject("properties");
        assertThat(options.fieldNames())
                .containsExactlyInAnyOrderElementsOf(TrainOptions.JOB_OPTIONS.options().stream()
                        .map(Option::name)
                        .toList())
                .doesNotContainAnyElementsOf(TrainRequest.RESERVED);
        int checked = 0;
        for (Option o : TrainOptions.JOB_OPTIONS.options()) {
            if (o.kind() != Option.Kind.INTEGER && o.kind() != Option.Kind.NUMBER) {
                continue;
            }
            for (double edge : new double[] {o.min(), o.max()}) {
                if (Double.isInfinite(edge)) {
                    continue;
                }
                boolean exclusive = edge == o.min() ? o.minExclusive() : o.maxExclusive();
                double outside = edge == o.min() ? edge - 1 : edge + 1;
                for (double v : exclusive ? new double[] {outside, edge} : new double[] {outside}) {
                    assertRefusedByBoth(o, v);
                    checked++;
                }
                if (!exclusive) {
                    assertAcceptedByBoth(o, edge);
                    checked++;
                }
            }
        }
        assertThat(checked).as("bounds checked").isGreaterThan(30);
    }

    private static Object json(Option o, double v) {
        return o.kind() == Option.Kind.INTEGER ? (Object) (long) v : (Object) v;
    }

    private static void assertAcceptedByBoth(Option o, double v) {
        Object value = json(o, v);
        JobSpec.parse(new JsonObject().put("options", new JsonObject().put(o.name(), value)));
        TrainOptions.JOB_OPTIONS.parse(Map.of(o.name(), String.valueOf(value)));
    }

    private static void assertRefusedByBoth(Option o, double v) {
        Object value = json(o, v);
        assertThatThrownBy(() -> JobSpec.parse(new JsonObject().put("options", new JsonObject().put(o.name(), value))))
                .as("schema, --%s %s", o.name(), value)
                .hasMessageStartingWith("options." + o.name() + ": ");
        assertThatThrownBy(() -> TrainOptions.JOB_OPTIONS.parse(Map.of(o.name(), String.valueOf(value))))
                .as("parser, --%s %s", o.name(), value)
                .hasMessageContaining("--" + o.name() + " '");
    }
}
