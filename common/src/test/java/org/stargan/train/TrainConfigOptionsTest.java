package org.stargan.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.stargan.options.Option;
import org.stargan.options.OptionValues;
import org.stargan.options.TrainOptions;

/**
 * The training configuration and the train option table are one declaration: each field (but those the data
 * decides) is the option of its kebab-case name, starts at that option's default, and takes the option's value.
 */
class TrainConfigOptionsTest {
    private static final List<String> SET_BY_DATA = List.of("cDim", "c2Dim", "labelMode");

    private static String option(String field) {
        return field.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
    }

    @Test
    void everyFieldIsAnOptionAndStartsAtItsDefault() throws Exception {
        TrainConfig official = TrainConfig.official();
        for (RecordComponent c : TrainConfig.class.getRecordComponents()) {
            if (SET_BY_DATA.contains(c.getName())) {
                continue;
            }
            Option o = TrainOptions.TABLE.option(option(c.getName()));
            assertThat(o.jobField()).as("--%s may be set by a job", o.name()).isTrue();
            assertThat(((Number) c.getAccessor().invoke(official)).doubleValue())
                    .as("default of %s", c.getName())
                    .isEqualTo(((Number) o.defaultValue()).doubleValue());
        }
        assertThat(official.numIters()).isEqualTo(200_000);
        assertThat(official.batchSize()).isEqualTo(16);
        assertThat(official.nCritic()).isEqualTo(5);
    }

    @Test
    void eachOptionGivenReachesExactlyItsField() throws Exception {
        TrainConfig official = TrainConfig.official();
        for (RecordComponent c : TrainConfig.class.getRecordComponents()) {
            if (SET_BY_DATA.contains(c.getName()) || c.getName().equals("numItersDecay")) {
                continue;
            }
            Option o = TrainOptions.TABLE.option(option(c.getName()));
            String value = otherValue(o);
            OptionValues v = TrainOptions.TABLE.parse(Map.of(o.name(), value));
            TrainConfig changed = TrainConfig.fromOptions(v, 5, LabelMode.MULTI_LABEL, 0);
            for (RecordComponent other : TrainConfig.class.getRecordComponents()) {
                Object before = other.getAccessor().invoke(official);
                Object after = other.getAccessor().invoke(changed);
                boolean decayFollowsIters =
                        c.getName().equals("numIters") && other.getName().equals("numItersDecay");
                if (other.getName().equals(c.getName())) {
                    assertThat(after).as("--%s %s", o.name(), value).isNotEqualTo(before);
                } else if (!decayFollowsIters) {
                    assertThat(after)
                            .as("--%s changed %s", o.name(), other.getName())
                            .isEqualTo(before);
                }
            }
        }
    }

    /** A valid value other than the default (doubled whole numbers keep image sizes divisible). */
    private static String otherValue(Option o) {
        double d = ((Number) o.defaultValue()).doubleValue();
        double candidate = o.kind() == Option.Kind.NUMBER ? (d == 0 ? 0.25 : d / 2) : d * 2;
        if (!Double.isInfinite(o.max()) && candidate > o.max()) {
            candidate = d - 1;
        }
        return o.kind() == Option.Kind.NUMBER ? Double.toString(candidate) : Long.toString((long) candidate);
    }

    @Test
    void theDecayDefaultFollowsAShorterRunUnlessGiven() {
        assertThat(TrainConfig.builder().schedule(500, 500, 1, 10).build().numItersDecay())
                .isEqualTo(500);
        TrainConfig shortRun = TrainConfig.fromOptions(
                TrainOptions.TABLE.parse(Map.of("num-iters", "300")), 5, LabelMode.MULTI_LABEL, 0);
        assertThat(shortRun.numItersDecay()).isEqualTo(300);
    }

    @Test
    void buildValidatesAndNamesTheField() {
        assertThatThrownBy(() -> TrainConfig.builder().batchSize(0).build())
                .hasMessageStartingWith("--batch-size 0, expected ≥ 1");
        assertThatThrownBy(() -> TrainConfig.builder().generatorAverage(1).build())
                .hasMessageStartingWith("--g-ema-beta 1.0");
    }
}
