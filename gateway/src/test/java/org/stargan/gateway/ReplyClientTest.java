package org.stargan.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.stargan.msg.Protocol;
import org.stargan.msg.TranslateRequest;
import org.stargan.msg.TranslateResult;

/**
 * The request/reply client on a fake clock and an in-memory transport: every call ends exactly once, duplicates and
 * late results are dropped and counted, and nothing stays registered after a call ends.
 */
class ReplyClientTest {
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G'};

    /** Timers that fire only when the test advances the clock. */
    private static final class FakeClock implements ReplyClient.Timers {
        private final TreeMap<Long, List<Object[]>> due = new TreeMap<>();
        private long now;
        private long nextId;

        @Override
        public long schedule(long delayMillis, Runnable task) {
            long id = ++nextId;
            due.computeIfAbsent(now + delayMillis, k -> new ArrayList<>()).add(new Object[] {id, task});
            return id;
        }

        @Override
        public void cancel(long timerId) {
            due.values().forEach(l -> l.removeIf(t -> (long) t[0] == timerId));
        }

        void advance(long millis) {
            now += millis;
            while (!due.isEmpty() && due.firstKey() <= now) {
                for (Object[] t : due.pollFirstEntry().getValue()) {
                    ((Runnable) t[1]).run();
                }
            }
        }

        int pending() {
            return due.values().stream().mapToInt(List::size).sum();
        }
    }

    /** Records what was sent; each send completes when the test says so. */
    private static final class Wire implements ReplyClient.Transport {
        final Map<String, Promise<Void>> sends = new TreeMap<>();
        final List<String> resent = new ArrayList<>();
        /** Whether another worker's partition exists to resend to. */
        boolean elsewhere = true;

        @Override
        public Future<Void> send(TranslateRequest request) {
            Promise<Void> p = Promise.promise();
            sends.put(request.id(), p);
            return p.future();
        }

        @Override
        public Future<Void> resend(TranslateRequest request) {
            if (!elsewhere) {
                return null;
            }
            resent.add(request.id());
            return Future.succeededFuture();
        }
    }

    private final FakeClock clock = new FakeClock();
    private final Wire wire = new Wire();
    private final ReplyClient client = new ReplyClient(wire, clock, "gw-1");

    private TranslateRequest request() {
        return new TranslateRequest(
                client.newId(""), PNG, "replies", -1, null, "Male=1", "default", null, Protocol.PNG);
    }

    private static TranslateResult ok(String id) {
        return TranslateResult.ok(id, PNG, Protocol.PNG, "default", "v1", 1, 2, 1, "w");
    }

    @Test
    void aResultReachesItsCallerAndOnlyItsCaller() {
        TranslateRequest a = request();
        TranslateRequest b = request();
        Future<TranslateResult> fa = client.send(a, 1000);
        Future<TranslateResult> fb = client.send(b, 1000);
        wire.sends.values().forEach(Promise::complete);
        assertThat(client.inFlight()).isEqualTo(2);
        assertThat(client.deliver(ok(b.id()))).isTrue();
        assertThat(fb.result().id()).isEqualTo(b.id());
        assertThat(fa.isComplete()).isFalse();
        assertThat(client.deliver(ok(a.id()))).isTrue();
        assertThat(fa.result().id()).isEqualTo(a.id());
        assertThat(client.inFlight()).isZero();
        assertThat(clock.pending()).as("deadlines cancelled once answered").isZero();
    }

    @Test
    void aDuplicateResultIsDroppedAndCounted() {
        TranslateRequest a = request();
        Future<TranslateResult> f = client.send(a, 1000);
        assertThat(client.deliver(ok(a.id()))).isTrue();
        assertThat(client.deliver(ok(a.id()))).as("redelivered duplicate").isFalse();
        assertThat(f.result().id()).isEqualTo(a.id());
        assertThat(client.dropped()).isEqualTo(1);
    }

    @Test
    void noResultWithinTheDeadlineEndsTheCallAndALateResultIsDropped() {
        TranslateRequest a = request();
        Future<TranslateResult> f = client.send(a, 500);
        clock.advance(499);
        assertThat(f.isComplete()).isFalse();
        clock.advance(1);
        assertThat(f.cause()).isInstanceOf(ReplyClient.Timeout.class).hasMessage("no result within 500 ms");
        assertThat(client.inFlight()).isZero();
        assertThat(client.deliver(ok(a.id()))).as("late").isFalse();
        assertThat(client.dropped()).isEqualTo(1);
    }

    @Test
    void aRequestThatCannotBeQueuedFailsAtOnceAndFreesItsDeadline() {
        Future<TranslateResult> f = client.send(request(), 500);
        wire.sends.values().forEach(p -> p.fail("broker unreachable"));
        assertThat(f.cause())
                .isInstanceOf(ReplyClient.Unavailable.class)
                .hasMessage("the request could not be queued: broker unreachable");
        assertThat(client.inFlight()).isZero();
        assertThat(clock.pending()).isZero();
    }

    @Test
    void aCancelledCallEndsOnceAndItsResultIsDropped() {
        TranslateRequest a = request();
        Future<TranslateResult> f = client.send(a, 500);
        assertThat(client.cancel(a.id())).isTrue();
        assertThat(client.cancel(a.id())).as("already ended").isFalse();
        assertThat(f.cause()).isInstanceOf(ReplyClient.Cancelled.class);
        clock.advance(1000);
        assertThat(client.deliver(ok(a.id()))).isFalse();
        assertThat(clock.pending()).isZero();
        assertThat(client.inFlight()).isZero();
    }

    @Test
    void aSendFailureAfterTheResultChangesNothing() {
        TranslateRequest a = request();
        Future<TranslateResult> f = client.send(a, 500);
        client.deliver(ok(a.id()));
        wire.sends.values().forEach(p -> p.fail("acknowledgement lost"));
        assertThat(f.succeeded()).isTrue();
        assertThat(client.inFlight()).isZero();
    }

    @Test
    void aCallUnansweredAfterTheHedgeDelayIsSentOnceMoreAndTheFirstAnswerWins() {
        ReplyClient hedging = new ReplyClient(wire, clock, "gw-1", 200);
        TranslateRequest a = request();
        Future<TranslateResult> f = hedging.send(a, 1000);
        clock.advance(199);
        assertThat(wire.resent).isEmpty();
        clock.advance(1);
        assertThat(wire.resent).containsExactly(a.id());
        clock.advance(500);
        assertThat(wire.resent).as("once only").hasSize(1);
        assertThat(hedging.deliver(ok(a.id()))).isTrue();
        assertThat(hedging.deliver(ok(a.id()))).as("the other copy's answer").isFalse();
        assertThat(f.result().id()).isEqualTo(a.id());
        assertThat(hedging.hedged()).isEqualTo(1);
        assertThat(hedging.dropped()).isEqualTo(1);
        assertThat(clock.pending()).isZero();
    }

    @Test
    void anAnsweredCallIsNotHedgedNorOneWithNowhereElseToGo() {
        ReplyClient hedging = new ReplyClient(wire, clock, "gw-1", 200);
        TranslateRequest a = request();
        hedging.send(a, 1000);
        hedging.deliver(ok(a.id()));
        wire.elsewhere = false;
        TranslateRequest b = request();
        hedging.send(b, 1000);
        clock.advance(1000);
        assertThat(wire.resent).isEmpty();
        assertThat(hedging.hedged()).isZero();
    }

    @Test
    void hedgesAreBudgetedToATenthOfTheCalls() {
        ReplyClient hedging = new ReplyClient(wire, clock, "gw-1", 200);
        // A slowdown that holds every call past the hedge delay: the saved-up budget, then one per ten calls.
        for (int i = 0; i < 100; i++) {
            hedging.send(request(), 100_000);
        }
        clock.advance(200);
        assertThat(hedging.hedged()).isEqualTo((long) ReplyClient.HEDGE_BUDGET);
        for (int i = 0; i < 100; i++) {
            hedging.send(request(), 100_000);
        }
        clock.advance(200);
        assertThat(hedging.hedged())
                .isBetween((long) ReplyClient.HEDGE_BUDGET + 9, (long) ReplyClient.HEDGE_BUDGET + 10);
    }

    @Test
    void failAllEndsEveryWaitingCallAsUnavailableAndTheirResultsAreDropped() {
        ReplyClient hedging = new ReplyClient(wire, clock, "gw-1", 200);
        TranslateRequest a = request();
        TranslateRequest b = request();
        Future<TranslateResult> fa = hedging.send(a, 1000);
        Future<TranslateResult> fb = hedging.send(b, 1000);
        assertThat(hedging.failAll("the Kafka broker is unreachable")).isEqualTo(2);
        assertThat(fa.cause())
                .isInstanceOf(ReplyClient.Unavailable.class)
                .hasMessage("the Kafka broker is unreachable");
        assertThat(fb.failed()).isTrue();
        assertThat(hedging.inFlight()).isZero();
        assertThat(clock.pending()).as("deadlines and hedges cancelled").isZero();
        assertThat(hedging.deliver(ok(a.id()))).isFalse();
        assertThat(hedging.failAll("again")).isZero();
    }

    @Test
    void idsAreUniquePerClientAndCarryTheInstance() {
        assertThat(client.newId("ws-")).isEqualTo("gw-1-ws-1");
        assertThat(client.newId("")).isEqualTo("gw-1-2");
    }

    @Test
    void aSecondCallWithAnIdAlreadyWaitingIsRefused() {
        TranslateRequest a = request();
        client.send(a, 500);
        assertThat(client.send(a, 500).cause()).hasMessageContaining("already waiting");
        assertThat(client.inFlight()).isEqualTo(1);
    }
}
