package org.stargan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Live-edit sessions: per-client and total caps, and the budget of images they hold. */
class StreamSessionsTest {
    private final StreamSessions sessions = new StreamSessions(new ConnectionLimits(1000, 1000, 60, 3, 2, 100));

    @Test
    void aClientGetsItsShareAndTheGatewayItsTotal() {
        sessions.opened("key a");
        assertThat(sessions.refusal("key a")).isNull();
        sessions.opened("key a");
        assertThat(sessions.refusal("key a"))
                .isEqualTo("key a: already 2 live-edit sessions open, this client's limit of 2; close one first");
        assertThat(sessions.refusal("key b")).isNull();
        sessions.opened("key b");
        assertThat(sessions.refusal("key c")).contains("already has 3 live-edit sessions open (its limit)");
        sessions.closed("key a");
        assertThat(sessions.refusal("key a")).isNull();
        assertThat(sessions.open()).isEqualTo(2);
    }

    @Test
    void imagesAreHeldWithinTheBudget() {
        assertThat(sessions.hold(60)).isTrue();
        assertThat(sessions.hold(41)).isFalse();
        assertThat(sessions.heldBytes()).isEqualTo(60);
        assertThat(sessions.hold(40)).isTrue();
        sessions.release(60);
        assertThat(sessions.hold(60)).isTrue();
    }
}
