package org.stargan.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link OffsetCommitter}: one commit on its way at a time, at most one started per interval, what finishes meanwhile
 * carried by the next.
 */
class OffsetCommitterTest {
    /** The commits asked for, as "partition→offset" maps, and their promises, completed by the test. */
    private final List<Map<String, Long>> asked = new ArrayList<>();

    private final List<Promise<Void>> answers = new ArrayList<>();

    /** The test's clock, in milliseconds, and the timers set on it: id → (due, task). */
    private long now = 1_000_000;

    private final Map<Long, Map.Entry<Long, Runnable>> timers = new TreeMap<>();
    private long nextTimer;

    private final OffsetCommitter committer = new OffsetCommitter(
            batch -> {
                Map<String, Long> m = new TreeMap<>();
                batch.forEach((TopicPartition tp, OffsetAndMetadata o) ->
                        m.put(tp.getTopic() + "-" + tp.getPartition(), o.getOffset()));
                asked.add(m);
                Promise<Void> p = Promise.promise();
                answers.add(p);
                return p.future();
            },
            () -> now,
            new OffsetCommitter.Timers() {
                @Override
                public long set(long delayMillis, Runnable task) {
                    timers.put(nextTimer, Map.entry(now + delayMillis, task));
                    return nextTimer++;
                }

                @Override
                public void cancel(long id) {
                    timers.remove(id);
                }
            });

    /** Moves the clock on, running the timers that fall due. */
    private void advance(long millis) {
        now += millis;
        for (var it = timers.entrySet().iterator(); it.hasNext(); ) {
            var t = it.next().getValue();
            if (t.getKey() <= now) {
                it.remove();
                t.getValue().run();
            }
        }
    }

    @Test
    void whatFinishesWhileACommitIsOnItsWayGoesOutTogetherWithTheNewestOffsets() {
        committer.commit("q", 0, 5);
        assertThat(asked).containsExactly(Map.of("q-0", 5L));
        committer.commit("q", 0, 6);
        committer.commit("q", 1, 3);
        committer.commit("q", 0, 7);
        assertThat(asked).as("nothing more while the first is on its way").hasSize(1);
        assertThat(committer.waiting()).isEqualTo(2);
        answers.get(0).complete();
        advance(OffsetCommitter.MIN_INTERVAL_MILLIS);
        assertThat(asked).hasSize(2);
        assertThat(asked.get(1)).isEqualTo(Map.of("q-0", 7L, "q-1", 3L));
        answers.get(1).complete();
        assertThat(committer.waiting()).isZero();
        advance(OffsetCommitter.MIN_INTERVAL_MILLIS);
        committer.commit("q", 1, 4);
        assertThat(asked).as("idle again: at once").hasSize(3);
    }

    @Test
    void commitsStartAtMostOncePerIntervalAndWhatWaitsGoesOutWhenItEnds() {
        committer.commit("q", 0, 1);
        answers.get(0).complete();
        advance(10);
        committer.commit("q", 0, 2);
        committer.commit("q", 0, 3);
        assertThat(asked)
                .as("the first commit answered, but its interval not over")
                .hasSize(1);
        advance(OffsetCommitter.MIN_INTERVAL_MILLIS - 11);
        assertThat(asked).hasSize(1);
        advance(1);
        assertThat(asked).as("due one interval after the first started").hasSize(2);
        assertThat(asked.get(1)).isEqualTo(Map.of("q-0", 3L));
        assertThat(timers).isEmpty();
    }

    @Test
    void flushDoesNotWaitForTheIntervalAndCancelsItsTimer() {
        committer.commit("q", 0, 1);
        answers.get(0).complete();
        committer.commit("q", 0, 2);
        assertThat(timers).hasSize(1);
        Future<Void> flushed = committer.flush();
        assertThat(asked).hasSize(2);
        assertThat(timers).isEmpty();
        answers.get(1).complete();
        assertThat(flushed.succeeded()).isTrue();
    }

    @Test
    void aFailedCommitDoesNotStopTheNextOne() {
        committer.commit("q", 0, 1);
        committer.commit("q", 0, 2);
        answers.get(0).fail(new IllegalStateException("broker away"));
        advance(OffsetCommitter.MIN_INTERVAL_MILLIS);
        assertThat(asked).hasSize(2);
        assertThat(asked.get(1)).isEqualTo(Map.of("q-0", 2L));
    }

    @Test
    void aRevokedPartitionsWaitingOffsetIsDropped() {
        committer.commit("q", 0, 1);
        committer.commit("q", 3, 9);
        committer.forget("q", 3);
        answers.get(0).complete();
        assertThat(asked).hasSize(1);
        assertThat(committer.waiting()).isZero();
    }

    @Test
    void flushCommitsWhatWaitsEvenWithACommitOnItsWay() {
        committer.commit("q", 0, 1);
        committer.commit("q", 0, 2);
        Future<Void> flushed = committer.flush();
        assertThat(asked).hasSize(2);
        assertThat(asked.get(1)).isEqualTo(Map.of("q-0", 2L));
        answers.get(1).complete();
        assertThat(flushed.succeeded()).isTrue();
        assertThat(committer.flush().succeeded())
                .as("nothing waiting: done at once")
                .isTrue();
    }
}
