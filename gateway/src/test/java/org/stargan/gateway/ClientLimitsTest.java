package org.stargan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** One client's share: its own waiting bound and a token bucket, independent of other clients. */
class ClientLimitsTest {
    private final AtomicLong now = new AtomicLong();
    private final ClientLimits limits = new ClientLimits(10, 3, 2, now::get);

    @Test
    void aClientBeyondItsShareWaitsWhileOthersGoAhead() {
        assertThat(limits.admit("a", 1).admitted()).isTrue();
        assertThat(limits.admit("a", 1).admitted()).isTrue();
        ClientLimits.Decision full = limits.admit("a", 1);
        assertThat(full.admitted()).isFalse();
        assertThat(full.reason()).isEqualTo("client_in_flight");
        assertThat(limits.admit("b", 2).admitted())
                .as("another client is not affected")
                .isTrue();
        limits.release("a", 1);
        assertThat(limits.admit("a", 1).admitted()).isTrue();
    }

    @Test
    void theRateRefillsOverTimeAndSaysWhenToRetry() {
        for (int i = 0; i < 3; i++) {
            assertThat(limits.admit("a", 1).admitted()).isTrue();
            limits.release("a", 1);
        }
        ClientLimits.Decision limited = limits.admit("a", 1);
        assertThat(limited.reason()).isEqualTo("rate_limited");
        assertThat(limited.retryAfterSeconds()).isEqualTo(1);
        now.addAndGet(100_000_000L); // 0.1 s at 10/s: one token back
        assertThat(limits.admit("a", 1).admitted()).isTrue();
        limits.release("a", 1);
        assertThat(limits.admit("a", 1).admitted()).isFalse();
        // Idle clients with a full bucket are forgotten; busy or drained ones are kept.
        now.addAndGet(1_000_000_000L);
        limits.admit("b", 1);
        limits.forgetIdle();
        assertThat(limits.tracked()).isEqualTo(1);
    }
}
