package org.stargan.options;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing, errors and usage text all come from one declaration per option. */
class OptionTableTest {
    private static final OptionTable TABLE = new OptionTable(
            "demo",
            List.of(
                    Option.integer("batch", "images per batch")
                            .atLeast(1)
                            .atMost(64)
                            .byDefault(8),
                    Option.number("rate", "a learning rate").above(0).atMost(1).byDefault(1e-4),
                    Option.number("beta", "a decay").atLeast(0).below(1),
                    Option.choice("mode", List.of("fast", "exact"), "how").byDefault("exact"),
                    Option.names("attrs", "A,B", "attributes"),
                    Option.path("out", "DIR", "where to write"),
                    Option.flag("verbose", "say more")));

    @Test
    void valuesAreTypedAndAbsentOnesReadAsDefaults() {
        OptionValues v = TABLE.parse(List.of("--batch", "16", "--rate=0.5", "--attrs", "Male, Young", "--verbose"));
        assertThat(v.integer("batch")).isEqualTo(16);
        assertThat(v.number("rate")).isEqualTo(0.5);
        assertThat(v.names("attrs")).containsExactly("Male", "Young");
        assertThat(v.flag("verbose")).isTrue();
        assertThat(v.text("mode")).isEqualTo("exact");
        assertThat(v.has("mode")).isFalse();
        assertThat(v.text("out")).isNull();
        assertThat(TABLE.parse(Map.of("batch", "4")).integer("batch")).isEqualTo(4);
    }

    @Test
    void everyMistakeNamesTheOptionTheValueAndWhatWasExpected() {
        Map<List<String>, String> cases = Map.of(
                List.of("--batch", "many"), "demo: --batch 'many', expected a whole number in 1..64",
                List.of("--batch", "0"), "demo: --batch '0', expected a whole number in 1..64",
                List.of("--rate", "0"), "demo: --rate '0', expected a number in (0, 1]",
                List.of("--beta", "1"), "demo: --beta '1', expected a number in [0, 1)",
                List.of("--beta", "NaN"), "demo: --beta 'NaN', expected a number in [0, 1)",
                List.of("--mode", "slow"), "demo: --mode 'slow', expected fast or exact",
                List.of("--attrs", "a-b"), "demo: --attrs 'a-b', expected names separated by commas",
                List.of("--batch"), "demo: option --batch needs a value (a whole number in 1..64)",
                List.of("--size", "3"), "demo: unknown option --size; known: --batch, --rate",
                List.of("batch"), "demo: unexpected argument 'batch'; options start with --");
        cases.forEach((args, message) -> assertThatThrownBy(() -> TABLE.parse(args))
                .isInstanceOf(OptionException.class)
                .hasMessageStartingWith(message));
        assertThatThrownBy(() -> TABLE.parse(List.of()).required("out"))
                .hasMessage("demo: --out is required (where to write)");
    }

    @Test
    void theUsageListsEveryOptionWithItsDefault() {
        String usage = TABLE.usage();
        for (Option o : TABLE.options()) {
            assertThat(usage).contains("--" + o.name());
        }
        assertThat(usage).contains("images per batch (default 8)").contains("--mode fast|exact");
    }

    @Test
    void aServicesOptionsMayComeFromTheEnvironmentTheCommandLineWinning() {
        OptionTable service =
                TABLE.withEnvironment("batch", "STARGAN_BATCH", "BATCH").withEnvironment("out", "STARGAN_OUT");
        assertThat(service.parse(List.of(), Map.of("BATCH", "4")).integer("batch"))
                .isEqualTo(4);
        assertThat(service.parse(List.of(), Map.of("BATCH", "4", "STARGAN_BATCH", "2"))
                        .integer("batch"))
                .as("the first variable set wins")
                .isEqualTo(2);
        assertThat(service.parse(List.of("--batch", "16"), Map.of("STARGAN_BATCH", "2"))
                        .integer("batch"))
                .isEqualTo(16);
        assertThat(service.parse(List.of(), Map.of("STARGAN_BATCH", " ")).integer("batch"))
                .as("blank is unset")
                .isEqualTo(8);
        assertThatThrownBy(() -> service.parse(List.of(), Map.of("STARGAN_BATCH", "lots")))
                .isInstanceOf(OptionException.class)
                .hasMessage("demo: environment variable STARGAN_BATCH='lots' (for --batch), expected a whole number in "
                        + "1..64");
        // The help names each option's variables, on one line even where the text wraps.
        assertThat(service.usage()).contains("[env STARGAN_BATCH or BATCH]").contains("[env STARGAN_OUT]");
        assertThatThrownBy(() -> TABLE.withEnvironment("size", "X")).hasMessageContaining("no option --size");
    }

    @Test
    void helpHasTheUsageLineWhatTheCommandDoesAndEveryOptionWrapped() {
        String help = TABLE.help("demo --out DIR [options]", "Does a demo.");
        assertThat(help).startsWith("usage: stargan demo --out DIR [options]\n\nDoes a demo.\n\noptions:\n");
        assertThat(help.lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(118));
        assertThat(OptionTable.asksForHelp(List.of("--batch", "2", "--help"))).isTrue();
        assertThat(OptionTable.asksForHelp(List.of("-h"))).isTrue();
        assertThat(OptionTable.asksForHelp(List.of("--batch", "2"))).isFalse();
    }

    @Test
    void aNearMissOfAnOptionNameIsSuggested() {
        assertThatThrownBy(() -> TABLE.parse(List.of("--batchh", "2")))
                .hasMessageStartingWith("demo: unknown option --batchh (did you mean --batch?); known: --batch");
        assertThatThrownBy(() -> TABLE.parse(List.of("--verbos")))
                .hasMessageStartingWith("demo: unknown option --verbos (did you mean --verbose?)");
        assertThatThrownBy(() -> TABLE.parse(List.of("--colour", "red")))
                .hasMessageStartingWith("demo: unknown option --colour; known:");
        List<String> commands = List.of("train", "test", "translate", "export");
        assertThat(OptionTable.closest("trian", commands)).as("swapped letters").isEqualTo("train");
        assertThat(OptionTable.closest("exprot", commands)).isEqualTo("export");
        assertThat(OptionTable.closest("demo", commands)).isNull();
    }

    @Test
    void aDeclarationMistakeIsCaughtWhenTheTableIsBuilt() {
        assertThatThrownBy(() -> new OptionTable("demo", List.of(Option.flag("x", "a"), Option.flag("x", "b"))))
                .hasMessageContaining("--x declared twice");
        assertThatThrownBy(() -> Option.flag("NotKebab", "x")).hasMessageContaining("kebab-case");
    }

    @Test
    void trainJobsMayNotSetOutputsResumingOrTheDevice() {
        assertThat(TrainOptions.JOB_OPTIONS.declares("num-iters")).isTrue();
        for (String reserved : List.of("log-dir", "sample-dir", "model-save-dir", "resume-iters", "device")) {
            assertThat(TrainOptions.TABLE.declares(reserved)).isTrue();
            assertThat(TrainOptions.JOB_OPTIONS.declares(reserved)).as(reserved).isFalse();
        }
    }
}
