package org.stargan.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.stargan.cli.TrainingJobs;
import org.stargan.msg.TrainRequest;

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
    void theSchemaListsExactlyTheOptionsAJobMaySet() {
        Set<String> inSchema = new TreeSet<>(new JsonObject(JobSpec.SCHEMA)
                .getJsonObject("properties")
                .getJsonObject("options")
                .getJsonObject("properties")
                .fieldNames());
        Set<String> allowed = new TreeSet<>(TrainingJobs.OPTIONS);
        allowed.removeAll(TrainRequest.RESERVED);
        assertThat(inSchema).isEqualTo(allowed);
    }
}
