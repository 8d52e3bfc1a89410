package org.stargan.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.stargan.options.Option;

/** The gateway's options come from one table: flags, STARGAN_* variables (flags win), errors and help agree. */
class MainOptionsTest {
    @Test
    void variablesConfigureItAndFlagsWin() {
        Map<String, String> env = Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "k1:9092",
                "STARGAN_HTTP_PORT", "8181",
                "STARGAN_INSTANCE_ID", "gw-a",
                "STARGAN_API_KEYS", "secret:train");
        GatewayConfig c = Main.parse(new String[0], env);
        assertThat(c.bootstrapServers()).isEqualTo("k1:9092");
        assertThat(c.httpPort()).isEqualTo(8181);
        assertThat(c.instanceId()).isEqualTo("gw-a");
        assertThat(c.apiKeys().holder("secret").scope()).isEqualTo(ApiKeys.Scope.TRAIN);
        GatewayConfig flagged = Main.parse(
                new String[] {"--port", "0", "--bootstrap", "k2:9092", "--max-in-flight", "40"},
                Map.of("STARGAN_HTTP_PORT", "8181", "STARGAN_KAFKA_BOOTSTRAP", "k1:9092"));
        assertThat(flagged.httpPort()).isZero();
        assertThat(flagged.bootstrapServers()).isEqualTo("k2:9092");
        assertThat(flagged.maxInFlightPerClient())
                .as("a quarter of --max-in-flight")
                .isEqualTo(10);
    }

    @Test
    void mistakesNameTheOptionOrVariableAndWhatToDo() {
        assertThatThrownBy(() -> Main.parse(new String[] {"--port", "http"}, Map.of()))
                .hasMessage("gateway: --port 'http', expected a whole number in 0..65535");
        assertThatThrownBy(() -> Main.parse(new String[0], Map.of("STARGAN_HTTP_PORT", "80a")))
                .hasMessage("gateway: environment variable STARGAN_HTTP_PORT='80a' (for --port), expected a whole "
                        + "number in 0..65535");
        assertThatThrownBy(() ->
                        Main.parse(new String[] {"--max-in-flight", "8", "--max-in-flight-per-client", "9"}, Map.of()))
                .hasMessageContaining("--max-in-flight-per-client 9 with --max-in-flight 8");
        assertThatThrownBy(() -> Main.parse(new String[] {"--help-me"}, Map.of()))
                .hasMessageStartingWith("gateway: unknown option --help-me");
    }

    @Test
    void theHelpListsEveryOptionWithItsVariables() {
        for (Option o : Main.OPTIONS.options()) {
            assertThat(Main.USAGE).contains("--" + o.name());
            Main.OPTIONS
                    .environment(o.name())
                    .forEach(v -> assertThat(Main.USAGE).contains(v));
        }
        assertThat(Main.USAGE).contains("[env STARGAN_KAFKA_BOOTSTRAP or KAFKA_BOOTSTRAP_SERVERS]");
    }
}
